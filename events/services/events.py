"""Events: create, change (calendars follow), publish, cancel."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnership.models import Partnership
from wellschools.audit import audit_record
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import history_note, transition

from .. import notifications
from ..models import Attendee, Booking, Event
from ..permissions import can_manage_events
from .bookings import promote_waiting
from .core import (
    CALENDAR_FIELDS,
    EVENT_FIELDS,
    FIELD_LABELS,
    LIVE,
    lock_event,
    places_taken,
)

A = Attendee.Status
B = Booking.Status
E = Event.Status


def _validate_event(values: dict, *, places_taken: int = 0) -> None:
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if ends_at <= starts_at:
        raise DomainError("The event must end after it starts.", field="ends_at")
    if not values.get("venue_name") and not values.get("online_url"):
        raise DomainError("Give the venue's name, an online link, or both.", field="venue_name")
    if values.get("venue_address") and not values.get("venue_name"):
        raise DomainError("Give the venue's name as well as its address.", field="venue_name")
    if values["capacity"] < 1:
        raise DomainError("An event needs at least one place.", field="capacity")
    if values["capacity"] < places_taken:
        raise DomainError(
            f"{places_taken} places are booked already: the capacity cannot be lower. "
            "Cancel bookings first.",
            field="capacity",
        )
    limit = values.get("max_places_per_school")
    if limit is not None and limit < 1:
        raise DomainError(
            "Leave this empty for no limit, or give 1 or more.", field=("max_places_per_school")
        )
    opens, closes = values.get("booking_opens_at"), values.get("booking_closes_at")
    if closes and closes > starts_at:
        raise DomainError(
            "Booking must close by the time the event starts.", field=("booking_closes_at")
        )
    if opens and opens >= (closes or starts_at):
        raise DomainError("Booking must open before it closes.", field="booking_opens_at")
    deadline = values.get("cancellation_deadline")
    if deadline and deadline > starts_at:
        raise DomainError(
            "The deadline for changes must be no later than the start.",
            field="cancellation_deadline",
        )


def event_create(*, actor: User, partnership: Partnership, **values) -> Event:
    if not can_manage_events(actor, partnership):
        raise DomainError("Only the partnership's coordinators create events.")
    values = {field: values.get(field) for field in EVENT_FIELDS if field in values}
    for text in ("title", "description", "venue_name", "venue_address", "online_url"):
        values[text] = (values.get(text) or "").strip()
    _validate_event(values)
    with transaction.atomic():
        event = Event.objects.create(
            partnership=partnership, created_by=actor, status=E.DRAFT, **values
        )
        history_note(event, actor=actor, comment="Created", created=True)
        audit_record(
            actor=actor,
            action="event.created",
            target=event,
            partnership_id=partnership.pk,
            data={"title": event.title},
        )
    return event


def event_update(*, actor: User, event: Event, **values) -> Event:
    """Change an event. A new time or venue goes to every attendee's calendar (same UID,
    higher SEQUENCE); more places go to the waiting list at once."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators change events.")
    with transaction.atomic():
        event = lock_event(event.pk)
        if event.status == E.CANCELLED:
            raise DomainError("This event is cancelled: it cannot be changed.")
        new = {field: getattr(event, field) for field in EVENT_FIELDS}
        new.update({field: values[field] for field in EVENT_FIELDS if field in values})
        for text in ("title", "description", "venue_name", "venue_address", "online_url"):
            new[text] = (new[text] or "").strip()
        _validate_event(new, places_taken=places_taken(event))
        changed = [field for field in EVENT_FIELDS if new[field] != getattr(event, field)]
        if not changed:
            return event
        previous_capacity = event.capacity
        for field in changed:
            setattr(event, field, new[field])
        event.save(update_fields=changed)
        calendar_changes = [FIELD_LABELS[f] for f in changed if f in CALENDAR_FIELDS]
        history_note(
            event,
            actor=actor,
            comment="Changed: " + ", ".join(f.replace("_", " ") for f in changed),
        )
        audit_record(
            actor=actor,
            action="event.changed",
            target=event,
            partnership_id=event.partnership_id,
            data={"fields": changed},
        )
        if event.status == E.PUBLISHED and calendar_changes:
            _tell_about_change(event=event, changes=calendar_changes)
        if event.status == E.PUBLISHED and event.capacity > previous_capacity:
            promote_waiting(event=event, actor=actor)
    return event


def _live_bookings_with_attendees(event: Event) -> list[Booking]:
    from django.db.models import Prefetch

    return list(
        Booking.objects.filter(event=event, status__in=LIVE)
        .select_related("booker", "event__partnership")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=Attendee.objects.filter(status=A.ACTIVE).order_by("pk"),
                to_attr="active_attendees",
            )
        )
        .order_by("pk")
    )


def _tell_about_change(*, event: Event, changes: list[str]) -> None:
    Booking.objects.filter(event=event, status=B.CONFIRMED).update(sequence=F("sequence") + 1)
    for booking in _live_bookings_with_attendees(event):
        booking.event = event
        notifications.event_changed(
            booking=booking,
            attendees=booking.active_attendees,
            changes=changes,
            waiting=booking.status == B.WAITING,
        )


def event_publish(*, actor: User, event: Event) -> Event:
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators publish events.")
    if event.starts_at <= timezone.now():
        raise DomainError("This event has started already: change its dates first.")
    return transition(event, to=E.PUBLISHED, actor=actor, audit="event.published")


def event_cancel(*, actor: User, event: Event, reason: str) -> Event:
    """Cancel the event: every booking is cancelled and every calendar told (METHOD:CANCEL)."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators cancel events.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why, for the people who booked.", field="reason")
    with transaction.atomic():
        event = transition(
            event,
            to=E.CANCELLED,
            actor=actor,
            comment=reason,
            fields={"cancellation_reason": reason},
        )
        bookings = _live_bookings_with_attendees(event)
        Booking.objects.filter(event=event, status=B.CONFIRMED).update(sequence=F("sequence") + 1)
        for booking in bookings:
            was_waiting = booking.status == B.WAITING
            changed = transition(booking, to=B.CANCELLED, actor=actor, comment="Event cancelled")
            notifications.event_cancelled(
                booking=changed,
                attendees=booking.active_attendees,
                reason=reason,
                waiting=was_waiting,
            )
        Attendee.objects.filter(booking__event=event, status=A.ACTIVE).update(
            status=A.CANCELLED, ended_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="event.cancelled",
            target=event,
            partnership_id=event.partnership_id,
            data={"reason": reason, "bookings": len(bookings)},
        )
    return event
