"""Writing surveys: run one, invite staff, close it, and take anonymous answers."""

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from partnership.models import School
from wellschools.audit import audit_record
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import history_note, transition

from .anonymity import platform_threshold
from .framework import framework_current
from .models import (
    SCALE_POINTS,
    Item,
    Response,
    ResponseAnswer,
    StaffGroup,
    Survey,
    SurveyDraft,
    SurveyLink,
)
from .permissions import can_run_survey

LONGEST_WINDOW_DAYS = 42
MAX_INVITATIONS = 500
MAX_COMMENT_LENGTH = 2000


class SurveyError(DomainError):
    pass


def _partnership_id(school: School) -> int | None:
    return school.memberships.values_list("partnership_id", flat=True).first()


def _require_runner(actor: User, school: School) -> None:
    if not can_run_survey(actor, school):
        raise SurveyError("Only the school's leaders can run its staff survey.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- running a survey -------------------------------------------------------------------


def _check_window(opens_on: date, closes_on: date, *, today: date) -> None:
    if opens_on < today:
        raise SurveyError("The opening date must be today or later.", field="opens_on")
    if closes_on < opens_on:
        raise SurveyError(
            "The closing date must be on or after the opening date.", field="closes_on"
        )
    if (closes_on - opens_on).days > LONGEST_WINDOW_DAYS:
        raise SurveyError(
            f"Keep the survey open for {LONGEST_WINDOW_DAYS} days at most.", field="closes_on"
        )


def _check_threshold(threshold: int, *, current: int | None = None) -> None:
    floor = max(platform_threshold(), current or 0)
    if threshold < floor:
        raise SurveyError(
            f"The threshold can only go up: {floor} or more responses.", field="threshold"
        )


def survey_create(
    *,
    actor: User,
    school: School,
    title: str,
    opens_on: date,
    closes_on: date,
    staff_count: int | None = None,
    threshold: int | None = None,
    withhold_comments: bool = False,
    today: date | None = None,
) -> Survey:
    _require_runner(actor, school)
    today = today or timezone.localdate()
    _check_window(opens_on, closes_on, today=today)
    threshold = platform_threshold() if threshold is None else threshold
    _check_threshold(threshold)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)
        if Survey.objects.filter(school=school, status=Survey.Status.OPEN).exists():
            raise SurveyError("This school already has a survey running: close it first.")
        survey = Survey.objects.create(
            school=school,
            framework=framework_current(),
            title=title.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            staff_count=staff_count,
            threshold=threshold,
            withhold_comments=withhold_comments,
            created_by=actor,
        )
        history_note(survey, actor=actor, created=True, comment="Survey set up")
        audit_record(
            actor=actor,
            action="staffsurvey.created",
            target=survey,
            partnership_id=_partnership_id(school),
            data={"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()},
        )
    return survey


def survey_update(
    *,
    actor: User,
    survey: Survey,
    title: str,
    staff_count: int | None,
    threshold: int,
    withhold_comments: bool,
) -> Survey:
    """Change what can change after the start. The threshold only ever goes up."""
    _require_runner(actor, survey.school)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        _check_threshold(threshold, current=locked.threshold)
        changed = {
            name: value
            for name, value in {
                "title": title.strip(),
                "staff_count": staff_count,
                "threshold": threshold,
                "withhold_comments": withhold_comments,
            }.items()
            if getattr(locked, name) != value
        }
        if not changed:
            return locked
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changed))
        history_note(locked, actor=actor, comment="Changed: " + ", ".join(sorted(changed)))
        audit_record(
            actor=actor,
            action="staffsurvey.changed",
            target=locked,
            partnership_id=_partnership_id(locked.school),
            data={"fields": sorted(changed)},
        )
    return locked


def survey_close(*, actor: User | None, survey: Survey, comment: str = "") -> Survey:
    """Close a survey: by its leader before the closing date, or by the scan after it."""
    if actor is not None:
        _require_runner(actor, survey.school)
    with transaction.atomic():
        closed = transition(
            survey,
            to=Survey.Status.CLOSED,
            actor=actor,
            comment=comment or ("Closed early" if actor else "Closing date passed"),
            audit="staffsurvey.closed",
            partnership_id=_partnership_id(survey.school),
            error=SurveyError,
        )
        # Answers in progress can no longer be sent: drop them.
        SurveyDraft.objects.filter(survey=closed).delete()
    return closed


def survey_invite(*, actor: User, survey: Survey, emails: list[str]) -> int:
    """Email each address its own single-use link. The addresses are used for sending
    only: the links table keeps a hash of each token and a "used" flag, created in
    shuffled order so nothing ties a link row to an email; the audit records a count."""
    _require_runner(actor, survey.school)
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not emails:
        raise SurveyError("Enter at least one email address.", field="emails")
    if len(emails) > MAX_INVITATIONS:
        raise SurveyError(f"Send to {MAX_INVITATIONS} addresses at most at once.", field="emails")
    if survey.has_ended():
        raise SurveyError("This survey has closed: invitations can no longer be sent.")
    tokens = [secrets.token_urlsafe(24) for _ in emails]
    shuffled = list(tokens)
    secrets.SystemRandom().shuffle(shuffled)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.has_ended():
            raise SurveyError("This survey has closed: invitations can no longer be sent.")
        SurveyLink.objects.bulk_create(
            SurveyLink(survey=locked, token_hash=hash_token(t)) for t in shuffled
        )
        for email, token in zip(emails, tokens, strict=True):
            email_send(
                to=email,
                template="staffsurvey_invitation",
                context={
                    "survey": locked,
                    "school": locked.school,
                    "url": settings.SITE_URL.rstrip("/")
                    + reverse("staffsurvey_public:invitation", args=[locked.public_code, token]),
                },
                kind="staffsurvey_invitation",
                about=locked,
            )
        Survey.objects.filter(pk=locked.pk).update(
            invitations_sent=F("invitations_sent") + len(emails)
        )
        audit_record(
            actor=actor,
            action="staffsurvey.invited",
            target=locked,
            partnership_id=_partnership_id(locked.school),
            data={"count": len(emails)},
        )
    return len(emails)


# --- answering --------------------------------------------------------------------------


def link_check(*, survey: Survey, token: str) -> str:
    """The hash of a usable single-use link of this survey, or a SurveyError."""
    token_hash = hash_token(token)
    link = SurveyLink.objects.filter(survey=survey, token_hash=token_hash).first()
    if link is None:
        raise SurveyError("This invitation link is not right: check it was copied in full.")
    if link.used:
        raise SurveyError(
            "This invitation link has already been used to send answers: each link works once."
        )
    return token_hash


def draft_start(*, survey: Survey, link_hash: str = "") -> tuple[str, SurveyDraft]:
    """A new draft; returns the random key for the cookie (only its hash is stored)."""
    key = secrets.token_urlsafe(24)
    draft = SurveyDraft.objects.create(survey=survey, key_hash=hash_token(key), link_hash=link_hash)
    return key, draft


def draft_for(*, survey: Survey, key: str | None) -> SurveyDraft | None:
    if not key:
        return None
    return SurveyDraft.objects.filter(survey=survey, key_hash=hash_token(key)).first()


def draft_save(
    *,
    draft: SurveyDraft,
    staff_group: str | None = None,
    answers: dict[int, int] | None = None,
    comment: str | None = None,
) -> SurveyDraft:
    fields = ["updated_on"]
    if staff_group is not None:
        draft.staff_group = staff_group
        fields.append("staff_group")
    if answers is not None:
        draft.answers = {**draft.answers, **{str(k): int(v) for k, v in answers.items()}}
        fields.append("answers")
    if comment is not None:
        draft.comment = comment.strip()[:MAX_COMMENT_LENGTH]
        fields.append("comment")
    draft.updated_on = timezone.localdate()
    draft.save(update_fields=fields)
    return draft


def answers_problems(*, survey: Survey, staff_group: str, answers: dict) -> list[str]:
    """What is missing or wrong in a set of answers (empty when they can be sent)."""
    problems = []
    if staff_group not in StaffGroup.values:
        problems.append("Say which group of staff you are in (or that you prefer not to say).")
    item_ids = set(
        Item.objects.filter(area__framework_id=survey.framework_id).values_list("pk", flat=True)
    )
    missing = 0
    for item_id in item_ids:
        value = answers.get(str(item_id), answers.get(item_id))
        if value is None:
            missing += 1
        elif not isinstance(value, int) or value not in SCALE_POINTS:
            problems.append("An answer is not one of the five choices: answer it again.")
    if missing:
        problems.append(
            f"{missing} statement{'s are' if missing != 1 else ' is'} not answered yet."
        )
    unknown = {str(k) for k in answers} - {str(i) for i in item_ids}
    if unknown:
        problems.append("Some answers are not about this survey's statements.")
    return problems


def response_submit(*, draft: SurveyDraft, today: date | None = None) -> Response:
    """Send a draft's answers as one anonymous response and delete the draft.

    The response records the survey, the staff group, the date and the answers — never
    who, from where or at what time. A single-use link is marked used in the same
    transaction (a conditional update, so two tabs cannot both use it). Errors leave the
    draft as it was."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the survey row (shared among answers, exclusive with closing) so no answer
        # lands after a leader's "close now" commits.
        survey = Survey.objects.select_for_update(no_key=True).get(pk=draft.survey_id)
        if not survey.accepts_answers(today):
            if survey.has_ended(today):
                raise SurveyError(
                    "This survey has closed, so your answers could not be sent. Thank you for "
                    "taking the time."
                )
            raise SurveyError(f"This survey opens on {survey.opens_on:%-d %B %Y}.")
        problems = answers_problems(
            survey=survey, staff_group=draft.staff_group, answers=draft.answers
        )
        if problems:
            raise SurveyError(" ".join(problems))
        if draft.link_hash:
            used = SurveyLink.objects.filter(
                survey=survey, token_hash=draft.link_hash, used=False
            ).update(used=True)
            if used != 1:
                raise SurveyError(
                    "This invitation link has already been used to send answers: each link "
                    "works once."
                )
        response = Response.objects.create(
            survey=survey,
            staff_group=draft.staff_group,
            submitted_on=today,
            comment=draft.comment.strip()[:MAX_COMMENT_LENGTH],
        )
        ResponseAnswer.objects.bulk_create(
            ResponseAnswer(response=response, item_id=int(item_id), value=int(value))
            for item_id, value in draft.answers.items()
        )
        SurveyDraft.objects.filter(pk=draft.pk).delete()
    return response


# --- rate limit ----------------------------------------------------------------------------


def rate_key(*, survey: Survey, client: str, now=None) -> str:
    """The cache key counting one client's submissions in one minute: a keyed hash."""
    now = now or timezone.now()
    minute = int(now.timestamp() // 60)
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{survey.public_code}|{client}|{minute}".encode(),
        hashlib.sha256,
    ).hexdigest()[:32]
    return f"staffsurvey:rate:{digest}"


def submission_allowed(*, survey: Survey, client: str, now=None) -> bool:
    """Count a submission for this client in this minute; False past the limit.

    The client (an IP address) is never stored: the cache holds a keyed hash of it, the
    survey and the minute, for two minutes."""
    key = rate_key(survey=survey, client=client, now=now)
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= settings.STAFFSURVEY_SUBMISSIONS_PER_MINUTE


def suggested_close_date(opens_on: date) -> date:
    return opens_on + timedelta(days=14)
