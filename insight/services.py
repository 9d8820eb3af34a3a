"""Insight's writes: reminders (nudges) to schools and invitations from a weak question,
both through the email outbox and both recorded."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnership.models import Partnership, School
from partnership.selectors import leader_emails_by_school
from wellschools.email import email_render, email_send
from wellschools.errors import DomainError

from . import selectors
from .models import Nudge, NudgeClaim, QuestionInvite

NUDGE_GAP = timedelta(days=7)  # a school is not nudged twice within this
NUDGE_TEMPLATE = "insight_nudge"
INVITE_TEMPLATE = "insight_question_invite"


def nudge_context(*, partnership: Partnership, school: School, reason: str, year: int) -> dict:
    return {
        "partnership": partnership,
        "school": school,
        "reason": reason,
        "reason_label": Nudge.Reason(reason).label,
        "year_label": selectors.academic_year_label(year),
        "school_path": reverse("school_detail", args=[school.urn]),
        **selectors.nudge_details(school=school, reason=reason, year=year),
    }


def nudge_preview(*, partnership: Partnership, school: School, reason: str, year: int) -> dict:
    """Exactly what the school's leaders will receive: the rendered subject and body."""
    subject, text, _html = email_render(
        template=NUDGE_TEMPLATE,
        context=nudge_context(partnership=partnership, school=school, reason=reason, year=year),
    )
    return {
        "subject": subject,
        "text": text,
        "recipients": leader_emails_by_school(school_ids=[school.pk]).get(school.pk, []),
    }


def _claim(*, partnership: Partnership, school_ids: list[int]) -> set[int]:
    """Claim the schools not nudged within ``NUDGE_GAP``: a new claim row (the unique
    constraint makes a concurrent insert wait, then do nothing) or a conditional UPDATE of
    an old one (a concurrent update waits for the row, then finds it fresh). Returns the
    schools this call claimed."""
    now = timezone.now()
    token = secrets.token_hex(16)
    NudgeClaim.objects.bulk_create(
        [
            NudgeClaim(partnership=partnership, school_id=pk, last_sent_at=now, token=token)
            for pk in school_ids
        ],
        ignore_conflicts=True,
    )
    NudgeClaim.objects.filter(
        partnership=partnership, school_id__in=school_ids, last_sent_at__lt=now - NUDGE_GAP
    ).update(last_sent_at=now, token=token)
    return set(
        NudgeClaim.objects.filter(
            Q(token=token), partnership=partnership, school_id__in=school_ids
        ).values_list("school_id", flat=True)
    )


def nudge_send(
    *, actor, partnership: Partnership, reason: str, year: int, school_ids: list[int] | None = None
) -> dict:
    """Remind the schools in ``reason``'s state (all of them, or those of ``school_ids``)
    by email to their leaders, at most once per school in ``NUDGE_GAP``, each recorded."""
    if reason not in Nudge.Reason.values:
        raise DomainError("Choose which schools to remind.", field="reason")
    schools = selectors.schools_to_nudge(partnership=partnership, reason=reason, year=year)
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    candidates = {s.pk: s for s in schools.filter(has_leader=True)}
    leaders = leader_emails_by_school(school_ids=list(candidates))
    with transaction.atomic():
        claimed = _claim(
            partnership=partnership, school_ids=[pk for pk in candidates if leaders.get(pk)]
        )
        records = []
        for pk in sorted(claimed, key=lambda pk: candidates[pk].name):
            school = candidates[pk]
            messages = email_send(
                to=leaders[pk],
                template=NUDGE_TEMPLATE,
                context=nudge_context(
                    partnership=partnership, school=school, reason=reason, year=year
                ),
                kind=NUDGE_TEMPLATE,
                about=school,
                essential=False,
            )
            records.append(
                Nudge(
                    partnership=partnership,
                    school=school,
                    reason=reason,
                    sent_by=actor,
                    recipients=len(messages),
                )
            )
        Nudge.objects.bulk_create(records)
    return {"sent": len(records), "skipped": len(candidates) - len(records)}


def question_invite_send(
    *, actor, partnership: Partnership, question, year: int, event=None, note: str = ""
) -> QuestionInvite:
    """Email the leaders of exactly the active member schools whose submitted check this
    year rated the question Not started or Limited; recorded with the schools' ids."""
    if event is not None and event.partnership_id != partnership.pk:
        raise DomainError("Choose one of the partnership's events.", field="event")
    schools = list(
        selectors.schools_rating_weak(
            schools=selectors.partnership_schools(partnership=partnership),
            question=question,
            year=year,
        )
    )
    if not schools:
        raise DomainError("No school rated this question Not started or Limited this year.")
    leaders = leader_emails_by_school(school_ids=[s.pk for s in schools])
    with transaction.atomic():
        invite = QuestionInvite.objects.create(
            partnership=partnership,
            question=question,
            academic_year=year,
            event=event,
            school_ids=[s.pk for s in schools],
            sent_by=actor,
        )
        for school in schools:
            if leaders.get(school.pk):
                email_send(
                    to=leaders[school.pk],
                    template=INVITE_TEMPLATE,
                    context={
                        "partnership": partnership,
                        "school": school,
                        "question": question,
                        "event": event,
                        "note": note,
                    },
                    kind=INVITE_TEMPLATE,
                    about=invite,
                    essential=False,
                )
    return invite
