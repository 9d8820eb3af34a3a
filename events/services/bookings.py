"""Bookings: whole groups or the waiting list, changes, cancellations, promotion."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from partnership.models import School, Trust
from wellschools.audit import audit_record
from wellschools.dates import format_date, format_time
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import history_note, transition

from .. import notifications
from ..models import Attendee, Booking, Event, new_reference
from ..permissions import can_book_event, can_book_for, can_manage_booking
from .core import (
    LIVE,
    AttendeeData,
    active_attendees,
    is_event_staff,
    lock_event,
    places_taken,
    waiting_position,
)

A = Attendee.Status
B = Booking.Status
E = Event.Status


def _booking_window_error(event: Event, now: datetime) -> str | None:
    if event.status != E.PUBLISHED:
        return "This event is not open for booking."
    if now >= event.starts_at:
        return "This event has started: booking is closed."
    if event.opens_at and now < event.opens_at:
        local = timezone.localtime(event.opens_at)
        return f"Booking opens on {format_date(local)} at {format_time(local)}."
    if now >= event.closes_at:
        return "Booking for this event has closed."
    return None


def _same_organisation(*, school: School | None, trust: Trust | None, booker: User) -> Q:
    """Attendees who count against one per-school limit: the same school, the same trust
    (booking for the trust itself), or the same person booking for neither."""
    if school is not None:
        return Q(booking__school=school)
    if trust is not None:
        return Q(booking__trust=trust, booking__school__isnull=True)
    return Q(booking__booker=booker, booking__school__isnull=True, booking__trust__isnull=True)


def _check_people(event: Event, people: list[AttendeeData], *, field: str) -> None:
    emails = [p.email for p in people]
    duplicates = sorted({e for e in emails if emails.count(e) > 1})
    if duplicates:
        raise DomainError(
            f"{', '.join(duplicates)} is listed more than once: each place is for one person.",
            field=field,
        )
    booked = (
        Attendee.objects.filter(
            booking__event=event, booking__status__in=LIVE, status=A.ACTIVE, email__in=emails
        )
        .select_related("booking")
        .order_by("pk")
        .first()
    )
    if booked is not None:
        raise DomainError(
            f"{booked.email} has a place on this event already (booking "
            f"{booked.booking.reference}, {booked.booking.organisation}).",
            field=field,
        )


def booking_create(
    *,
    actor: User,
    event: Event,
    attendees: list[AttendeeData],
    school: School | None = None,
    trust: Trust | None = None,
    organisation: str = "",
) -> Booking:
    """Book places for a group, or put the group on the waiting list when it does not fit.

    The whole group is booked, or none of it: places are never split."""
    partnership = event.partnership
    members_only = event.audience == Event.Audience.MEMBERS
    if not can_book_event(actor, partnership=partnership, members_only=members_only):
        raise DomainError("This event is for the partnership's member schools and trusts.")
    if school is not None and trust is not None:
        raise DomainError("Book for a school or for a trust, not both.", field="booking_for")
    scope = school or trust
    if scope is not None:
        if not can_book_for(actor, scope, partnership=partnership if members_only else None):
            raise DomainError(f"You cannot book for {scope.name}.", field="booking_for")
        organisation = scope.name
    else:
        if members_only:
            raise DomainError(
                "Choose the school or trust you are booking for.", field="booking_for"
            )
        organisation = organisation.strip()
        if not organisation:
            raise DomainError(
                "Give the name of your organisation (or your own name).", field="organisation"
            )
    people = [a.cleaned() for a in attendees]
    if not people:
        raise DomainError("Add at least one person.", field="attendees")
    for person in people:
        if not person.name or not person.email:
            raise DomainError("Give each person's name and email address.", field="attendees")

    with transaction.atomic():
        event = lock_event(event.pk)
        # The moment is taken under the lock, so the waiting list's order (by this moment)
        # is the order in which bookings were served, and each position told is right.
        now = timezone.now()
        # Everything below depends on what others booked: checked only now, under the lock.
        problem = _booking_window_error(event, now)
        if problem:
            raise DomainError(problem)
        _check_people(event, people, field="attendees")
        if len(people) > event.capacity:
            raise DomainError(
                f"This event has {event.capacity} places in all: book a smaller group.",
                field="attendees",
            )
        if event.max_places_per_school is not None:
            held_count = Attendee.objects.filter(
                _same_organisation(school=school, trust=trust, booker=actor),
                booking__event=event,
                booking__status__in=LIVE,
                status=A.ACTIVE,
            ).count()
            if held_count + len(people) > event.max_places_per_school:
                raise DomainError(
                    f"{organisation} may take at most {event.max_places_per_school} place"
                    f"{'s' if event.max_places_per_school != 1 else ''} at this event and "
                    f"holds {held_count} already (booked or waiting).",
                    field="attendees",
                )
        free = event.capacity - places_taken(event)
        # Freed places are held for the waiting list: while anyone waits, a new group joins
        # the list too, unless a coordinator released places no waiting group fits.
        someone_waits = Booking.objects.filter(event=event, status=B.WAITING).exists()
        open_places = min(free, event.places_released) if someone_waits else free
        fits = len(people) <= open_places
        if fits and someone_waits:
            event.places_released -= len(people)
            event.save(update_fields=["places_released"])
        elif not someone_waits and event.places_released:
            event.places_released = 0  # nobody waits any more: nothing is held
            event.save(update_fields=["places_released"])
        booking = _create_with_unique_reference(
            event=event,
            booker=actor,
            school=school,
            trust=trust,
            organisation=organisation[:255],
            status=B.CONFIRMED if fits else B.WAITING,
            created_at=now,
            confirmed_at=now if fits else None,
            waiting_since=None if fits else now,
        )
        rows = Attendee.objects.bulk_create(
            [
                Attendee(
                    booking=booking,
                    name=p.name,
                    email=p.email,
                    role=p.role,
                    dietary_needs=p.dietary_needs,
                    access_needs=p.access_needs,
                    created_at=now,
                )
                for p in people
            ]
        )
        history_note(
            booking,
            actor=actor,
            created=True,
            comment=f"Booked {len(people)} place{'s' if len(people) != 1 else ''}"
            if fits
            else f"Joined the waiting list for {len(people)} place{'s' if len(people) != 1 else ''}"
            f" ({max(free, 0)} free)",
        )
        if fits:
            notifications.booking_confirmed(booking=booking, attendees=rows, promoted=False)
        else:
            notifications.waiting_joined(
                booking=booking, attendees=rows, position=waiting_position(booking)
            )
    return booking


def _create_with_unique_reference(**fields) -> Booking:
    """A new booking with a fresh reference; a clash with an existing one (rare: 30^6
    references) draws another instead of failing the request."""
    for attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():  # a savepoint: the clash does not end the transaction
                return Booking.objects.create(reference=reference, **fields)
        except IntegrityError:
            if attempt == 4 or not Booking.objects.filter(reference=reference).exists():
                raise
    raise AssertionError("unreachable")


def event_release_held_places(*, actor: User, event: Event) -> int:
    """Let new bookers take the places held for the waiting list (none of the waiting
    groups fits them). Coordinators only; returns how many places were released."""
    with transaction.atomic():
        event = lock_event(event.pk)
        if not is_event_staff(actor, event):
            raise DomainError("Only the partnership's coordinators can release places.")
        free = event.capacity - places_taken(event)
        if free <= 0 or not Booking.objects.filter(event=event, status=B.WAITING).exists():
            raise DomainError("No places are held for the waiting list; nothing was changed.")
        event.places_released = free
        event.save(update_fields=["places_released"])
        audit_record(
            actor=actor,
            action="event.places_released",
            target=event,
            partnership_id=event.partnership_id,
            data={"places": free},
        )
    return free


def promote_waiting(*, event: Event, actor: User | None) -> list[Booking]:
    """Give free places to the waiting list, first come first served, skipping any group
    that does not fit whole (it keeps its place and is told). The caller holds the event
    lock, so this runs in the same transaction as whatever freed the places."""
    if event.status != E.PUBLISHED or event.starts_at <= timezone.now():
        return []
    free = event.capacity - places_taken(event)
    if free <= 0:
        return []
    waiting = list(
        Booking.objects.filter(event=event, status=B.WAITING)
        .annotate(size=Count("attendees", filter=Q(attendees__status=A.ACTIVE)))
        .order_by("waiting_since", "pk")
    )
    promoted: list[Booking] = []
    too_big: list[tuple[Booking, int]] = []
    for candidate in waiting:
        if free <= 0:
            break
        if 0 < candidate.size <= free:
            booking = transition(
                candidate,
                to=B.CONFIRMED,
                actor=actor,
                comment=f"Given {candidate.size} place{'s' if candidate.size != 1 else ''} "
                "from the waiting list",
            )
            booking.event = event
            free -= candidate.size
            promoted.append(booking)
            notifications.booking_confirmed(
                booking=booking, attendees=active_attendees(booking), promoted=True
            )
            # Groups ahead that did not fit keep their place, and are told why a group
            # behind them was booked first.
            for passed, free_then in too_big:
                passed.event = event
                notifications.waiting_passed_over(
                    booking=passed,
                    size=passed.size,
                    free=free_then,
                    position=waiting_position(passed),
                )
            too_big = []
        else:
            too_big.append((candidate, free))
    return promoted


def _check_change_rights(actor: User, booking: Booking, *, what: str) -> bool:
    """Refuse people without the right, and bookers after the deadline; True for staff."""
    event = booking.event
    if is_event_staff(actor, event):
        return True
    if not can_manage_booking(
        actor, booker_id=booking.booker_id, school=booking.school, trust=booking.trust
    ):
        raise DomainError("You cannot change this booking.")
    if booking.closed_to_booker:
        local = timezone.localtime(event.changes_until)
        raise DomainError(
            f"Changes to bookings closed on {format_date(local)} at {format_time(local)}. "
            f"To {what}, contact "
            f"the {event.partnership.name} coordinators."
        )
    return False


def _relock(booking: Booking) -> tuple[Event, Booking]:
    event = lock_event(booking.event_id)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("booker", "school", "trust")
        .get(pk=booking.pk)
    )
    booking.event = event
    return event, booking


def booking_cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    """Cancel a whole booking (or take a group off the waiting list); freed places go to the
    waiting list at once."""
    with transaction.atomic():
        event, booking = _relock(booking)
        if not booking.is_live:
            raise DomainError(
                f"This booking is {booking.get_status_display().lower()} already; nothing "
                "was changed."
            )
        by_staff = _check_change_rights(actor, booking, what="cancel")
        was_confirmed = booking.status == B.CONFIRMED
        attendees = active_attendees(booking)
        comment = reason.strip() or ("Cancelled by a coordinator" if by_staff else "Cancelled")
        booking = transition(
            booking,
            to=B.CANCELLED if was_confirmed else B.LEFT,
            actor=actor,
            comment=comment,
        )
        booking.event = event
        Attendee.objects.filter(pk__in=[a.pk for a in attendees]).update(
            status=A.CANCELLED, ended_at=timezone.now()
        )
        if was_confirmed:
            booking.sequence += 1
            booking.save(update_fields=["sequence"])
            notifications.booking_cancelled(
                booking=booking, attendees=attendees, by_staff=by_staff, reason=reason.strip()
            )
        audit_record(
            actor=actor,
            action="booking.cancelled_by_staff" if by_staff else "booking.cancelled",
            target=booking,
            partnership_id=event.partnership_id,
            data={
                "event": event.pk,
                "places": len(attendees),
                "was": B.CONFIRMED if was_confirmed else B.WAITING,
                "reason": reason.strip(),
            },
        )
        promote_waiting(event=event, actor=actor)
    return booking


def attendee_cancel(*, actor: User, attendee: Attendee) -> Booking:
    """Cancel one person's place. The last person's cancellation cancels the booking."""
    with transaction.atomic():
        event, booking = _relock(attendee.booking)
        attendee = Attendee.objects.select_for_update(of=("self",)).get(pk=attendee.pk)
        if not booking.is_live or attendee.status != A.ACTIVE:
            raise DomainError(f"{attendee.name} does not hold a place; nothing was changed.")
        by_staff = _check_change_rights(actor, booking, what="cancel a place")
        remaining = [a for a in active_attendees(booking) if a.pk != attendee.pk]
        if not remaining:
            return booking_cancel(actor=actor, booking=booking)
        attendee.status = A.CANCELLED
        attendee.ended_at = timezone.now()
        attendee.save(update_fields=["status", "ended_at"])
        history_note(booking, actor=actor, comment=f"Place of {attendee.name} cancelled")
        if booking.status == B.CONFIRMED:
            booking.sequence += 1
            booking.save(update_fields=["sequence"])
            notifications.place_cancelled(booking=booking, attendee=attendee, by_staff=by_staff)
        if by_staff:
            audit_record(
                actor=actor,
                action="booking.place_cancelled_by_staff",
                target=booking,
                partnership_id=event.partnership_id,
                data={"attendee": attendee.name, "email": attendee.email},
            )
        # A confirmed place came free, or a waiting group shrank and may fit now.
        promote_waiting(event=event, actor=actor)
        booking.refresh_from_db()
        booking.event = event
    return booking


def attendee_substitute(*, actor: User, attendee: Attendee, person: AttendeeData) -> Attendee:
    """Give one person's place to someone else; their calendars are told."""
    person = person.cleaned()
    if not person.name or not person.email:
        raise DomainError("Give the new person's name and email address.", field="name")
    with transaction.atomic():
        event, booking = _relock(attendee.booking)
        attendee = Attendee.objects.select_for_update(of=("self",)).get(pk=attendee.pk)
        if not booking.is_live or attendee.status != A.ACTIVE:
            raise DomainError(f"{attendee.name} does not hold a place; nothing was changed.")
        by_staff = _check_change_rights(actor, booking, what="change who comes")
        if person.email != attendee.email.lower():
            _check_people(event, [person], field="email")
        now = timezone.now()
        attendee.status = A.REPLACED
        attendee.ended_at = now
        attendee.save(update_fields=["status", "ended_at"])
        substitute = Attendee.objects.create(
            booking=booking,
            name=person.name,
            email=person.email,
            role=person.role,
            dietary_needs=person.dietary_needs,
            access_needs=person.access_needs,
            replaces=attendee,
            created_at=now,
        )
        history_note(
            booking, actor=actor, comment=f"{person.name} comes instead of {attendee.name}"
        )
        if booking.status == B.CONFIRMED:
            booking.sequence += 1
            booking.save(update_fields=["sequence"])
            if person.email != attendee.email.lower():
                notifications.place_cancelled(booking=booking, attendee=attendee, by_staff=by_staff)
            notifications.place_given(booking=booking, attendee=substitute, replaces=attendee)
        if by_staff:
            audit_record(
                actor=actor,
                action="booking.substituted_by_staff",
                target=booking,
                partnership_id=event.partnership_id,
                data={"from": attendee.name, "to": person.name},
            )
    return substitute


def waiting_list_leave(*, actor: User | None, booking: Booking) -> Booking:
    """Take a group off the waiting list. ``actor`` is None when the signed link from the
    email is used: the link itself is the proof."""
    with transaction.atomic():
        event, booking = _relock(booking)
        if booking.status != B.WAITING:
            raise DomainError("This booking is not on the waiting list; nothing was changed.")
        if actor is not None and not (
            is_event_staff(actor, event)
            or can_manage_booking(
                actor, booker_id=booking.booker_id, school=booking.school, trust=booking.trust
            )
        ):
            raise DomainError("You cannot change this booking.")
        booking = transition(
            booking,
            to=B.LEFT,
            actor=actor,
            comment="Left the waiting list" + ("" if actor else " (link in the email)"),
        )
        Attendee.objects.filter(booking=booking, status=A.ACTIVE).update(
            status=A.CANCELLED, ended_at=timezone.now()
        )
    return booking


# --- the coordinator's event page -------------------------------------------------------
