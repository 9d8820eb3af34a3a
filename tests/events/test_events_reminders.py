"""The reminder two days before: to each attendee with a place, at most once, through the
platform's periodic scan."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from events_helpers import book, make_event

from events import services
from events.models import Event
from events.reminders import send_event_reminders
from wellschools.models import ReminderClaim
from wellschools.reminders import reminders_scan

pytestmark = pytest.mark.django_db


def _reminders() -> list:
    return [m for m in mail.outbox if m.subject.startswith("[Well Schools] Reminder")]


def test_each_attendee_is_reminded_once_two_days_before(
    partnership, school, leader, other_school, other_leader, on_commit
):
    soon = make_event(partnership, capacity=3, starts_in=timedelta(days=1, hours=20))
    later = make_event(partnership, title="Summer festival", starts_in=timedelta(days=9))
    book(leader, soon, 2, school=school, prefix="ada")
    book(other_leader, soon, 2, school=other_school, prefix="wait")  # waiting: no reminder
    book(leader, later, 1, school=school, prefix="later")
    mail.outbox.clear()

    with on_commit():
        result = reminders_scan()
    assert result["events.reminders.send_event_reminders"] == 2
    reminders = _reminders()
    assert sorted(m.to[0] for m in reminders) == ["ada1@example.org", "ada2@example.org"]
    assert "Launch of the Oxfordshire" in reminders[0].subject
    assert "METHOD:REQUEST" in reminders[0].attachments[0][1]

    # The next scans (every few minutes) send nothing again.
    with on_commit():
        assert send_event_reminders() == 0
        assert send_event_reminders() == 0
    assert len(_reminders()) == 2
    assert ReminderClaim.objects.filter(kind="event_reminder").count() == 2


def test_cancelled_places_and_events_are_not_reminded(
    partnership, school, leader, coordinator, on_commit
):
    event = make_event(partnership, starts_in=timedelta(days=1))
    booking = book(leader, event, 2, school=school, prefix="ada")
    services.attendee_cancel(actor=coordinator, attendee=booking.attendees.first())
    cancelled = make_event(partnership, title="Cancelled one", starts_in=timedelta(days=1))
    book(leader, cancelled, 1, school=school, prefix="gone")
    services.event_cancel(actor=coordinator, event=cancelled, reason="Snow")
    mail.outbox.clear()
    with on_commit():
        assert send_event_reminders() == 1
    assert [m.to for m in _reminders()] == [["ada2@example.org"]]


def test_a_moved_event_is_reminded_again_for_its_new_date(
    partnership, school, leader, coordinator, on_commit
):
    event = make_event(partnership, starts_in=timedelta(days=1))
    book(leader, event, 1, school=school)
    assert send_event_reminders() == 1
    services.event_update(
        actor=coordinator,
        event=event,
        starts_at=event.starts_at + timedelta(hours=2),
        ends_at=event.ends_at + timedelta(hours=2),
    )
    assert send_event_reminders() == 1
    assert send_event_reminders() == 0


def test_past_and_draft_events_are_not_reminded(partnership, school, leader):
    past = make_event(partnership, starts_in=timedelta(days=1))
    book(leader, past, 1, school=school)
    Event.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    make_event(partnership, title="Draft", status=Event.Status.DRAFT, starts_in=timedelta(days=1))
    assert send_event_reminders() == 0
