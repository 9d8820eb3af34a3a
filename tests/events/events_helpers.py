"""Helpers for the events tests: events, groups of people, quick bookings.

Imported as ``from events_helpers import ...`` (pytest puts this folder on sys.path, as it
does for every test folder without an __init__.py)."""

from datetime import timedelta

from django.utils import timezone
from factories import EventFactory, MembershipFactory, SchoolFactory, UserFactory, grant

from events import services
from events.models import Attendee, Booking, Event
from events.services import AttendeeData
from partnership.models import Role

K = Role.Kind
B = Booking.Status


def make_event(
    partnership,
    *,
    capacity: int = 20,
    starts_in: timedelta = timedelta(days=30),
    status: str = Event.Status.PUBLISHED,
    **fields,
) -> Event:
    starts = timezone.now() + starts_in
    values = {"starts_at": starts, "ends_at": starts + timedelta(hours=3), **fields}
    return EventFactory(partnership=partnership, capacity=capacity, status=status, **values)


def people(count: int, prefix: str = "person", **extra) -> list[AttendeeData]:
    return [
        AttendeeData(
            name=f"{prefix.title()} {i}", email=f"{prefix}{i}@example.org", role="Teacher", **extra
        )
        for i in range(1, count + 1)
    ]


def book(actor, event, count: int = 1, *, school=None, trust=None, prefix=None, **kwargs):
    return services.booking_create(
        actor=actor,
        event=event,
        attendees=people(count, prefix or f"b{Booking.objects.count()}x"),
        school=school,
        trust=trust,
        **kwargs,
    )


def member_school_with_leader(partnership, n: int, *, hash_password: bool = False):
    """A member school and its leader, cheaply (no password unless asked)."""
    school = SchoolFactory(name=f"Racing Primary School {n}")
    MembershipFactory(partnership=partnership, school=school)
    if hash_password:
        user = UserFactory(email=f"racer{n}@example.org")
    else:
        from wellschools.models import User

        user = User.objects.create(email=f"racer{n}@example.org", full_name=f"Racer {n}")
    grant(user, K.SCHOOL_LEADER, school=school)
    return school, user


def fill(event, places: int, *, booker, school) -> list[Booking]:
    """Confirmed one-person bookings straight into the database (for sizes of hundreds)."""
    now = timezone.now()
    start = Booking.objects.count()
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                event=event,
                reference=f"FILL-{start + i:05d}",
                booker=booker,
                school=school,
                organisation=school.name,
                status=B.CONFIRMED,
                confirmed_at=now,
            )
            for i in range(places)
        ]
    )
    Attendee.objects.bulk_create(
        [
            Attendee(
                booking=b,
                name=f"Filler {i}",
                email=f"filler{start + i}@example.org",
                role="Teaching assistant",
                dietary_needs="Vegetarian" if i % 3 == 0 else "",
                access_needs="Step-free access" if i % 7 == 0 else "",
            )
            for i, b in enumerate(bookings)
        ]
    )
    return bookings


def places_taken(event) -> int:
    return Attendee.objects.filter(
        booking__event=event, booking__status=B.CONFIRMED, status=Attendee.Status.ACTIVE
    ).count()


def waiting_sizes(event) -> list[int]:
    return [
        b.attendees.filter(status=Attendee.Status.ACTIVE).count()
        for b in Booking.objects.filter(event=event, status=B.WAITING).order_by(
            "waiting_since", "pk"
        )
    ]
