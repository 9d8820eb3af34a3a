"""The coordinator's events: create, publish, change, cancel; the event page with its
attendees, waiting list, needs, register, CSV export and emails; its query budget."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from events_helpers import book, fill, make_event

from events import services
from events.models import Attendee, Booking, Event, EventChange
from wellschools.errors import DomainError
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


def _event_form(**overrides):
    data = {
        "title": "Launch of the Oxfordshire Well Schools Partnership",
        "description": "Meet the partnership.",
        "venue_name": "Kassam Stadium Conference Centre",
        "venue_address": "Grenoble Road\nOxford OX4 4XP",
        "online_url": "",
        "starts_at": "2031-03-12T09:30",
        "ends_at": "2031-03-12T15:00",
        "capacity": "120",
        "max_places_per_school": "4",
        "audience": "members",
        "booking_opens_at": "",
        "booking_closes_at": "2031-03-05T17:00",
        "cancellation_deadline": "2031-03-10T17:00",
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_draft_and_publishes_it(
    as_user, client, partnership, coordinator, leader
):
    response = as_user(coordinator).post(
        reverse("events_manage:create", args=[partnership.slug]), _event_form()
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_manage_url()
    assert event.status == Event.Status.DRAFT
    # Typed in UK time, stored in UTC: 09:30 GMT in March is 09:30 UTC.
    assert event.starts_at.isoformat() == "2031-03-12T09:30:00+00:00"
    assert event.max_places_per_school == 4
    assert list(as_user(leader).get(reverse("events:list")).context["events"]) == []

    as_user(coordinator).post(reverse("events_manage:publish", args=[partnership.slug, event.pk]))
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at
    assert list(event.changes.values_list("from_status", "to_status")) == [
        ("", "draft"),
        ("draft", "published"),
    ]
    assert AuditEvent.objects.filter(action="event.published").exists()
    client.logout()
    page = client.get(reverse("events:list")).content.decode()
    assert event.title in page and "Wednesday 12 March 2031, 09:30" in page


def test_summer_times_are_typed_and_shown_in_uk_time(as_user, partnership, coordinator):
    as_user(coordinator).post(
        reverse("events_manage:create", args=[partnership.slug]),
        _event_form(
            starts_at="2031-06-18T09:30",
            ends_at="2031-06-18T15:00",
            booking_closes_at="",
            cancellation_deadline="",
        ),
    )
    event = Event.objects.get()
    assert event.starts_at.isoformat() == "2031-06-18T08:30:00+00:00"  # BST is UTC+1
    page = as_user(coordinator).get(event.get_manage_url()).content.decode()
    assert "Wednesday 18 June 2031, 09:30 to 15:00" in page


def test_bad_dates_are_explained_next_to_the_field_and_nothing_typed_is_lost(
    as_user, partnership, coordinator
):
    response = as_user(coordinator).post(
        reverse("events_manage:create", args=[partnership.slug]),
        _event_form(ends_at="2031-03-12T08:00", title="Spring conference"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"ends_at": ["The event must end after it starts."]}
    page = response.content.decode()
    assert 'value="Spring conference"' in page and "Grenoble Road" in page
    assert not Event.objects.exists()


def test_an_event_needs_a_venue_or_a_link(as_user, partnership, coordinator):
    response = as_user(coordinator).post(
        reverse("events_manage:create", args=[partnership.slug]),
        _event_form(venue_name="", venue_address=""),
    )
    assert response.context["form"].errors == {
        "venue_name": ["Give the venue's name, an online link, or both."]
    }
    online = as_user(coordinator).post(
        reverse("events_manage:create", args=[partnership.slug]),
        _event_form(venue_name="", venue_address="", online_url="https://meet.example.org/ows"),
    )
    assert online.status_code == 302
    assert Event.objects.get().location == "Online"


def test_capacity_cannot_drop_below_the_places_booked(partnership, school, leader, coordinator):
    event = make_event(partnership, capacity=5)
    book(leader, event, 3, school=school)
    with pytest.raises(DomainError, match="3 places are booked") as refused:
        services.event_update(actor=coordinator, event=event, capacity=2)
    assert refused.value.field == "capacity"


def test_more_places_go_to_the_waiting_list_at_once(
    partnership, school, leader, other_school, other_leader, coordinator
):
    event = make_event(partnership, capacity=2)
    book(other_leader, event, 2, school=other_school)
    waiting = book(leader, event, 2, school=school)
    services.event_update(actor=coordinator, event=event, capacity=4)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert EventChange.objects.filter(event=event, comment="Changed: capacity").exists()


def test_cancelling_the_event_through_its_page_needs_a_reason(
    as_user, partnership, school, leader, coordinator
):
    event = make_event(partnership)
    book(leader, event, 1, school=school)
    url = reverse("events_manage:cancel", args=[partnership.slug, event.pk])
    response = as_user(coordinator).post(url, {"reason": ""})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    response = as_user(coordinator).post(url, {"reason": "The venue flooded."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert not Booking.objects.filter(status=Booking.Status.CONFIRMED).exists()


def test_the_coordinator_cancels_a_booking_after_the_deadline_from_their_page(
    as_user, partnership, school, leader, coordinator, on_commit
):
    event = make_event(partnership, cancellation_deadline=timezone.now() + timedelta(hours=1))
    booking = book(leader, event, 1, school=school)
    Event.objects.filter(pk=event.pk).update(cancellation_deadline=timezone.now())
    page = as_user(leader).get(booking.get_absolute_url()).content.decode()
    assert "The deadline for changes was" in page and "Cancel the whole booking" not in page
    mail.outbox.clear()
    with on_commit():
        response = as_user(coordinator).post(
            reverse(
                "events_manage:booking_cancel", args=[partnership.slug, event.pk, booking.reference]
            ),
            {"reason": "Double booking"},
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert AuditEvent.objects.filter(action="booking.cancelled_by_staff").count() == 1
    assert any("by the partnership's coordinators" in m.body for m in mail.outbox)


def test_the_event_page_lists_attendees_waiting_list_and_counts_needs(
    as_user, partnership, school, leader, other_school, other_leader, coordinator
):
    event = make_event(partnership, capacity=10)
    fill(event, 9, booker=leader, school=school)
    book(other_leader, event, 2, school=other_school, prefix="waiter")
    response = as_user(coordinator).get(event.get_manage_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["attendees"]) == 9
    assert [len(b.active_attendees) for b in response.context["waiting"]] == [2]
    assert "Waiter 1, Waiter 2" in page
    needs = response.context["needs"]
    assert needs.dietary == [("Vegetarian", 3)]
    assert [a.name for a in needs.access_people] == ["Filler 0", "Filler 7"]
    assert "Vegetarian: 3" in page


def test_the_attendee_list_costs_the_same_queries_at_10_and_300(
    as_user, partnership, school, leader, other_school, other_leader, coordinator
):
    event = make_event(partnership, capacity=10)
    client = as_user(coordinator)
    url = event.get_manage_url()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    fill(event, 10, booker=leader, school=school)
    book(leader, event, 2, school=school, prefix="early")  # waits
    client.get(url)  # warm the session and the TOTP check
    small = queries()
    Event.objects.filter(pk=event.pk).update(capacity=300)
    fill(event, 290, booker=other_leader, school=other_school)
    for n in range(5):
        book(other_leader, event, 3, school=other_school, prefix=f"late{n}x")  # wait
    response = client.get(url)
    assert len(response.context["attendees"]) == 300 and len(response.context["waiting"]) == 6
    large = queries()
    assert small == large
    assert large <= 20, large


def test_the_register_records_attendance_with_the_time(
    as_user, partnership, school, leader, coordinator
):
    event = make_event(partnership, starts_in=timedelta(minutes=30))
    booking = book(leader, event, 3, school=school)
    ada, ben, cal = booking.attendees.order_by("pk")
    url = reverse("events_manage:register", args=[partnership.slug, event.pk])
    response = as_user(coordinator).post(
        url, {f"mark_{ada.pk}": "attended", f"mark_{ben.pk}": "partial", f"mark_{cal.pk}": "absent"}
    )
    assert response.status_code == 302
    for attendee, mark in ((ada, "attended"), (ben, "partial"), (cal, "absent")):
        attendee.refresh_from_db()
        assert attendee.attendance == mark
        assert attendee.attendance_marked_at and attendee.attendance_marked_by == coordinator
    page = as_user(coordinator).get(url).content.decode()
    assert "Attended 1, attended part 1, did not attend 1, not marked 0" in page


def test_the_register_opens_on_the_day(partnership, school, leader, coordinator):
    event = make_event(partnership, starts_in=timedelta(days=3))
    attendee = book(leader, event, 1, school=school).attendees.get()
    with pytest.raises(DomainError, match="opens on the day"):
        services.attendance_record(actor=coordinator, event=event, marks={attendee.pk: "attended"})


def test_the_csv_export_lists_everyone_and_defuses_formulas(
    as_user, partnership, school, leader, coordinator
):
    event = make_event(partnership)
    services.booking_create(
        actor=leader,
        event=event,
        school=school,
        attendees=[
            services.AttendeeData("=HYPERLINK(1)", "ada@example.org", "PE lead", "Halal", "")
        ],
    )
    response = as_user(coordinator).get(
        reverse("events_manage:attendees_csv", args=[partnership.slug, event.pk])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Booking reference", "Booked for", "URN", "Name"]
    assert rows[1][1:8] == [
        school.name,
        str(school.urn),
        "'=HYPERLINK(1)",
        "ada@example.org",
        "PE lead",
        "Halal",
        "",
    ]


def test_the_coordinator_emails_the_attendees_or_the_waiting_list(
    as_user, partnership, school, leader, other_school, other_leader, coordinator, on_commit
):
    event = make_event(partnership, capacity=2)
    book(leader, event, 2, school=school, prefix="in")
    book(other_leader, event, 1, school=other_school, prefix="wait")
    url = reverse("events_manage:message", args=[partnership.slug, event.pk])
    mail.outbox.clear()
    with on_commit():
        response = as_user(coordinator).post(
            url,
            {"audience": "waiting", "subject": "Parking & access", "message": "Park at the back."},
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["other.leader@example.org", "wait1@example.org"]
    assert mail.outbox[0].subject.endswith("Parking & access")  # not HTML-escaped
    mail.outbox.clear()
    with on_commit():
        as_user(coordinator).post(
            url, {"audience": "attendees", "subject": "Hi", "message": "See you"}
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "in1@example.org",
        "in2@example.org",
        "leader@example.org",
    ]
    assert AuditEvent.objects.filter(action="event.message_sent").count() == 2


def test_an_empty_audience_is_explained_next_to_the_field(as_user, partnership, coordinator):
    event = make_event(partnership)
    response = as_user(coordinator).post(
        reverse("events_manage:message", args=[partnership.slug, event.pk]),
        {"audience": "waiting", "subject": "Hi", "message": "Hello"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"audience": ["Nobody is on the waiting list yet."]}


def test_substitution_by_the_coordinator_is_audited(
    as_user, partnership, school, leader, coordinator
):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    attendee = booking.attendees.get()
    response = as_user(coordinator).post(
        reverse(
            "events_manage:attendee_substitute",
            args=[partnership.slug, event.pk, booking.reference, attendee.pk],
        ),
        {"name": "Nia Newperson", "email": "nia@example.org"},
    )
    assert response.status_code == 302
    assert Attendee.objects.get(status=Attendee.Status.ACTIVE).name == "Nia Newperson"
    assert AuditEvent.objects.filter(action="booking.substituted_by_staff").exists()
