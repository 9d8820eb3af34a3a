"""Services that change events and bookings.

Locking order, everywhere: the Event row first, then Booking rows. Every check that
depends on places (capacity, the per-school limit, who on the waiting list fits) runs
after the Event row is locked, so two requests at the same moment are served one after
the other and capacity is never exceeded. Freed places go to the waiting list in the same
transaction that freed them.
"""

from .bookings import (
    attendee_cancel,
    attendee_substitute,
    booking_cancel,
    booking_create,
    event_release_held_places,
    waiting_list_leave,
)
from .coordination import MESSAGE_AUDIENCES, attendance_record, event_message_send
from .core import CALENDAR_FIELDS, EVENT_FIELDS, AttendeeData
from .events import event_cancel, event_create, event_publish, event_update

__all__ = [
    "CALENDAR_FIELDS",
    "EVENT_FIELDS",
    "MESSAGE_AUDIENCES",
    "AttendeeData",
    "attendance_record",
    "attendee_cancel",
    "attendee_substitute",
    "booking_cancel",
    "booking_create",
    "event_cancel",
    "event_create",
    "event_message_send",
    "event_publish",
    "event_release_held_places",
    "event_update",
    "waiting_list_leave",
]
