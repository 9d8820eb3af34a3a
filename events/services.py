"""Services that change events and bookings.

Locking order, everywhere: the Event row first, then Booking rows. Every check that
depends on places (capacity, the per-school limit, who on the waiting list fits) runs
after the Event row is locked, so two requests at the same moment are served one after
the other and capacity is never exceeded. Freed places go to the waiting list in the same
transaction that freed them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from partnership.models import Partnership, School, Trust
from partnership.permissions import (
    can_book_event,
    can_book_for,
    can_manage_booking,
    can_manage_events,
)
from wellschools.audit import audit_record
from wellschools.errors import DomainError
from wellschools.models import User

from . import notifications
from .models import Attendee, Booking, BookingChange, Event, EventChange

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


# --- events -----------------------------------------------------------------------------


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
        EventChange.objects.create(event=event, to_status=E.DRAFT, actor=actor, comment="Created")
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
        event = _lock_event(event.pk)
        if event.status == E.CANCELLED:
            raise DomainError("This event is cancelled: it cannot be changed.")
        new = {field: getattr(event, field) for field in EVENT_FIELDS}
        new.update({field: values[field] for field in EVENT_FIELDS if field in values})
        for text in ("title", "description", "venue_name", "venue_address", "online_url"):
            new[text] = (new[text] or "").strip()
        _validate_event(new, places_taken=_places_taken(event))
        changed = [field for field in EVENT_FIELDS if new[field] != getattr(event, field)]
        if not changed:
            return event
        previous_capacity = event.capacity
        for field in changed:
            setattr(event, field, new[field])
        event.save(update_fields=changed)
        calendar_changes = [FIELD_LABELS[f] for f in changed if f in CALENDAR_FIELDS]
        EventChange.objects.create(
            event=event,
            from_status=event.status,
            to_status=event.status,
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
            _promote_waiting(event=event, actor=actor)
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
    with transaction.atomic():
        event = _event_transition(event_id=event.pk, to=E.PUBLISHED, actor=actor)
        audit_record(
            actor=actor,
            action="event.published",
            target=event,
            partnership_id=event.partnership_id,
        )
    return event


def event_cancel(*, actor: User, event: Event, reason: str) -> Event:
    """Cancel the event: every booking is cancelled and every calendar told (METHOD:CANCEL)."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators cancel events.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why, for the people who booked.", field="reason")
    with transaction.atomic():
        event = _event_transition(event_id=event.pk, to=E.CANCELLED, actor=actor, comment=reason)
        bookings = _live_bookings_with_attendees(event)
        Booking.objects.filter(event=event, status=B.CONFIRMED).update(sequence=F("sequence") + 1)
        for booking in bookings:
            was_waiting = booking.status == B.WAITING
            changed = _booking_transition(
                booking_id=booking.pk, to=B.CANCELLED, actor=actor, comment="Event cancelled"
            )
            notifications.event_cancelled(
                booking=changed,
                attendees=booking.active_attendees,
                reason=reason,
                waiting=was_waiting,
            )
        audit_record(
            actor=actor,
            action="event.cancelled",
            target=event,
            partnership_id=event.partnership_id,
            data={"reason": reason, "bookings": len(bookings)},
        )
    return event


# --- bookings ---------------------------------------------------------------------------


def _booking_window_error(event: Event, now: datetime) -> str | None:
    if event.status != E.PUBLISHED:
        return "This event is not open for booking."
    if now >= event.starts_at:
        return "This event has started: booking is closed."
    if event.opens_at and now < event.opens_at:
        local = timezone.localtime(event.opens_at)
        return f"Booking opens on {local:%d/%m/%Y at %H:%M}."
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

    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(event.pk)
        # Everything below depends on what others booked: checked only now, under the lock.
        problem = _booking_window_error(event, now)
        if problem:
            raise DomainError(problem)
        _check_people(event, people, field="attendees")
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
        free = event.capacity - _places_taken(event)
        fits = len(people) <= free
        booking = Booking.objects.create(
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
        BookingChange.objects.create(
            booking=booking,
            from_status="",
            to_status=booking.status,
            actor=actor,
            comment=f"Booked {len(people)} place{'s' if len(people) != 1 else ''}"
            if fits
            else f"Joined the waiting list for {len(people)} place{'s' if len(people) != 1 else ''}"
            f" ({max(free, 0)} free)",
        )
        if fits:
            notifications.booking_confirmed(booking=booking, attendees=rows, promoted=False)
        else:
            notifications.waiting_joined(
                booking=booking, attendees=rows, position=_waiting_position(booking)
            )
    return booking


def _promote_waiting(*, event: Event, actor: User | None) -> list[Booking]:
    """Give free places to the waiting list, first come first served, skipping any group
    that does not fit whole (it keeps its place and is told). The caller holds the event
    lock, so this runs in the same transaction as whatever freed the places."""
    if event.status != E.PUBLISHED or event.starts_at <= timezone.now():
        return []
    free = event.capacity - _places_taken(event)
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
            booking = _booking_transition(
                booking_id=candidate.pk,
                to=B.CONFIRMED,
                actor=actor,
                comment=f"Given {candidate.size} place{'s' if candidate.size != 1 else ''} "
                "from the waiting list",
            )
            booking.event = event
            free -= candidate.size
            promoted.append(booking)
            notifications.booking_confirmed(
                booking=booking, attendees=_active_attendees(booking), promoted=True
            )
            # Groups ahead that did not fit keep their place, and are told why a group
            # behind them was booked first.
            for passed, free_then in too_big:
                passed.event = event
                notifications.waiting_passed_over(
                    booking=passed,
                    size=passed.size,
                    free=free_then,
                    position=_waiting_position(passed),
                )
            too_big = []
        else:
            too_big.append((candidate, free))
    return promoted


def _check_change_rights(actor: User, booking: Booking, *, what: str) -> bool:
    """Refuse people without the right, and bookers after the deadline; True for staff."""
    event = booking.event
    if _is_staff(actor, event):
        return True
    if not can_manage_booking(
        actor, booker_id=booking.booker_id, school=booking.school, trust=booking.trust
    ):
        raise DomainError("You cannot change this booking.")
    if booking.status == B.CONFIRMED and timezone.now() >= event.changes_until:
        local = timezone.localtime(event.changes_until)
        raise DomainError(
            f"Changes to bookings closed on {local:%d/%m/%Y at %H:%M}. To {what}, contact "
            f"the {event.partnership.name} coordinators."
        )
    return False


def _relock(booking: Booking) -> tuple[Event, Booking]:
    event = _lock_event(booking.event_id)
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
        attendees = _active_attendees(booking)
        comment = reason.strip() or ("Cancelled by a coordinator" if by_staff else "Cancelled")
        booking = _booking_transition(
            booking_id=booking.pk,
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
        _promote_waiting(event=event, actor=actor)
    return booking


def attendee_cancel(*, actor: User, attendee: Attendee) -> Booking:
    """Cancel one person's place. The last person's cancellation cancels the booking."""
    with transaction.atomic():
        event, booking = _relock(attendee.booking)
        attendee = Attendee.objects.select_for_update(of=("self",)).get(pk=attendee.pk)
        if not booking.is_live or attendee.status != A.ACTIVE:
            raise DomainError(f"{attendee.name} does not hold a place; nothing was changed.")
        by_staff = _check_change_rights(actor, booking, what="cancel a place")
        remaining = [a for a in _active_attendees(booking) if a.pk != attendee.pk]
        if not remaining:
            return booking_cancel(actor=actor, booking=booking)
        attendee.status = A.CANCELLED
        attendee.ended_at = timezone.now()
        attendee.save(update_fields=["status", "ended_at"])
        _note(booking, actor=actor, comment=f"Place of {attendee.name} cancelled")
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
        _promote_waiting(event=event, actor=actor)
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
        _note(booking, actor=actor, comment=f"{person.name} comes instead of {attendee.name}")
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
            _is_staff(actor, event)
            or can_manage_booking(
                actor, booker_id=booking.booker_id, school=booking.school, trust=booking.trust
            )
        ):
            raise DomainError("You cannot change this booking.")
        booking = _booking_transition(
            booking_id=booking.pk,
            to=B.LEFT,
            actor=actor,
            comment="Left the waiting list" + ("" if actor else " (link in the email)"),
        )
        Attendee.objects.filter(booking=booking, status=A.ACTIVE).update(
            status=A.CANCELLED, ended_at=timezone.now()
        )
    return booking


# --- the coordinator's event page -------------------------------------------------------


def attendance_record(*, actor: User, event: Event, marks: dict[int, str]) -> int:
    """Mark the register: attended, attended part, did not attend (or blank). Returns how
    many marks changed; each keeps the time it was marked and who marked it."""
    if not can_manage_events(actor, event.partnership):
        raise DomainError("Only the partnership's coordinators keep the register.")
    if timezone.localdate() < timezone.localtime(event.starts_at).date():
        local = timezone.localtime(event.starts_at)
        raise DomainError(f"The register opens on the day of the event ({local:%d/%m/%Y}).")
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
