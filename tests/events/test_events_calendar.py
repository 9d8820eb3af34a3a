"""Calendar files, parsed back with the icalendar library: one UID per booking that never
changes, a SEQUENCE that grows when the event moves, METHOD:CANCEL on cancellation, and
Europe/London times with their VTIMEZONE."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from events_helpers import book, make_event
from icalendar import Calendar

from events import services
from events.ics import booking_calendar
from events.models import Booking, EventChange
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _calendars(to: str) -> list[Calendar]:
    return [
        Calendar.from_ical(m.attachments[0][1])
        for m in mail.outbox
        if m.to == [to] and m.attachments
    ]


def _entry(calendar: Calendar):
    (entry,) = calendar.walk("VEVENT")
    return entry


def _summer_event(partnership, **fields):
    year = timezone.localdate().year + 1
    starts = datetime(year, 6, 18, 9, 30, tzinfo=LONDON)
    return make_event(partnership, starts_at=starts, ends_at=starts + timedelta(hours=6), **fields)


def test_the_calendar_holds_london_times_with_the_zone(partnership, school, leader):
    event = _summer_event(partnership)
    booking = book(leader, event, 1, school=school)
    calendar = Calendar.from_ical(booking_calendar(booking=booking))
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    entry = _entry(calendar)
    starts = entry.decoded("DTSTART")
    assert entry["DTSTART"].params["TZID"] == "Europe/London"
    assert (starts.hour, starts.minute) == (9, 30)  # British Summer Time, as people read it
    assert starts.utcoffset() == timedelta(hours=1)
    assert starts == event.starts_at
    assert str(entry["LOCATION"]).startswith("Kassam Stadium Conference Centre, Grenoble Road")


def test_uid_stays_and_sequence_grows_when_the_time_or_venue_changes(
    partnership, school, leader, coordinator, on_commit
):
    event = _summer_event(partnership)
    with on_commit():
        booking = book(leader, event, 1, school=school, prefix="ada")
    first = _entry(_calendars("ada1@example.org")[0])
    assert first["SEQUENCE"] == 0
    assert str(first["UID"]) == f"{booking.calendar_uid}@wellschools"

    mail.outbox.clear()
    with on_commit():
        services.event_update(
            actor=coordinator, event=event, starts_at=event.starts_at + timedelta(hours=1)
        )
    moved = _calendars("ada1@example.org")
    assert len(moved) == 1
    assert str(moved[0]["METHOD"]) == "REQUEST"
    moved = _entry(moved[0])
    assert str(moved["UID"]) == str(first["UID"])
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART").hour == 10
    assert _calendars("leader@example.org"), "the booker's calendar is updated too"
    assert "Changed" in mail.outbox[0].subject and "start" in mail.outbox[0].body

    mail.outbox.clear()
    with on_commit():
        services.event_update(actor=coordinator, event=event, venue_name="Oxford Town Hall")
    relocated = _entry(_calendars("ada1@example.org")[0])
    assert relocated["SEQUENCE"] == 2 and str(relocated["UID"]) == str(first["UID"])
    assert str(relocated["LOCATION"]).startswith("Oxford Town Hall")
    assert EventChange.objects.filter(event=event, comment__contains="venue name").exists()


def test_a_change_that_does_not_move_the_event_sends_nothing(
    partnership, school, leader, coordinator, on_commit
):
    event = make_event(partnership)
    book(leader, event, 1, school=school)
    mail.outbox.clear()
    with on_commit():
        services.event_update(actor=coordinator, event=event, description="Bring a water bottle.")
    assert mail.outbox == []
    assert Booking.objects.get().sequence == 0


def test_cancelling_the_event_sends_method_cancel_to_everyone(
    partnership, school, leader, other_school, other_leader, coordinator, on_commit
):
    event = _summer_event(partnership, capacity=1)
    with on_commit():
        booked = book(leader, event, 1, school=school, prefix="ada")
        waiting = book(other_leader, event, 1, school=other_school, prefix="ben")
    uid = str(_entry(_calendars("ada1@example.org")[0])["UID"])
    mail.outbox.clear()
    with on_commit():
        services.event_cancel(actor=coordinator, event=event, reason="The venue flooded.")
    (cancel,) = _calendars("ada1@example.org")
    assert str(cancel["METHOD"]) == "CANCEL"
    entry = _entry(cancel)
    assert str(entry["UID"]) == uid and entry["SEQUENCE"] == 1
    assert str(entry["STATUS"]) == "CANCELLED"
    # The waiting group had no calendar entry: its booker gets the news without a file.
    (note,) = [m for m in mail.outbox if m.to == ["other.leader@example.org"]]
    assert not note.attachments and "The venue flooded." in note.body
    for booking in (booked, waiting):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
    assert AuditEvent.objects.filter(action="event.cancelled").exists()


def test_cancelling_a_booking_sends_method_cancel_with_a_higher_sequence(
    partnership, school, leader, on_commit
):
    event = make_event(partnership)
    with on_commit():
        booking = book(leader, event, 2, school=school, prefix="ada")
    mail.outbox.clear()
    with on_commit():
        services.booking_cancel(actor=leader, booking=booking)
    for to in ("ada1@example.org", "ada2@example.org", "leader@example.org"):
        (calendar,) = _calendars(to)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert _entry(calendar)["SEQUENCE"] == 1
        assert str(_entry(calendar)["UID"]) == f"{booking.calendar_uid}@wellschools"


def test_emailed_requests_name_the_organizer_and_the_attendee(partnership, school, leader):
    event = make_event(partnership)
    booking = book(leader, event, 1, school=school)
    entry = _entry(
        Calendar.from_ical(
            booking_calendar(
                booking=booking, method="REQUEST", attendee=("Ada One", "ada@example.org")
            )
        )
    )
    assert str(entry["ATTENDEE"]) == "mailto:ada@example.org"
    assert str(entry["ORGANIZER"]).startswith("mailto:")
