"""The emails events send, each with its calendar file when it changes a calendar.

Called by services inside their transaction: ``email_send`` writes outbox rows there and
the messages go out only if the transaction commits.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from wellschools.email import email_queue_render, email_renderer, email_send
from wellschools.models import EmailMessage

from .ics import MIMETYPE_CANCEL, MIMETYPE_REQUEST, booking_calendar, calendar_filename
from .models import Attendee, Booking, Event

LEAVE_SALT = "events.waiting-list.leave"


def leave_token(booking: Booking) -> str:
    return signing.Signer(salt=LEAVE_SALT).sign(booking.reference)


def booking_for_leave_token(token: str) -> str | None:
    """The booking reference a leave link was made for, or None for a forged one."""
    try:
        return signing.Signer(salt=LEAVE_SALT).unsign(token)
    except signing.BadSignature:
        return None


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _context(booking: Booking, **extra) -> dict:
    event = booking.event
    return {
        "event": event,
        "booking": booking,
        "event_url": _absolute(event.get_absolute_url()),
        "booking_url": _absolute(booking.get_absolute_url()),
        **extra,
    }


def _people(booking: Booking, attendees: list[Attendee]) -> list[tuple[str, str]]:
    """(name, email) of everyone whose calendar holds the booking: attendees and booker."""
    people: dict[str, tuple[str, str]] = {}
    for attendee in attendees:
        people.setdefault(attendee.email.lower(), (attendee.name, attendee.email))
    if booking.booker is not None:
        email = booking.booker.email
        people.setdefault(email.lower(), (booking.booker.display_name, email))
    return list(people.values())


# Booking emails are queued by services that hold the event's lock: only the outbox rows
# are written there; the worker renders each email and calendar file when it sends it
# (``render_booking_email``), so the lock is held for a few inserts, not for rendering.
RENDER_BOOKING_EMAIL = "events.notifications.render_booking_email"
WITH_LEAVE_LINK = ("event_waiting_joined", "event_waiting_passed_over")


def _queue(
    *,
    booking: Booking,
    people: list[tuple[str, str]],
    template: str,
    method: str = "",
    **params,
) -> None:
    email_queue_render(
        recipients=[(email, {"recipient_name": name}) for name, email in people],
        render_with=RENDER_BOOKING_EMAIL,
        params={"template": template, "method": method, "booking": booking.pk, **params},
        kind=template,
        about=booking,
    )


def _ids(attendees: list[Attendee]) -> list[int]:
    return [a.pk for a in attendees]


@email_renderer
def render_booking_email(
    *,
    recipient: str,
    recipient_name: str,
    template: str,
    method: str,
    booking: int,
    attendees: list[int] | None = None,
    attendee: int | None = None,
    replaces: int | None = None,
    **extra,
) -> tuple[str, dict, list]:
    """Render one queued booking email (in the worker): the booking as it is now, the
    people it was about, and the calendar file for this recipient."""
    booking = Booking.objects.select_related("event__partnership", "booker", "school", "trust").get(
        pk=booking
    )
    context = _context(booking, recipient_name=recipient_name, **extra)
    if attendees is not None:
        context["attendees"] = list(Attendee.objects.filter(pk__in=attendees).order_by("pk"))
    for key, pk in (("attendee", attendee), ("replaces", replaces)):
        if pk is not None:
            context[key] = Attendee.objects.get(pk=pk)
    if template in WITH_LEAVE_LINK:
        context["leave_url"] = _absolute(
            reverse("events:leave", kwargs={"token": leave_token(booking)})
        )
    attachments = []
    if method:
        mimetype = MIMETYPE_CANCEL if method == "CANCEL" else MIMETYPE_REQUEST
        calendar = booking_calendar(
            booking=booking, method=method, attendee=(recipient_name, recipient)
        )
        attachments.append((calendar_filename(booking), calendar, mimetype))
    return template, context, attachments


def _send_with_calendar(
    *,
    booking: Booking,
    people: list[tuple[str, str]],
    template: str,
    method: str,
    context: dict,
) -> None:
    """Rendered now, for one reader each (reminders: not under a lock, non-essential)."""
    mimetype = MIMETYPE_CANCEL if method == "CANCEL" else MIMETYPE_REQUEST
    for name, email in people:
        calendar = booking_calendar(booking=booking, method=method, attendee=(name, email))
        email_send(
            to=email,
            template=template,
            about=booking,
            context={**context, "recipient_name": name},
            attachments=[(calendar_filename(booking), calendar, mimetype)],
            essential=False,
        )


def _booker(booking: Booking) -> list[tuple[str, str]]:
    if booking.booker is None:
        return []
    return [(booking.booker.display_name, booking.booker.email)]


def booking_confirmed(*, booking: Booking, attendees: list[Attendee], promoted: bool) -> None:
    _queue(
        booking=booking,
        people=_people(booking, attendees),
        template="event_booking_confirmed",
        method="REQUEST",
        attendees=_ids(attendees),
        promoted=promoted,
    )


def waiting_joined(*, booking: Booking, attendees: list[Attendee], position: int) -> None:
    _queue(
        booking=booking,
        people=_booker(booking),
        template="event_waiting_joined",
        attendees=_ids(attendees),
        position=position,
    )


# "Still on the waiting list" goes to a group at most once in this long, however many
# smaller groups behind it are booked meanwhile.
PASSED_OVER_EVERY = timedelta(hours=1)


def waiting_passed_over(*, booking: Booking, size: int, free: int, position: int) -> None:
    """Places came free but not enough for this group; a smaller group behind got them."""
    if booking.booker is None:
        return
    told_lately = EmailMessage.objects.filter(
        kind="event_waiting_passed_over",
        object_type=booking._meta.label_lower,
        object_id=str(booking.pk),
        created_at__gte=timezone.now() - PASSED_OVER_EVERY,
    ).exists()
    if told_lately:
        return
    _queue(
        booking=booking,
        people=_booker(booking),
        template="event_waiting_passed_over",
        size=size,
        free=free,
        position=position,
    )


def booking_cancelled(
    *, booking: Booking, attendees: list[Attendee], by_staff: bool, reason: str = ""
) -> None:
    _queue(
        booking=booking,
        people=_people(booking, attendees),
        template="event_booking_cancelled",
        method="CANCEL",
        by_staff=by_staff,
        reason=reason,
    )


def place_cancelled(*, booking: Booking, attendee: Attendee, by_staff: bool) -> None:
    _queue(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_place_cancelled",
        method="CANCEL",
        attendee=attendee.pk,
        by_staff=by_staff,
    )


def place_given(*, booking: Booking, attendee: Attendee, replaces: Attendee) -> None:
    _queue(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_place_given",
        method="REQUEST",
        attendee=attendee.pk,
        replaces=replaces.pk,
    )


def event_changed(
    *, booking: Booking, attendees: list[Attendee], changes: list[str], waiting: bool
) -> None:
    _event_news("event_changed", "REQUEST", booking, attendees, waiting, changes=changes)


def event_cancelled(
    *, booking: Booking, attendees: list[Attendee], reason: str, waiting: bool
) -> None:
    _event_news("event_cancelled", "CANCEL", booking, attendees, waiting, reason=reason)


def _event_news(
    template: str,
    method: str,
    booking: Booking,
    attendees: list[Attendee],
    waiting: bool,
    **extra,
) -> None:
    """News of the event itself: the attendees' calendars are updated (``method``); a
    group on the waiting list has no calendar entry yet, so its booker gets a plain note."""
    if waiting:
        _queue(booking=booking, people=_booker(booking), template=template, waiting=True, **extra)
        return
    _queue(
        booking=booking,
        people=_people(booking, attendees),
        template=template,
        method=method,
        waiting=False,
        **extra,
    )


def reminder(*, booking: Booking, attendee: Attendee) -> None:
    # A reminder: unsubscribe link, and skipped for people who opted out.
    _send_with_calendar(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_reminder",
        method="REQUEST",
        context=_context(booking, attendee=attendee),
    )


def coordinator_message(
    *, event: Event, recipients: list[str], subject: str, message: str, sender
) -> None:
    email_send(
        to=recipients,
        template="event_message",
        about=event,
        context={
            "event": event,
            "event_url": _absolute(event.get_absolute_url()),
            "subject": subject,
            "message": message,
            "sender": sender,
        },
    )
