"""Issue 14 for events: an online event does not ask for dietary needs; the calendar
button looks like a button that works."""

import re

import pytest
from django.urls import reverse
from events_helpers import book, make_event

from events.models import Attendee

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(partnership):
    return make_event(
        partnership, venue_name="", venue_address="", online_url="https://meet.example.org/x"
    )


def test_an_online_event_does_not_ask_for_dietary_needs(as_user, leader, school, online):
    client = as_user(leader)
    page = client.get(reverse("events:book", args=[online.pk])).content.decode()
    assert "Dietary needs" not in page and "Access needs" in page
    response = client.post(
        reverse("events:book", args=[online.pk]),
        {
            "booking_for": f"school:{school.pk}",
            "attendees-TOTAL_FORMS": "1",
            "attendees-INITIAL_FORMS": "0",
            "attendees-0-name": "Nia Teacher",
            "attendees-0-email": "nia@example.org",
            "attendees-0-dietary_needs": "Vegan",  # a stale field is ignored
            "attendees-0-access_needs": "Captions",
        },
    )
    assert response.status_code == 302
    attendee = Attendee.objects.get()
    assert (attendee.dietary_needs, attendee.access_needs) == ("", "Captions")
    booking_page = client.get(response.url).content.decode()
    assert "Dietary needs" not in booking_page


def test_an_event_in_a_place_still_asks_for_dietary_needs(as_user, leader, partnership):
    event = make_event(partnership)
    page = as_user(leader).get(reverse("events:book", args=[event.pk])).content.decode()
    assert "Dietary needs" in page


def test_changing_a_person_on_an_online_booking_does_not_ask_for_dietary_needs(
    as_user, leader, school, online
):
    booking = book(leader, online, 1, school=school)
    attendee = booking.attendees.get()
    url = reverse("events:attendee_substitute", args=[booking.reference, attendee.pk])
    page = as_user(leader).get(url).content.decode()
    assert "Dietary needs" not in page and "Full name" in page


def test_the_calendar_button_is_a_primary_outline_button(as_user, leader, school, partnership):
    booking = book(leader, make_event(partnership), 1, school=school)
    html = as_user(leader).get(booking.get_absolute_url()).content.decode()
    buttons = re.findall(r'<a class="([^"]+)" href="[^"]*calendar\.ics"', html)
    assert buttons and all("btn-outline-primary" in b for b in buttons)
    assert "btn-outline-secondary" not in " ".join(buttons)
