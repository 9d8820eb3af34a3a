"""Races, for real: threads with their own PostgreSQL connections, released together.

Capacity is checked after the event row is locked, so simultaneous bookings are served one
after the other; freed places go to the waiting list in the transaction that freed them.
"""

import random

import pytest
from concurrency import run_together
from events_helpers import (
    fill,
    make_event,
    member_school_with_leader,
    people,
    places_taken,
    waiting_sizes,
)

from events import services
from events.models import Attendee, Booking

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
B = Booking.Status


def _race(jobs) -> list[BaseException]:
    """Run every job in its own thread, all released at the same moment; the errors."""
    return [value for kind, value in run_together(*jobs, timeout=120) if kind == "error"]


def _assert_no_group_that_fits_is_waiting(event, among=None):
    """``among``: only these bookings must not be waiting while they fit (a group that
    joined the list after the last place came free may wait: free places are held for
    the groups ahead of it)."""
    event.refresh_from_db()
    taken = places_taken(event)
    assert taken <= event.capacity
    free = event.capacity - taken
    waiting = Booking.objects.filter(event=event, status=B.WAITING)
    if among is not None:
        waiting = waiting.filter(pk__in=[b.pk for b in among])
    sizes = [
        b.attendees.filter(status=Attendee.Status.ACTIVE).count() for b in waiting.order_by("pk")
    ]
    assert all(size > free for size in sizes), (free, sizes)


def test_fifty_people_race_for_the_last_ten_places(partnership, school, leader):
    event = make_event(partnership, capacity=30)
    fill(event, 20, booker=leader, school=school)
    racers = [member_school_with_leader(partnership, n) for n in range(50)]

    def attempt(n, racer_school, racer):
        def job():
            services.booking_create(
                actor=racer, event=event, attendees=people(1, f"racer{n}x"), school=racer_school
            )

        return job

    errors = _race([attempt(n, s, u) for n, (s, u) in enumerate(racers)])

    assert errors == []
    new = Booking.objects.filter(event=event).exclude(reference__startswith="FILL-")
    assert new.count() == 50
    assert new.filter(status=B.CONFIRMED).count() == 10
    assert new.filter(status=B.WAITING).count() == 40
    assert places_taken(event) == 30
    # Everyone waiting has a distinct place in the queue.
    assert len(set(new.filter(status=B.WAITING).values_list("waiting_since", "pk"))) == 40


def test_simultaneous_cancellations_and_bookings_never_strand_a_place(partnership, school, leader):
    randomiser = random.Random(20261123)
    event = make_event(partnership, capacity=12)
    holders = []
    for n in range(6):  # six confirmed pairs
        racer_school, racer = member_school_with_leader(partnership, 100 + n)
        holders.append(
            (
                racer,
                services.booking_create(
                    actor=racer, event=event, attendees=people(2, f"hold{n}x"), school=racer_school
                ),
            )
        )
    waiting_before = []
    for n, size in enumerate([3, 1, 2, 3, 1, 2]):  # the waiting list, mixed sizes
        racer_school, racer = member_school_with_leader(partnership, 200 + n)
        booking = services.booking_create(
            actor=racer, event=event, attendees=people(size, f"wait{n}x"), school=racer_school
        )
        assert booking.status == B.WAITING
        waiting_before.append(booking)

    jobs = []
    for n, (racer, booking) in enumerate(holders):
        if n % 2:
            jobs.append(lambda r=racer, b=booking: services.booking_cancel(actor=r, booking=b))
        else:
            attendee = booking.attendees.order_by("pk").first()
            jobs.append(lambda r=racer, a=attendee: services.attendee_cancel(actor=r, attendee=a))
    for n in range(14):
        racer_school, racer = member_school_with_leader(partnership, 300 + n)
        size = randomiser.choice([1, 2, 3])
        jobs.append(
            lambda r=racer, s=racer_school, k=size, n=n: services.booking_create(
                actor=r, event=event, attendees=people(k, f"new{n}x"), school=s
            )
        )
    randomiser.shuffle(jobs)

    errors = _race(jobs)

    assert errors == []
    # Places only come free in the cancellations, and each hands them down the list at
    # once: a group that was waiting before the race never waits while it fits.
    _assert_no_group_that_fits_is_waiting(event, among=waiting_before)
    # Every attendee is in exactly one state; nobody was lost or double counted.
    live = Attendee.objects.filter(
        booking__event=event,
        status=Attendee.Status.ACTIVE,
        booking__status__in=[B.CONFIRMED, B.WAITING],
    ).count()
    assert live == places_taken(event) + sum(waiting_sizes(event))
