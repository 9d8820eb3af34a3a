"""Renewal reminders, sent by the periodic scan (see wellschools/reminders.py): to the
school's leaders 90 and 30 days before an award expires, once each. Expiry itself needs no
job: an award's status is derived from its dates."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from partnership.selectors import leader_emails_by_school
from wellschools.reminders import reminder_send

from . import selectors
from .dates import RENEWAL_REMINDER_DAYS
from .models import Application, Award

KIND = "accreditation_renewal"


def _renewing(award: Award) -> bool:
    """The school has already started its renewal, or holds a later award."""
    return (
        Application.objects.filter(
            school_id=award.school_id,
            partnership_id=award.partnership_id,
            created_at__gt=award.created_at,
        )
        .exclude(status__in=[Application.Status.WITHDRAWN, Application.Status.NOT_AWARDED])
        .exists()
    )


def remind_renewals() -> int:
    today = timezone.localdate()
    awards = list(
        selectors.awards_due_for_renewal(today=today, within_days=max(RENEWAL_REMINDER_DAYS))
        .select_related("school", "partnership")
        .order_by("pk")
    )
    leaders = leader_emails_by_school(school_ids={a.school_id for a in awards})
    sent = 0
    for award in awards:
        days_left = (award.valid_until - today).days
        # The most urgent stage that is due: a school first seen 25 days before expiry gets
        # the 30-day reminder only.
        stage = min(d for d in RENEWAL_REMINDER_DAYS if days_left <= d)
        if _renewing(award):
            continue
        url = settings.SITE_URL + reverse("accreditation:overview", args=[award.school.urn])
        for email in leaders.get(award.school_id, []):
            sent += reminder_send(
                kind=KIND,
                key=f"{award.pk}:{stage}",
                recipient=email,
                template="accreditation_renewal_due",
                about=award,
                context={
                    "award": award,
                    "school": award.school,
                    "days_left": days_left,
                    "stage": stage,
                    "url": url,
                },
            )
    return sent
