"""The Well Check's reminders, sent by the periodic scan (see wellschools/reminders.py).

* a Well Check started but untouched for 14 days (once per quiet spell);
* the annual Well Check, due from the start of the academic year (once per school a year);
* action plan items due in 7 days, and overdue (once per item and due date).
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from partnership.models import Membership
from partnership.selectors import leader_emails_by_school
from wellschools.reminders import reminder_send

from .models import Action, WellCheck, academic_year_label, academic_year_of

IDLE_DAYS = 14
DUE_SOON_DAYS = 7


def _check_url(well_check: WellCheck) -> str:
    return settings.SITE_URL + reverse(
        "wellcheck:check", args=[well_check.school.urn, well_check.academic_year]
    )


def remind_idle_wellchecks() -> int:
    cutoff = timezone.now() - timedelta(days=IDLE_DAYS)
    checks = list(
        WellCheck.objects.filter(
            status=WellCheck.Status.IN_PROGRESS, last_activity_at__lte=cutoff
        ).select_related("school")
    )
    leaders = leader_emails_by_school(school_ids={c.school_id for c in checks})
    sent = 0
    for check in checks:
        for email in leaders.get(check.school_id, []):
            sent += reminder_send(
                kind="wellcheck_idle",
                key=f"{check.pk}:{check.last_activity_at:%Y%m%d%H%M%S}",
                recipient=email,
                template="wellcheck_idle",
                context={"well_check": check, "url": _check_url(check), "days": IDLE_DAYS},
                about=check,
            )
    return sent


def remind_annual_wellcheck() -> int:
    year = academic_year_of(timezone.localdate())
    memberships = list(
        Membership.objects.filter(status=Membership.Status.ACTIVE)
        .exclude(school__well_checks__academic_year=year)
        .select_related("school", "partnership")
    )
    leaders = leader_emails_by_school(school_ids={m.school_id for m in memberships})
    sent = 0
    for membership in memberships:
        school = membership.school
        url = settings.SITE_URL + reverse("wellcheck:overview", args=[school.urn])
        for email in leaders.get(school.pk, []):
            sent += reminder_send(
                kind="wellcheck_annual",
                key=f"{school.pk}:{year}",
                recipient=email,
                template="wellcheck_annual",
                context={
                    "school": school,
                    "year_label": academic_year_label(year),
                    "url": url,
                    "partnership": membership.partnership,
                },
                about=school,
            )
    return sent


def remind_actions() -> int:
    today = timezone.localdate()
    actions = list(
        Action.objects.exclude(status=Action.Status.DONE)
        .filter(due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("well_check__school", "owner", "pillar")
    )
    leaders = leader_emails_by_school(school_ids={a.well_check.school_id for a in actions})
    sent = 0
    for action in actions:
        overdue = action.due_date < today
        recipients = (
            [action.owner.email] if action.owner else leaders.get(action.well_check.school_id, [])
        )
        url = settings.SITE_URL + reverse(
            "wellcheck:action",
            args=[action.well_check.school.urn, action.well_check.academic_year, action.pk],
        )
        for email in recipients:
            sent += reminder_send(
                kind="action_overdue" if overdue else "action_due_soon",
                key=f"{action.pk}:{action.due_date:%Y%m%d}",
                recipient=email,
                template="action_overdue" if overdue else "action_due_soon",
                context={"action": action, "url": url, "school": action.well_check.school},
                about=action,
            )
    return sent
