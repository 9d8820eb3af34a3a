"""The emails events send, each with its calendar file when it changes a calendar.

Called by services inside their transaction: ``email_send`` writes outbox rows there and
the messages go out only if the transaction commits.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from wellschools.email import email_send

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


def _send_with_calendar(
    *,
    booking: Booking,
    people: list[tuple[str, str]],
    template: str,
    method: str,
    context: dict,
    essential: bool = True,
) -> None:
    mimetype = MIMETYPE_CANCEL if method == "CANCEL" else MIMETYPE_REQUEST
    for name, email in people:
        calendar = booking_calendar(booking=booking, method=method, attendee=(name, email))
        email_send(
            to=email,
            template=template,
            about=booking,
            context={**context, "recipient_name": name},
            attachments=[(calendar_filename(booking), calendar, mimetype)],
            essential=essential,
        )


def booking_confirmed(*, booking: Booking, attendees: list[Attendee], promoted: bool) -> None:
    _send_with_calendar(
        booking=booking,
        people=_people(booking, attendees),
        template="event_booking_confirmed",
        method="REQUEST",
        context=_context(booking, attendees=attendees, promoted=promoted),
    )


def waiting_joined(*, booking: Booking, attendees: list[Attendee], position: int) -> None:
    if booking.booker is None:
        return
    email_send(
        to=booking.booker.email,
        template="event_waiting_joined",
        about=booking,
        context=_context(
            booking,
            attendees=attendees,
            position=position,
            leave_url=_absolute(reverse("events:leave", kwargs={"token": leave_token(booking)})),
        ),
    )


def waiting_passed_over(*, booking: Booking, size: int, free: int, position: int) -> None:
    """Places came free but not enough for this group; a smaller group behind got them."""
    if booking.booker is None:
        return
    email_send(
        to=booking.booker.email,
        template="event_waiting_passed_over",
        about=booking,
        context=_context(
            booking,
            size=size,
            free=free,
            position=position,
            leave_url=_absolute(reverse("events:leave", kwargs={"token": leave_token(booking)})),
        ),
    )


def booking_cancelled(
    *, booking: Booking, attendees: list[Attendee], by_staff: bool, reason: str = ""
) -> None:
    _send_with_calendar(
        booking=booking,
        people=_people(booking, attendees),
        template="event_booking_cancelled",
        method="CANCEL",
        context=_context(booking, by_staff=by_staff, reason=reason),
    )


def place_cancelled(*, booking: Booking, attendee: Attendee, by_staff: bool) -> None:
    _send_with_calendar(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_place_cancelled",
        method="CANCEL",
        context=_context(booking, attendee=attendee, by_staff=by_staff),
    )


def place_given(*, booking: Booking, attendee: Attendee, replaces: Attendee) -> None:
    _send_with_calendar(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_place_given",
        method="REQUEST",
        context=_context(booking, attendee=attendee, replaces=replaces),
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
    context = _context(booking, waiting=waiting, **extra)
    if waiting:
        if booking.booker is not None:
            email_send(to=booking.booker.email, template=template, about=booking, context=context)
        return
    _send_with_calendar(
        booking=booking,
        people=_people(booking, attendees),
        template=template,
        method=method,
        context=context,
    )


def reminder(*, booking: Booking, attendee: Attendee) -> None:
    _send_with_calendar(
        booking=booking,
        people=[(attendee.name, attendee.email)],
        template="event_reminder",
        method="REQUEST",
        context=_context(booking, attendee=attendee),
        essential=False,  # a reminder: unsubscribe link, and skipped for people who opted out
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
