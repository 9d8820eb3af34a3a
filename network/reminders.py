"""The weekly digest, sent by the periodic reminder scan (wellschools/reminders.py).

Once per person per ISO week (a ledger claim keyed by person and week), from Monday 7:00
(Europe/London), only to people who asked for it, only when there is something new, and as
non-essential email: the email preferences and the one-click unsubscribe apply.
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from wellschools.preferences import reminders_unwanted
from wellschools.reminders import reminder_send

from . import selectors
from .models import DigestSubscription

DIGEST_KIND = "network_digest"
SEND_FROM_HOUR = 7


def digest_week_key(user_id: int, now=None) -> str:
    year, week, _ = timezone.localtime(now).isocalendar()
    return f"{user_id}:{year}-W{week:02d}"


def send_weekly_digests(now=None) -> int:
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.isoweekday() == 1 and local.hour < SEND_FROM_HOUR:
        return 0
    subscriptions = list(
        DigestSubscription.objects.filter(user__is_active=True).select_related("user")
    )
    unwanted = reminders_unwanted(s.user.email for s in subscriptions)
    sent = 0
    for subscription in subscriptions:
        user = subscription.user
        if user.email.lower() in unwanted:
            continue
        since = max(subscription.since, now - timedelta(days=7))
        digest = selectors.digest_for(user=user, since=since)
        if digest.is_empty:
            continue
        sent += reminder_send(
            kind=DIGEST_KIND,
            key=digest_week_key(user.pk, now),
            recipient=user.email,
            template="network_digest",
            context={
                "name": user.display_name,
                "digest": digest,
                "network_url": settings.SITE_URL + reverse("network:home"),
            },
            about=subscription,
        )
    return sent
