"""Shared by the services: constants, the locks, the counts and the two state machines.

Locking order, everywhere: the Event row first, then Booking rows."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wellschools.errors import DomainError
from wellschools.models import User

from ..models import Attendee, Booking, BookingChange, Event, EventChange
from ..permissions import can_manage_events

B = Booking.Status
E = Event.Status
A = Attendee.Status

LIVE = (B.WAITING, B.CONFIRMED)

EVENT_TRANSITIONS: dict[str, set[str]] = {
    E.DRAFT: {E.PUBLISHED, E.CANCELLED},
    E.PUBLISHED: {E.CANCELLED},
    E.CANCELLED: set(),
}
BOOKING_TRANSITIONS: dict[str, set[str]] = {
    "": {B.WAITING, B.CONFIRMED},
    B.WAITING: {B.CONFIRMED, B.LEFT, B.CANCELLED},
    B.CONFIRMED: {B.CANCELLED},
    B.CANCELLED: set(),
    B.LEFT: set(),
}

# A change to any of these moves the entry in people's calendars.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address", "online_url")
EVENT_FIELDS = (
    "title",
    "description",
    *CALENDAR_FIELDS,
    "capacity",
    "booking_opens_at",
    "booking_closes_at",
    "cancellation_deadline",
    "audience",
    "max_places_per_school",
)
FIELD_LABELS = {
    "starts_at": "start",
    "ends_at": "end",
    "venue_name": "venue",
    "venue_address": "address",
    "online_url": "online link",
}


@dataclass(frozen=True)
class AttendeeData:
    name: str
    email: str
    role: str = ""
    dietary_needs: str = ""
    access_needs: str = ""

    def cleaned(self) -> "AttendeeData":
        return AttendeeData(
            name=self.name.strip(),
            email=self.email.strip().lower(),
            role=self.role.strip(),
            dietary_needs=self.dietary_needs.strip(),
            access_needs=self.access_needs.strip(),
        )


# --- locking and counting ---------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    # of=("self",): lock the event only, not the partnership row joined for convenience.
    return (
        Event.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=event_id)
    )


def _places_taken(event: Event) -> int:
    return Attendee.objects.filter(
        booking__event=event, booking__status=B.CONFIRMED, status=A.ACTIVE
    ).count()


def _active_attendees(booking: Booking) -> list[Attendee]:
    return list(booking.attendees.filter(status=A.ACTIVE).order_by("pk"))


def _waiting_position(booking: Booking) -> int:
    ahead = Booking.objects.filter(event_id=booking.event_id, status=B.WAITING).filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def _is_staff(actor: User | None, event: Event) -> bool:
    return actor is not None and can_manage_events(actor, event.partnership)


# --- state machines ---------------------------------------------------------------------


def _event_transition(*, event_id: int, to: str, actor: User, comment: str = "") -> Event:
    with transaction.atomic():
        event = _lock_event(event_id)
        if to not in EVENT_TRANSITIONS[event.status]:
            raise DomainError(
                f"This event is {event.get_status_display().lower()}: it cannot be "
                f"{E(to).label.lower()} now."
            )
        previous = event.status
        event.status = to
        now = timezone.now()
        if to == E.PUBLISHED:
            event.published_at = now
        elif to == E.CANCELLED:
            event.cancelled_at = now
            event.cancellation_reason = comment
        event.save(update_fields=["status", "published_at", "cancelled_at", "cancellation_reason"])
        EventChange.objects.create(
            event=event, from_status=previous, to_status=to, actor=actor, comment=comment
        )
    return event


def _booking_transition(*, booking_id: int, to: str, actor: User | None, comment: str) -> Booking:
    """The one way a booking changes status. The caller holds the event's lock."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("event__partnership", "booker", "school", "trust")
            .get(pk=booking_id)
        )
        if to not in BOOKING_TRANSITIONS[booking.status]:
            raise DomainError(
                f"This booking is {booking.get_status_display().lower()} already; "
                "nothing was changed."
            )
        previous = booking.status
        booking.status = to
        now = timezone.now()
        if to == B.CONFIRMED:
            booking.confirmed_at = now
        elif to in (B.CANCELLED, B.LEFT):
            booking.ended_at = now
        booking.save(update_fields=["status", "confirmed_at", "ended_at"])
        _note(booking, actor=actor, comment=comment, from_status=previous)
    return booking


def _note(booking: Booking, *, actor: User | None, comment: str, from_status: str = "") -> None:
    BookingChange.objects.create(
        booking=booking,
        from_status=from_status or booking.status,
        to_status=booking.status,
        actor=actor if actor is not None and actor.pk else None,
        comment=comment,
    )
