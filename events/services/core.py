"""Shared by the services: constants, the locks and the counts. Status changes go through
``wellschools.workflow.transition`` (the tables are ``Event.TRANSITIONS`` and
``Booking.TRANSITIONS``).

Locking order, everywhere: the Event row first, then Booking rows."""

from dataclasses import dataclass

from django.db.models import Q

from wellschools.models import User

from ..models import Attendee, Booking, Event
from ..permissions import can_manage_events

B = Booking.Status
E = Event.Status
A = Attendee.Status

LIVE = (B.WAITING, B.CONFIRMED)

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


def lock_event(event_id: int) -> Event:
    # of=("self",): lock the event only, not the partnership row joined for convenience.
    return (
        Event.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=event_id)
    )


def places_taken(event: Event) -> int:
    return Attendee.objects.filter(
        booking__event=event, booking__status=B.CONFIRMED, status=A.ACTIVE
    ).count()


def active_attendees(booking: Booking) -> list[Attendee]:
    return list(booking.attendees.filter(status=A.ACTIVE).order_by("pk"))


def waiting_position(booking: Booking) -> int:
    ahead = Booking.objects.filter(event_id=booking.event_id, status=B.WAITING).filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def is_event_staff(actor: User | None, event: Event) -> bool:
    return actor is not None and can_manage_events(actor, event.partnership)
