"""The reminder two days before an event, to each attendee, at most once.

Runs from the platform's periodic scan (``wellschools.tasks.scan_reminders``). Each
reminder is claimed in the reminder ledger in the same transaction that queues its email,
so two scans at once, or a scan re-run after a crash, send it once. The claim's key holds
the event's start: if the event moves, people are reminded of the new date.
"""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from wellschools.models import ReminderClaim
from wellschools.reminders import reminder_send

from . import notifications
from .models import Attendee, Booking, Event

KIND = "event_reminder"
BEFORE = timedelta(days=2)


def reminder_key(attendee: Attendee) -> str:
    starts = attendee.booking.event.starts_at
    return f"attendee:{attendee.pk}:{starts:%Y%m%dT%H%MZ}"


def send_event_reminders() -> int:
    now = timezone.now()
    due = list(
        Attendee.objects.filter(
            status=Attendee.Status.ACTIVE,
            booking__status=Booking.Status.CONFIRMED,
            booking__event__status=Event.Status.PUBLISHED,
            booking__event__starts_at__gt=now,
            booking__event__starts_at__lte=now + BEFORE,
        )
        .select_related("booking__event__partnership", "booking__booker")
        .order_by("pk")
    )
    if not due:
        return 0
    claimed = set(
        ReminderClaim.objects.filter(kind=KIND, key__in=[reminder_key(a) for a in due]).values_list(
            "key", "recipient"
        )
    )
    sent = 0
    for attendee in due:
        if (reminder_key(attendee), attendee.email.lower()) in claimed:
            continue
        with transaction.atomic():
            # Lock the booking, as cancellations do, so nobody cancelled a moment ago is
            # reminded of a place they no longer hold.
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .filter(pk=attendee.booking_id, status=Booking.Status.CONFIRMED)
                .first()
            )
            if (
                booking is None
                or not Attendee.objects.filter(
                    pk=attendee.pk, status=Attendee.Status.ACTIVE
                ).exists()
            ):
                continue
            booking.event = attendee.booking.event
            booking.booker = attendee.booking.booker
            sent += reminder_send(
                kind=KIND,
                key=reminder_key(attendee),
                recipient=attendee.email,
                send=partial(notifications.reminder, booking=booking, attendee=attendee),
            )
    return sent
