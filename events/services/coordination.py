"""The coordinator's event page: the register and emails to attendees."""

from django.db import transaction
from django.utils import timezone

from wellschools.audit import audit_record
from wellschools.dates import format_date
from wellschools.errors import DomainError
from wellschools.models import User

from .. import notifications
from ..models import Attendee, Booking, Event
from ..permissions import can_manage_events

A = Attendee.Status
B = Booking.Status


def attendance_record(*, actor: User, event: Event, marks: dict[int, str]) -> int:
    """Mark the register: attended, attended part, did not attend (or blank). Returns how
    many marks changed; each keeps the time it was marked and who marked it."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators keep the register.")
    if timezone.localdate() < timezone.localtime(event.starts_at).date():
        local = timezone.localtime(event.starts_at)
        raise DomainError(f"The register opens on the day of the event ({format_date(local)}).")
    allowed = set(Attendee.Attendance.values) | {""}
    if any(mark not in allowed for mark in marks.values()):
        raise DomainError("Choose attended, attended part or did not attend.")
    now = timezone.now()
    changed = []
    with transaction.atomic():
        attendees = Attendee.objects.select_for_update(of=("self",)).filter(
            booking__event=event,
            booking__status=B.CONFIRMED,
            status=A.ACTIVE,
            pk__in=list(marks),
        )
        for attendee in attendees:
            mark = marks[attendee.pk]
            if mark != attendee.attendance:
                attendee.attendance = mark
                attendee.attendance_marked_at = now if mark else None
                attendee.attendance_marked_by = actor if mark else None
                changed.append(attendee)
        Attendee.objects.bulk_update(
            changed, ["attendance", "attendance_marked_at", "attendance_marked_by"]
        )
        if changed:
            audit_record(
                actor=actor,
                action="event.register_marked",
                target=event,
                partnership_id=event.partnership_id,
                data={"marks": len(changed)},
            )
    return len(changed)


MESSAGE_AUDIENCES = {"attendees": "everyone with a place", "waiting": "the waiting list"}


def event_message_send(
    *, actor: User, event: Event, audience: str, subject: str, message: str
) -> int:
    """Email everyone with a place (and their bookers), or everyone on the waiting list."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators email attendees.")
    if audience not in MESSAGE_AUDIENCES:
        raise DomainError("Choose who the email goes to.", field="audience")
    subject, message = subject.strip(), message.strip()
    if not subject:
        raise DomainError("Give the email a subject.", field="subject")
    if not message:
        raise DomainError("Write the message.", field="message")
    status = B.CONFIRMED if audience == "attendees" else B.WAITING
    attendees = Attendee.objects.filter(
        booking__event=event, booking__status=status, status=A.ACTIVE
    ).values_list("email", flat=True)
    bookers = Booking.objects.filter(event=event, status=status, booker__isnull=False).values_list(
        "booker__email", flat=True
    )
    recipients = sorted({e.lower() for e in [*attendees, *bookers]})
    if not recipients:
        raise DomainError(f"Nobody is on {MESSAGE_AUDIENCES[audience]} yet.", field="audience")
    with transaction.atomic():
        notifications.coordinator_message(
            event=event, recipients=recipients, subject=subject, message=message, sender=actor
        )
        audit_record(
            actor=actor,
            action="event.message_sent",
            target=event,
            partnership_id=event.partnership_id,
            data={"audience": audience, "recipients": len(recipients), "subject": subject},
        )
    return len(recipients)
