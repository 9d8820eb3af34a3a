"""The waiting list cannot be jumped (issue 14), and the booking service's smaller faults
(issue 11, point 6): positions told are the real ones, a clashing reference is drawn
again, and "still on the waiting list" is not sent again and again."""

import threading
import time

import pytest
from concurrency import run_together
from django.core import mail
from django.urls import reverse
from events_helpers import (
    book,
    make_event,
    member_school_with_leader,
    people,
    places_taken,
    waiting_sizes,
)

from events import services
from events.models import Booking
from events.services import bookings as booking_services
from wellschools.models import AuditEvent, EmailMessage

B = Booking.Status


# --- freed places are held for the waiting list ---------------------------------------------


@pytest.mark.django_db
def test_a_place_no_waiting_group_fits_waits_until_one_does(
    partnership, school, leader, other_school, other_leader
):
    event = make_event(partnership, capacity=4)
    holder = book(other_leader, event, 3, school=other_school)
    pair = book(leader, event, 2, school=school)
    assert pair.status == B.WAITING  # one place free, the pair does not fit

    newcomer = book(other_leader, event, 1, school=other_school, prefix="late")
    assert newcomer.status == B.WAITING  # the free place is held: no jumping the queue
    assert places_taken(event) == 3

    # Another place comes free: the pair, first in line, fits now and gets both.
    services.attendee_cancel(actor=other_leader, attendee=holder.attendees.first())
    pair.refresh_from_db()
    newcomer.refresh_from_db()
    assert (pair.status, newcomer.status) == (B.CONFIRMED, B.WAITING)
    assert places_taken(event) == 4


@pytest.mark.django_db
def test_a_coordinator_releases_held_places_to_new_bookings(
    as_user, partnership, school, leader, other_school, other_leader, coordinator, outsider
):
    event = make_event(partnership, capacity=3)
    book(other_leader, event, 2, school=other_school)
    book(leader, event, 3, school=school, prefix="trio")  # waits: it can never fit 1 place
    page = as_user(coordinator).get(event.get_manage_url()).content.decode()
    assert "1 place is held for the waiting list" in page
    url = reverse("events_manage:release_places", args=[partnership.slug, event.pk])
    assert f'action="{url}"' in page

    # The trio: a member without the right 403, an outsider 404, the coordinator releases.
    assert as_user(leader).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    event.refresh_from_db()
    assert event.places_released == 0
    response = as_user(coordinator).post(url)
    assert response.status_code == 302 and response.url == event.get_manage_url()
    event.refresh_from_db()
    assert event.places_released == 1
    assert AuditEvent.objects.filter(action="event.places_released", actor=coordinator).exists()

    newcomer = book(other_leader, event, 1, school=other_school, prefix="late")
    assert newcomer.status == B.CONFIRMED
    event.refresh_from_db()
    assert event.places_released == 0 and places_taken(event) == 3
    # Nothing more is held; asking again changes nothing and says so.
    response = as_user(coordinator).post(url, follow=True)
    assert "No places are held" in response.content.decode()


@pytest.mark.django_db
def test_the_event_page_says_freed_places_go_to_the_waiting_list(
    client, as_user, partnership, school, leader, other_school, other_leader
):
    event = make_event(partnership, capacity=3)
    book(other_leader, event, 2, school=other_school)
    book(leader, event, 2, school=school)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "1</strong> place is held for the waiting list" in page
    assert "while anyone is waiting, new bookings join the waiting list too" in page
    assert "place left" not in page
    form = as_user(other_leader).get(reverse("events:book", args=[event.pk])).content.decode()
    assert "held for the groups already on the waiting list" in form
    assert "Join the waiting list" in form


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_newcomer_racing_a_cancellation_never_takes_a_waiting_groups_place(partnership):
    """One place is held for a waiting pair; a second comes free while a newcomer books, at
    the same moment, round after round. Whichever is served first, the pair gets both
    places and the newcomer waits (it used to take the held place first)."""
    school, leader = member_school_with_leader(partnership, 1)
    other, other_leader = member_school_with_leader(partnership, 2)
    third, third_leader = member_school_with_leader(partnership, 3)
    for round_ in range(4):
        event = make_event(partnership, capacity=3)
        holder = services.booking_create(
            actor=other_leader, event=event, attendees=people(2, f"h{round_}x"), school=other
        )
        pair = services.booking_create(
            actor=leader, event=event, attendees=people(2, f"p{round_}x"), school=school
        )
        assert pair.status == B.WAITING
        outcomes = run_together(
            lambda h=holder: services.attendee_cancel(
                actor=other_leader, attendee=h.attendees.first()
            ),
            lambda e=event, r=round_: services.booking_create(
                actor=third_leader, event=e, attendees=people(1, f"n{r}x"), school=third
            ),
        )
        assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
        newcomer = outcomes[1][1]
        newcomer.refresh_from_db()
        pair.refresh_from_db()
        assert (pair.status, newcomer.status) == (B.CONFIRMED, B.WAITING)
        assert places_taken(event) == 3 and waiting_sizes(event) == [1]


# --- issue 11, point 6 ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_positions_told_are_the_waiting_lists_real_order(partnership, monkeypatch):
    """The first booker is slow to reach the lock (a pause, a slow request): the second is
    served first, and must be ahead on the list and told position 1; the first, position 2.
    (The moment used to be taken before the lock: both were told "number 1".)"""
    schools = [member_school_with_leader(partnership, n) for n in (1, 2, 3)]
    event = make_event(partnership, capacity=2)
    services.booking_create(
        actor=schools[0][1], event=event, attendees=people(2, "full"), school=schools[0][0]
    )
    slow = threading.Event()
    real_lock = booking_services.lock_event

    def lock_event(event_id):
        if threading.current_thread().name == "slow":
            slow.set()
            time.sleep(0.5)
        return real_lock(event_id)

    monkeypatch.setattr(booking_services, "lock_event", lock_event)
    results = {}

    def join(name, school, leader):
        try:
            results[name] = services.booking_create(
                actor=leader, event=event, attendees=people(1, name), school=school
            )
        finally:
            from django.db import connection

            connection.close()

    first = threading.Thread(target=join, args=("slow", *schools[1]), name="slow")
    first.start()
    slow.wait(timeout=10)
    second = threading.Thread(target=join, args=("quick", *schools[2]), name="quick")
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    assert waiting_sizes(event) == [1, 1]
    order = list(
        Booking.objects.filter(event=event, status=B.WAITING)
        .order_by("waiting_since", "pk")
        .values_list("reference", flat=True)
    )
    assert order == [results["quick"].reference, results["slow"].reference]
    told = {
        m.object_id: m.body_text for m in EmailMessage.objects.filter(kind="event_waiting_joined")
    }
    sent = {r: [m.body for m in mail.outbox if results[r].reference in m.body] for r in results}
    assert len(told) == 2 and all(len(bodies) == 1 for bodies in sent.values()), sent
    assert "number 1 on the waiting list" in sent["quick"][0]
    assert "number 2 on the waiting list" in sent["slow"][0]


@pytest.mark.django_db
def test_a_clashing_booking_reference_is_drawn_again(partnership, school, leader, monkeypatch):
    event = make_event(partnership, capacity=10)
    taken = book(leader, event, 1, school=school, prefix="first")
    draws = iter([taken.reference, taken.reference, "WS-ABCDEF"])
    monkeypatch.setattr(booking_services, "new_reference", lambda: next(draws))
    booking = book(leader, event, 1, school=school, prefix="second")
    assert booking.reference == "WS-ABCDEF"
    assert booking.status == B.CONFIRMED and places_taken(event) == 2


@pytest.mark.django_db
def test_still_on_the_waiting_list_is_sent_at_most_once_an_hour(
    partnership, school, leader, other_school, other_leader, on_commit
):
    """Places come free one at a time and smaller groups behind are booked each time: the
    big group ahead is told once, not once per cancellation."""
    event = make_event(partnership, capacity=4)
    holders = [
        book(other_leader, event, 1, school=other_school, prefix=f"hold{n}") for n in range(4)
    ]
    big = book(leader, event, 3, school=school, prefix="big")
    smalls = [book(other_leader, event, 1, school=other_school, prefix=f"s{n}") for n in range(3)]
    assert [b.status for b in [big, *smalls]] == [B.WAITING] * 4
    mail.outbox.clear()
    with on_commit():
        for holder in holders[:3]:
            services.booking_cancel(actor=other_leader, booking=holder)
    for small in smalls:
        small.refresh_from_db()
        assert small.status == B.CONFIRMED  # each fitted a single freed place
    told = [m for m in mail.outbox if "Still on the waiting list" in m.subject]
    assert [m.to for m in told] == [["leader@example.org"]]
    big.refresh_from_db()
    assert big.status == B.WAITING


# --- issue 13: nothing is rendered while the event row is locked -----------------------------


@pytest.mark.django_db(transaction=True)
def test_booking_emails_and_calendars_are_rendered_after_the_lock_is_released(
    partnership, school, leader, other_school, other_leader, monkeypatch
):
    """The event's lock is held for a few inserts; the emails and .ics files (the slow
    part) are rendered by the sending task, after commit — and still arrive in full."""
    from django.db import connection

    from events import notifications
    from wellschools import email as outbox

    rendering = []
    real_calendar, real_render = notifications.booking_calendar, outbox.email_render

    def calendar(**kwargs):
        rendering.append(("ics", connection.in_atomic_block))
        return real_calendar(**kwargs)

    def render(**kwargs):
        rendering.append(("email", connection.in_atomic_block))
        return real_render(**kwargs)

    monkeypatch.setattr(notifications, "booking_calendar", calendar)
    monkeypatch.setattr(outbox, "email_render", render)
    event = make_event(partnership, capacity=2)
    booking = book(leader, event, 2, school=school, prefix="pair")
    waiting = book(other_leader, event, 1, school=other_school, prefix="late")
    services.booking_cancel(actor=leader, booking=booking)  # the late one is promoted

    assert rendering and all(in_transaction is False for _, in_transaction in rendering)
    assert {kind for kind, _ in rendering} == {"ics", "email"}
    waiting.refresh_from_db()
    assert waiting.status == B.CONFIRMED
    subjects = sorted(m.subject for m in mail.outbox)
    assert sum("cancelled" in s.lower() for s in subjects) == 3  # two people and the booker
    promoted = [m for m in mail.outbox if "You have places" in m.subject]
    assert promoted and all(waiting.reference in m.subject for m in promoted)
    assert all(m.attachments[0][0].endswith(".ics") for m in promoted)
    assert "METHOD:REQUEST" in promoted[0].attachments[0][1]
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert all(m.subject for m in EmailMessage.objects.all())  # the record keeps what was rendered
