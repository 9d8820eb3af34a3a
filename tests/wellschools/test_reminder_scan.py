"""Reminders are claimed in the database before the email goes out, so two scans at once
send each reminder once, and a scan interrupted part-way and run again sends every
reminder exactly once — none twice, none skipped.

The Well Check, event and accreditation scanners are their apps'; here a small scanner of
our own ("people who signed up at reminder.test are due a nudge") drives the mechanism.
"""

import time
from collections import Counter

import pytest
from concurrency import run_together
from django.core import mail
from django.db import transaction

from wellschools import reminders
from wellschools.email import email_send
from wellschools.models import EmailMessage, ReminderClaim, User
from wellschools.preferences import email_preference_update, reminders_unwanted
from wellschools.reminders import reminder_claim, reminders_scan

KIND = "test_nudge"


class Interrupted(Exception):
    """Stands in for a worker killed part-way through a scan."""


class NudgeScanner:
    """Sends the due nudges; can be told to die after a number of them, or to dawdle
    between claiming and committing (to make two scans overlap)."""

    def __init__(self, *, die_after: int | None = None, hold_claim_for: float = 0.0):
        self.die_after = die_after
        self.hold_claim_for = hold_claim_for
        self.__name__ = "nudge_scanner"

    def __call__(self) -> int:
        due = list(User.objects.filter(email__endswith="@reminder.test").order_by("?"))
        unwanted = reminders_unwanted(u.email for u in due)
        sent = 0
        for user in due:
            if user.email in unwanted:
                continue
            with transaction.atomic():
                if not reminder_claim(kind=KIND, key=f"user:{user.pk}", recipient=user.email):
                    continue
                email_send(
                    to=user.email,
                    template="reminder",
                    context={"subject": "A nudge", "lines": ["Something is due."]},
                    kind=KIND,
                    about=user,
                    essential=False,
                )
                if self.die_after is not None and sent == self.die_after:
                    raise Interrupted  # the claim and the email roll back together
                time.sleep(self.hold_claim_for)
            sent += 1
        return sent


@pytest.fixture
def use_scanner(monkeypatch):
    def install(scanner):
        monkeypatch.setattr(reminders, "reminder_scanners", lambda: [scanner])
        return scanner

    return install


def _people(count: int) -> list[User]:
    # No passwords: hashing one takes a good fraction of a second.
    return User.objects.bulk_create(
        User(email=f"person{n}@reminder.test", password="!") for n in range(count)
    )


def _assert_each_sent_once(people):
    recipients = Counter(EmailMessage.objects.filter(kind=KIND).values_list("recipient", flat=True))
    assert recipients == Counter({p.email: 1 for p in people})
    assert ReminderClaim.objects.filter(kind=KIND).count() == len(people)
    delivered = Counter(m.to[0] for m in mail.outbox)
    assert delivered == Counter({p.email: 1 for p in people})


@pytest.mark.django_db
def test_a_scan_interrupted_part_way_then_run_again_sends_each_once(
    use_scanner, django_capture_on_commit_callbacks
):
    people = _people(8)
    use_scanner(NudgeScanner(die_after=3))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Interrupted):
            reminders_scan()
    assert EmailMessage.objects.filter(kind=KIND).count() == 3
    assert ReminderClaim.objects.filter(kind=KIND).count() == 3
    assert len(mail.outbox) == 3

    use_scanner(NudgeScanner())
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_scan()
    assert result == {"test_reminder_scan.nudge_scanner": 5}
    _assert_each_sent_once(people)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_scan() == {"test_reminder_scan.nudge_scanner": 0}
    _assert_each_sent_once(people)


@pytest.mark.django_db
def test_the_scan_leaves_out_people_who_turned_reminders_off(
    use_scanner, django_capture_on_commit_callbacks
):
    people = _people(3)
    email_preference_update(email=people[0].email, reminders=False)
    use_scanner(NudgeScanner())
    with django_capture_on_commit_callbacks(execute=True):
        reminders_scan()
    _assert_each_sent_once(people[1:])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(use_scanner):
    people = _people(25)
    use_scanner(NudgeScanner(hold_claim_for=0.005))
    outcomes = run_together(*[lambda: reminders_scan()["test_reminder_scan.nudge_scanner"]] * 2)
    errors = [value for kind, value in outcomes if kind == "error"]
    results = [value for kind, value in outcomes if kind == "ok"]

    assert errors == []
    assert sorted(results) and sum(results) == len(people)
    _assert_each_sent_once(people)
    assert set(EmailMessage.objects.filter(kind=KIND).values_list("status", flat=True)) == {
        EmailMessage.Status.SENT
    }
