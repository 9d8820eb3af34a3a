"""The Well Check's reminders: each sent once, through the shared scan."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from factories import submitted_check

from wellcheck import reminders
from wellcheck.models import Action, WellCheck
from wellcheck.services import action_create, wellcheck_start
from wellschools.models import EmailMessage, ReminderClaim
from wellschools.reminders import reminders_scan

pytestmark = pytest.mark.django_db


def _scan(on_commit):
    with on_commit():
        return reminders_scan()


def test_an_untouched_check_is_reminded_once(on_commit, school, leader):
    well_check = wellcheck_start(actor=leader, school=school)
    WellCheck.objects.filter(pk=well_check.pk).update(
        last_activity_at=timezone.now() - timedelta(days=15)
    )
    with on_commit():
        assert reminders.remind_idle_wellchecks() == 1
    with on_commit():
        assert reminders.remind_idle_wellchecks() == 0
    sent = [m for m in mail.outbox if "waiting for you" in m.subject]
    assert len(sent) == 1 and sent[0].to == [leader.email]
    assert "unsubscribe" in sent[0].body.lower()


def test_a_recently_touched_check_is_not_reminded(on_commit, school, leader):
    wellcheck_start(actor=leader, school=school)
    with on_commit():
        assert reminders.remind_idle_wellchecks() == 0


def test_the_annual_check_is_due_once_a_year(on_commit, school, leader, other_school, other_leader):
    submitted_check(other_school, other_leader)
    with on_commit():
        assert reminders.remind_annual_wellcheck() == 1
    with on_commit():
        assert reminders.remind_annual_wellcheck() == 0
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert ReminderClaim.objects.get().kind == "wellcheck_annual"


def test_actions_due_soon_and_overdue(on_commit, school, leader, colleague):
    well_check = submitted_check(school, leader)
    today = timezone.localdate()
    pillars = list(well_check.framework.pillars.all())
    soon = action_create(
        actor=leader,
        well_check=well_check,
        pillar=pillars[0],
        title="Soon",
        success_measure="m",
        due_date=today + timedelta(days=7),
        owner=colleague,
    )
    action_create(
        actor=leader,
        well_check=well_check,
        pillar=pillars[1],
        title="Late",
        success_measure="m",
        due_date=today - timedelta(days=2),
    )
    action_create(
        actor=leader,
        well_check=well_check,
        pillar=pillars[2],
        title="Later",
        success_measure="m",
        due_date=today + timedelta(days=30),
    )
    Action.objects.create(
        well_check=well_check,
        pillar=pillars[3],
        title="Done",
        success_measure="m",
        due_date=today - timedelta(days=9),
        status=Action.Status.DONE,
    )
    with on_commit():
        assert reminders.remind_actions() == 2
    with on_commit():
        assert reminders.remind_actions() == 0
    subjects = {m.subject.split("] ", 1)[1]: m.to for m in mail.outbox}
    assert subjects[f"Due on {soon.due_date:%-d %B %Y}: Soon"] == [colleague.email]
    assert subjects["Overdue: Late"] == [leader.email]
    assert EmailMessage.objects.filter(kind__in=["action_due_soon", "action_overdue"]).count() == 2


def test_people_who_turned_reminders_off_get_none(on_commit, school, leader):
    from wellschools.preferences import email_preference_update

    email_preference_update(email=leader.email, reminders=False)
    with on_commit():
        assert reminders.remind_annual_wellcheck() == 0
    assert mail.outbox == []


def test_the_shared_scan_runs_the_wellcheck_scanners(on_commit, school, leader):
    results = _scan(on_commit)
    assert results["wellcheck.reminders.remind_annual_wellcheck"] == 1
