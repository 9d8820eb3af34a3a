"""Booking: whole groups or the waiting list, never over capacity, automatic promotion,
changes until the deadline, leaving the waiting list from the email or the page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from events_helpers import (
    book,
    fill,
    make_event,
    people,
    places_taken,
    waiting_sizes,
)

from events import services
from events.models import Attendee, Booking, BookingChange, Event
from events.services import AttendeeData
from wellschools.errors import DomainError
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db
B = Booking.Status


# --- the service ---------------------------------------------------------------------------


def test_a_group_that_fits_is_confirmed_and_emailed_with_a_calendar(
    partnership, school, leader, on_commit
):
    event = make_event(partnership, capacity=5)
    with on_commit():
        booking = book(leader, event, 2, school=school, prefix="cherwell")
    assert booking.status == B.CONFIRMED
    assert booking.organisation == school.name
    assert re.fullmatch(r"WS-[A-Z2-9]{6}", booking.reference)
    assert places_taken(event) == 2
    assert list(booking.changes.values_list("from_status", "to_status")) == [("", B.CONFIRMED)]
    # The two attendees and the booker, each with their own calendar file.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cherwell1@example.org",
        "cherwell2@example.org",
        "leader@example.org",
    ]
    message = mail.outbox[0]
    assert booking.reference in message.subject
    assert message.attachments[0][0] == f"{booking.reference.lower()}.ics"
    assert "METHOD:REQUEST" in message.attachments[0][1]


def test_a_group_that_does_not_fit_waits_whole_and_is_told_its_position(
    partnership, school, leader, other_school, other_leader, on_commit
):
    event = make_event(partnership, capacity=3)
    book(other_leader, event, 2, school=other_school)
    mail.outbox.clear()
    with on_commit():
        booking = book(leader, event, 2, school=school)
    assert booking.status == B.WAITING
    assert places_taken(event) == 2  # one place stays free: a group is never split
    assert [m.to for m in mail.outbox] == [["leader@example.org"]]
    assert "number 1 on the waiting list" in mail.outbox[0].body
    assert "/events/waiting-list/leave/" in mail.outbox[0].body


def test_a_free_place_is_held_for_the_waiting_list_not_given_to_a_new_booker(
    partnership, school, leader, other_school, other_leader, on_commit
):
    event = make_event(partnership, capacity=3)
    first = book(other_leader, event, 2, school=other_school)
    big = book(leader, event, 2, school=school)
    assert big.status == B.WAITING
    # One place is free, but a pair is waiting: a newcomer joins the list behind it
    # (issue 14: the waiting list could be jumped).
    small = book(other_leader, event, 1, school=other_school)
    assert small.status == B.WAITING
    assert places_taken(event) == 2
    assert waiting_sizes(event) == [2, 1]

    # One of the first group cancels: the pair, first in line, now fits and is booked in
    # the same transaction; the newcomer keeps waiting.
    mail.outbox.clear()
    with on_commit():
        services.attendee_cancel(actor=other_leader, attendee=first.attendees.first())
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == B.CONFIRMED and small.status == B.WAITING
    assert places_taken(event) == 3
    assert big.changes.filter(from_status=B.WAITING, to_status=B.CONFIRMED).exists()
    promoted = [m for m in mail.outbox if big.reference in m.subject]
    assert promoted and "You have places" in promoted[0].subject


def test_a_group_passed_over_by_a_smaller_one_is_told(
    partnership, school, leader, other_school, other_leader, on_commit
):
    event = make_event(partnership, capacity=2)
    holder = book(other_leader, event, 2, school=other_school)
    big = book(leader, event, 2, school=school, prefix="big")
    small = book(other_leader, event, 1, school=other_school, prefix="small")
    assert [big.status, small.status] == [B.WAITING, B.WAITING]
    mail.outbox.clear()
    with on_commit():
        services.attendee_cancel(actor=other_leader, attendee=holder.attendees.first())
    small.refresh_from_db()
    big.refresh_from_db()
    assert small.status == B.CONFIRMED
    assert big.status == B.WAITING
    told = [m for m in mail.outbox if "Still on the waiting list" in m.subject]
    assert [m.to for m in told] == [["leader@example.org"]]
    assert "number 1 on the waiting list" in told[0].body


def test_shrinking_a_waiting_group_books_it_when_it_then_fits(
    partnership, school, leader, other_school, other_leader
):
    event = make_event(partnership, capacity=3)
    book(other_leader, event, 2, school=other_school)
    waiting = book(leader, event, 2, school=school)
    services.attendee_cancel(actor=leader, attendee=waiting.attendees.last())
    waiting.refresh_from_db()
    assert waiting.status == B.CONFIRMED
    assert places_taken(event) == 3


def test_capacity_is_never_exceeded_and_a_full_event_offers_the_waiting_list(
    partnership, school, leader
):
    event = make_event(partnership, capacity=10)
    fill(event, 9, booker=leader, school=school)
    assert book(leader, event, 1, school=school).status == B.CONFIRMED
    assert book(leader, event, 1, school=school).status == B.WAITING
    assert places_taken(event) == 10


def test_the_most_places_one_school_may_take_counts_waiting_places_too(
    partnership, school, leader, colleague
):
    event = make_event(partnership, capacity=2, max_places_per_school=3)
    book(leader, event, 2, school=school)
    book(colleague, event, 1, school=school)  # waits
    with pytest.raises(DomainError, match="at most 3 places") as refused:
        book(leader, event, 1, school=school)
    assert refused.value.field == "attendees"


def test_one_person_cannot_hold_two_places(partnership, school, leader, other_school, other_leader):
    event = make_event(partnership)
    services.booking_create(actor=leader, event=event, attendees=people(1, "sam"), school=school)
    with pytest.raises(DomainError, match="sam1@example.org has a place"):
        services.booking_create(
            actor=other_leader, event=event, attendees=people(1, "SAM"), school=other_school
        )
    with pytest.raises(DomainError, match="more than once"):
        services.booking_create(
            actor=leader,
            event=event,
            attendees=[AttendeeData("A", "a@example.org"), AttendeeData("B", "A@example.org")],
            school=school,
        )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": Event.Status.DRAFT}, "not open for booking"),
        ({"status": Event.Status.CANCELLED}, "not open for booking"),
        ({"booking_opens_at": timezone.now() + timedelta(days=1)}, "Booking opens on"),
        ({"booking_closes_at": timezone.now() - timedelta(minutes=1)}, "has closed"),
    ],
)
def test_booking_only_while_the_window_is_open(partnership, school, leader, fields, message):
    event = make_event(partnership, **fields)
    with pytest.raises(DomainError, match=message):
        book(leader, event, 1, school=school)
    assert not Booking.objects.exists()


def test_members_only_events_refuse_schools_outside_the_partnership(partnership, school, outsider):
    event = make_event(partnership)
    with pytest.raises(DomainError, match="member schools and trusts"):
        book(outsider, event, 1, school=outsider.roles.get().school)


def test_open_events_take_anyone_signed_in_for_their_organisation(partnership, outsider, db):
    from factories import UserFactory

    event = make_event(partnership, audience=Event.Audience.ANYONE)
    nobody = UserFactory(email="visitor@example.org")
    booking = book(nobody, event, 1, organisation="Oxford Brookes University")
    assert booking.status == B.CONFIRMED and booking.organisation == "Oxford Brookes University"
    assert book(outsider, event, 1, school=outsider.roles.get().school).status == B.CONFIRMED


def test_trust_staff_book_for_the_trust_and_for_its_schools(
    partnership, trust, school, trust_staff, other_school
):
    event = make_event(partnership)
    assert book(trust_staff, event, 1, trust=trust).organisation == trust.name
    assert book(trust_staff, event, 1, school=school).school == school
    with pytest.raises(DomainError, match="cannot book for"):
        book(trust_staff, event, 1, school=other_school)


# --- changes by bookers and by coordinators ---------------------------------------------


def test_the_booker_cancels_one_attendee_and_their_calendar_is_told(
    partnership, school, leader, on_commit
):
    event = make_event(partnership)
    booking = book(leader, event, 2, school=school, prefix="pair")
    mail.outbox.clear()
    leaving = booking.attendees.get(email="pair2@example.org")
    with on_commit():
        services.attendee_cancel(actor=leader, attendee=leaving)
    leaving.refresh_from_db()
    assert leaving.status == Attendee.Status.CANCELLED
    booking.refresh_from_db()
    assert booking.status == B.CONFIRMED and booking.sequence == 1
    assert [m.to for m in mail.outbox] == [["pair2@example.org"]]
    assert "METHOD:CANCEL" in mail.outbox[0].attachments[0][1]
    assert BookingChange.objects.filter(booking=booking, comment__contains="Pair 2").exists()


def test_cancelling_the_last_attendee_cancels_the_booking(partnership, school, leader):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    services.attendee_cancel(actor=leader, attendee=booking.attendees.get())
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED


def test_substitution_gives_the_place_to_someone_else(partnership, school, leader, on_commit):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school, prefix="first")
    old = booking.attendees.get()
    mail.outbox.clear()
    with on_commit():
        new = services.attendee_substitute(
            actor=leader,
            attendee=old,
            person=AttendeeData("Nia Newperson", "nia@example.org", "PE lead", "Vegan"),
        )
    old.refresh_from_db()
    assert old.status == Attendee.Status.REPLACED and new.replaces == old
    assert places_taken(event) == 1
    methods = {m.to[0]: m.attachments[0][1] for m in mail.outbox}
    assert "METHOD:CANCEL" in methods["first1@example.org"]
    assert "METHOD:REQUEST" in methods["nia@example.org"]


def test_after_the_deadline_only_a_coordinator_changes_a_booking(
    partnership, school, leader, coordinator
):
    event = make_event(partnership, cancellation_deadline=timezone.now() + timedelta(days=1))
    booking = book(leader, event, 2, school=school)
    Event.objects.filter(pk=event.pk).update(
        cancellation_deadline=timezone.now() - timedelta(minutes=1)
    )
    booking.refresh_from_db()
    with pytest.raises(DomainError, match="contact the Oxfordshire"):
        services.booking_cancel(actor=leader, booking=booking)
    with pytest.raises(DomainError, match="Changes to bookings closed"):
        services.attendee_substitute(
            actor=leader,
            attendee=booking.attendees.first(),
            person=AttendeeData("Late Person", "late@example.org"),
        )
    services.booking_cancel(actor=coordinator, booking=booking, reason="Illness")
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    audit = AuditEvent.objects.get(action="booking.cancelled_by_staff")
    assert audit.actor == coordinator and audit.data["reason"] == "Illness"


def test_people_without_the_right_cannot_change_a_booking(
    partnership, school, leader, other_leader
):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    with pytest.raises(DomainError, match="cannot change"):
        services.booking_cancel(actor=other_leader, booking=booking)


def test_a_colleague_at_the_same_school_may_change_the_schools_booking(
    partnership, school, leader, colleague
):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    services.booking_cancel(actor=colleague, booking=booking)
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED


# --- the waiting list: one click from the email, or the page ----------------------------


def _waiting(partnership, school, leader, other_school, other_leader, on_commit):
    event = make_event(partnership, capacity=1)
    book(other_leader, event, 1, school=other_school)
    mail.outbox.clear()
    with on_commit():
        waiting = book(leader, event, 1, school=school)
    link = re.search(r"http://testserver(/events/waiting-list/leave/\S+/)", mail.outbox[0].body)
    return waiting, link.group(1)


def test_the_link_in_the_email_leaves_the_waiting_list_with_one_press(
    client, partnership, school, leader, other_school, other_leader, on_commit
):
    waiting, link = _waiting(partnership, school, leader, other_school, other_leader, on_commit)
    page = client.get(link)  # no sign-in needed; a GET (mail scanners) changes nothing
    assert page.status_code == 200
    assert "number 1 on the waiting list" in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == B.WAITING
    response = client.post(link)
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == B.LEFT
    assert waiting.changes.filter(to_status=B.LEFT, actor=None).exists()


def test_a_forged_leave_link_is_404(client, partnership, school, leader, db):
    event = make_event(partnership, capacity=1)
    booking = book(leader, event, 1, school=school)
    assert client.post(f"/events/waiting-list/leave/{booking.reference}:forged/").status_code == 404


def test_the_booking_page_shows_the_position_and_leaves_the_list(
    as_user, partnership, school, leader, other_school, other_leader, on_commit
):
    waiting, _link = _waiting(partnership, school, leader, other_school, other_leader, on_commit)
    client = as_user(leader)
    page = client.get(waiting.get_absolute_url())
    assert "number 1" in page.content.decode()
    response = client.post(reverse("events:booking_cancel", args=[waiting.reference]))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == B.LEFT


# --- the booking page (plain POST and redirect) ---------------------------------------


def _form(school, rows):
    data = {
        "booking_for": f"school:{school.pk}",
        "attendees-TOTAL_FORMS": str(len(rows)),
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "1",
        "attendees-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"attendees-{i}-{key}"] = value
    return data


def test_booking_two_people_on_the_page_shows_the_confirmation(
    as_user, partnership, school, leader, on_commit
):
    event = make_event(partnership)
    rows = [
        {"name": "Ada Teacher", "email": "ada@example.org", "role": "PE lead"},
        {"name": "Ben Teacher", "email": "ben@example.org", "dietary_needs": "Vegetarian"},
        {"name": "", "email": ""},  # an empty row is ignored
    ]
    with on_commit():
        response = as_user(leader).post(
            reverse("events:book", args=[event.pk]), _form(school, rows)
        )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == booking.get_absolute_url()
    page = as_user(leader).get(response.url).content.decode()
    assert "Booking confirmed" in page and booking.reference in page
    assert list(booking.attendees.values_list("name", flat=True)) == ["Ada Teacher", "Ben Teacher"]


def test_add_another_person_keeps_everything_typed(as_user, partnership, school, leader):
    event = make_event(partnership)
    data = _form(school, [{"name": "Ada Teacher", "email": "ada@exa"}])
    data["add_person"] = "1"
    response = as_user(leader).post(reverse("events:book", args=[event.pk]), data)
    page = response.content.decode()
    assert 'value="Ada Teacher"' in page and 'value="ada@exa"' in page
    assert "Person 2" in page
    assert "is-invalid" not in page  # no errors yet: the person is still typing
    assert not Booking.objects.exists()


def test_bad_input_is_explained_next_to_the_field_and_nothing_is_lost(
    as_user, partnership, school, leader
):
    event = make_event(partnership)
    rows = [{"name": "Ada Teacher", "email": "not-an-email", "access_needs": "Hearing loop"}]
    response = as_user(leader).post(reverse("events:book", args=[event.pk]), _form(school, rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert 'value="Hearing loop"' in page
    assert not Booking.objects.exists()


def test_a_domain_refusal_is_shown_with_the_people(as_user, partnership, school, leader):
    event = make_event(partnership, max_places_per_school=1)
    rows = [
        {"name": "Ada Teacher", "email": "ada@example.org"},
        {"name": "Ben Teacher", "email": "ben@example.org"},
    ]
    response = as_user(leader).post(reverse("events:book", args=[event.pk]), _form(school, rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="people-errors"' in page and "at most 1 place" in page
    assert 'value="Ben Teacher"' in page


def test_cancel_one_attendee_through_the_pages(as_user, partnership, school, leader):
    event = make_event(partnership)
    booking = book(leader, event, 2, school=school)
    attendee = booking.attendees.first()
    client = as_user(leader)
    url = reverse("events:attendee_cancel", args=[booking.reference, attendee.pk])
    assert "Cancel the place of" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    attendee.refresh_from_db()
    assert attendee.status == Attendee.Status.CANCELLED


def test_the_calendar_download_is_the_bookings_entry(as_user, partnership, school, leader):
    from icalendar import Calendar

    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    response = as_user(leader).get(reverse("events:booking_calendar", args=[booking.reference]))
    assert response["Content-Type"] == "text/calendar"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{booking.calendar_uid}@wellschools"


def test_a_group_bigger_than_the_whole_event_is_refused(partnership, school, leader):
    event = make_event(partnership, capacity=2)
    with pytest.raises(DomainError, match="2 places in all"):
        book(leader, event, 3, school=school)
