"""Read-side queries for events and bookings, scoped to what the person may see."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnership.models import Partnership, School, Trust
from partnership.permissions import access_for

from .models import Attendee, Booking, BookingChange, Event
from .permissions import booking_scopes_for, can_manage_events

B = Booking.Status
E = Event.Status
A = Attendee.Status


def _with_places(events: QuerySet[Event]) -> QuerySet[Event]:
    """Places taken and groups waiting per event, counted in the database by one
    correlated subquery each (index lookups per listed event), not by joining every
    booking to every attendee and grouping the lot."""
    taken = (
        Attendee.objects.filter(
            booking__event=OuterRef("pk"), booking__status=B.CONFIRMED, status=A.ACTIVE
        )
        .order_by()
        .values("booking__event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    waiting = (
        Booking.objects.filter(event=OuterRef("pk"), status=B.WAITING)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return events.annotate(
        places_taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
        waiting_groups=Coalesce(Subquery(waiting, output_field=IntegerField()), 0),
    ).annotate(places_left=F("capacity") - F("places_taken"))


def events_upcoming() -> QuerySet[Event]:
    """What the public list shows: published (and recently cancelled) events not yet over."""
    return _with_places(
        Event.objects.filter(status__in=[E.PUBLISHED, E.CANCELLED], ends_at__gt=timezone.now())
        .select_related("partnership")
        .order_by("starts_at", "pk")
    )


def events_past() -> QuerySet[Event]:
    return (
        Event.objects.filter(status=E.PUBLISHED, ends_at__lte=timezone.now())
        .select_related("partnership")
        .order_by("-starts_at", "-pk")
    )


def event_for_public(*, user, pk: int) -> Event:
    """A published or cancelled event; a draft only for its coordinators (a preview)."""
    event = get_object_or_404(Event.objects.select_related("partnership"), pk=pk)
    if event.status == E.DRAFT and not can_manage_events(user, event.partnership):
        raise Http404
    return event


@dataclass(frozen=True)
class Availability:
    capacity: int
    taken: int
    waiting_groups: int
    waiting_places: int
    released: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def bookable(self) -> int:
        """Places a new group may take now: while anyone waits, free places are held for
        the waiting list, except those a coordinator released."""
        return min(self.free, self.released) if self.waiting_groups else self.free

    @property
    def held(self) -> int:
        """Free places held for the waiting list (no waiting group fits them yet)."""
        return self.free - self.bookable

    @property
    def is_full(self) -> bool:
        return self.free == 0


def event_availability(*, event: Event) -> Availability:
    counts = Attendee.objects.filter(booking__event=event, status=A.ACTIVE).aggregate(
        taken=Count("pk", filter=Q(booking__status=B.CONFIRMED)),
        waiting_places=Count("pk", filter=Q(booking__status=B.WAITING)),
        waiting_groups=Count("booking", filter=Q(booking__status=B.WAITING), distinct=True),
    )
    return Availability(capacity=event.capacity, released=event.places_released, **counts)


def booking_state(*, event: Event) -> str:
    """ "open", "not_yet" (opens later), or "closed" (draft, cancelled, closed or started)."""
    now = timezone.now()
    if event.status != E.PUBLISHED or now >= event.starts_at or now >= event.closes_at:
        return "closed"
    if event.opens_at is not None and now < event.opens_at:
        return "not_yet"
    return "open"


def booking_open(*, event: Event) -> bool:
    return booking_state(event=event) == "open"


def booking_options(*, user, event: Event) -> tuple[list[School], list[Trust]]:
    members_only = event.audience == Event.Audience.MEMBERS
    return booking_scopes_for(user, partnership=event.partnership if members_only else None)


def booking_by_reference(*, reference: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related(
            "event__partnership", "booker", "school", "school__trust", "trust"
        ),
        reference=reference.upper(),
    )


def booking_attendees(*, booking: Booking) -> list[Attendee]:
    return list(booking.attendees.filter(status=A.ACTIVE).order_by("pk"))


def booking_history(*, booking: Booking) -> QuerySet[BookingChange]:
    return booking.changes.select_related("actor").order_by("at", "pk")


def waiting_position(*, booking: Booking) -> int | None:
    if booking.status != B.WAITING:
        return None
    ahead = Booking.objects.filter(event_id=booking.event_id, status=B.WAITING).filter(
        Q(waiting_since__lt=booking.waiting_since)
        | Q(waiting_since=booking.waiting_since, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def _with_size(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.annotate(size=Count("attendees", filter=Q(attendees__status=A.ACTIVE)))


def bookings_visible_to(*, user) -> QuerySet[Booking]:
    """Bookings a person made, and those of the schools and trusts they book for."""
    access = access_for(user)
    schools = list(access.school_kinds)
    trusts = list(access.trust_kinds)
    return _with_size(
        Booking.objects.filter(
            Q(booker=user)
            | Q(school_id__in=schools)
            | Q(school__trust_id__in=trusts)
            | Q(trust_id__in=trusts)
        )
        .select_related("event", "school", "trust")
        .order_by("event__starts_at", "pk")
    )


def bookings_for_trust(*, trust: Trust, upcoming_only: bool = True) -> QuerySet[Booking]:
    """Every booking of the trust and of its schools, across events."""
    bookings = Booking.objects.filter(Q(trust=trust) | Q(school__trust=trust)).filter(
        status__in=[B.CONFIRMED, B.WAITING]
    )
    if upcoming_only:
        bookings = bookings.filter(event__ends_at__gt=timezone.now())
    return _with_size(
        bookings.select_related("event__partnership", "school", "trust", "booker").order_by(
            "event__starts_at", "organisation", "pk"
        )
    )


def bookings_for_school(*, school: School) -> QuerySet[Booking]:
    return _with_size(
        Booking.objects.filter(
            school=school,
            status__in=[B.CONFIRMED, B.WAITING],
            event__ends_at__gt=timezone.now(),
        )
        .select_related("event", "booker")
        .order_by("event__starts_at", "pk")
    )


# --- the coordinator's pages --------------------------------------------------------------


def events_for_partnership(*, partnership: Partnership) -> QuerySet[Event]:
    return _with_places(Event.objects.filter(partnership=partnership)).order_by("-starts_at", "-pk")


def event_for_manager(*, partnership: Partnership, pk: int) -> Event:
    return get_object_or_404(
        Event.objects.select_related("partnership"), partnership=partnership, pk=pk
    )


def event_attendees(*, event: Event) -> list[Attendee]:
    """Everyone with a place, with their booking, in one query whatever the number."""
    return list(
        Attendee.objects.filter(booking__event=event, booking__status=B.CONFIRMED, status=A.ACTIVE)
        .select_related("booking", "booking__school", "booking__trust", "attendance_marked_by")
        .order_by("booking__organisation", "name", "pk")
    )


def event_waiting_list(*, event: Event) -> list[Booking]:
    """The waiting list in order, each group with its people (two queries in all)."""
    return list(
        Booking.objects.filter(event=event, status=B.WAITING)
        .select_related("booker")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=Attendee.objects.filter(status=A.ACTIVE).order_by("pk"),
                to_attr="active_attendees",
            )
        )
        .order_by("waiting_since", "pk")
    )


@dataclass(frozen=True)
class NeedsSummary:
    dietary: list[tuple[str, int]]  # (need as written, how many), most common first
    access: list[tuple[str, int]]
    dietary_people: list[Attendee]
    access_people: list[Attendee]


def _tally(values: list[str]) -> list[tuple[str, int]]:
    # Count "Vegetarian", "vegetarian " and "VEGETARIAN" as one need, shown as first written.
    first_written: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for value in values:
        key = " ".join(value.lower().split())
        first_written.setdefault(key, value.strip())
        counts[key] += 1
    return sorted(
        ((first_written[k], n) for k, n in counts.items()), key=lambda item: (-item[1], item[0])
    )


def needs_summary(*, attendees: list[Attendee]) -> NeedsSummary:
    dietary = [a for a in attendees if a.dietary_needs]
    access = [a for a in attendees if a.access_needs]
    return NeedsSummary(
        dietary=_tally([a.dietary_needs for a in dietary]),
        access=_tally([a.access_needs for a in access]),
        dietary_people=dietary,
        access_people=access,
    )


def register_summary(*, attendees: list[Attendee]) -> dict[str, int]:
    counts = Counter(a.attendance or "unmarked" for a in attendees)
    return {
        "attended": counts[Attendee.Attendance.ATTENDED],
        "partial": counts[Attendee.Attendance.PARTIAL],
        "absent": counts[Attendee.Attendance.ABSENT],
        "unmarked": counts["unmarked"],
    }


def event_history(*, event: Event):
    return event.changes.select_related("actor").order_by("-at", "-pk")


def register_open(*, event: Event) -> bool:
    return (
        event.status == E.PUBLISHED
        and timezone.localdate() >= timezone.localtime(event.starts_at).date()
    )
