"""Faults lose nothing and show nothing broken (in-process half; the real Redis, worker,
SMTP sink and PostgreSQL half is test_fault_recovery.py).

- an enqueue after commit that the broker refuses never fails the request: the record
  stays pending and the minute sweep sends it;
- a send commits its claim before the SMTP call and carries a stable Message-ID;
- database errors in tasks are retried;
- the sweeps recover within two minutes what a dead worker left;
- /healthz shows the backlog.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from events.models import Booking, Event
from wellschools import background
from wellschools.celery import app
from wellschools.email import email_deliver, email_flush, email_send
from wellschools.models import EmailMessage, GeneratedDocument

REMINDER = {"subject": "A nudge", "lines": ["Something is due."]}
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish to the broker is refused, as when Redis is stopped."""
    attempts = []

    def refused(self, *args, **kwargs):
        attempts.append(self.name)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refused)
    monkeypatch.setattr(app.conf, "task_always_eager", False)  # tasks go to the broker
    background._broker_down_until = 0.0
    yield attempts
    monkeypatch.undo()
    background._broker_down_until = 0.0


def make_event(partnership, *, capacity):
    starts = timezone.now() + timedelta(days=30)
    return Event.objects.create(
        partnership=partnership,
        title="Launch of the partnership",
        description="Meet the partnership.",
        venue_name="Conference centre",
        venue_address="Grenoble Road, Oxford",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=capacity,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )


def _age(queryset, field, seconds):
    queryset.update(**{field: timezone.now() - timedelta(seconds=seconds)})


def _booking_form(school, rows):
    data = {
        "booking_for": f"school:{school.pk}",
        "attendees-TOTAL_FORMS": str(len(rows)),
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "1",
        "attendees-MAX_NUM_FORMS": "50",
    }
    for i, (name, email) in enumerate(rows):
        data[f"attendees-{i}-name"] = name
        data[f"attendees-{i}-email"] = email
    return data


# --- 1. a broker outage never turns a committed write into an error ----------------------


@pytest.mark.django_db(transaction=True)
def test_a_booking_while_the_broker_is_down_succeeds_and_its_emails_go_later(
    as_user, partnership, school, leader, broker_down
):
    event = make_event(partnership, capacity=10)
    rows = [("Ada Teacher", "ada@example.org"), ("Ben Teacher", "ben@example.org")]
    response = as_user(leader).post(
        reverse("events:book", args=[event.pk]), _booking_form(school, rows)
    )

    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == booking.get_absolute_url()
    assert booking.status == Booking.Status.CONFIRMED
    queued = EmailMessage.objects.filter(status=EmailMessage.Status.QUEUED)
    assert sorted(queued.values_list("recipient", flat=True)) == [
        "ada@example.org",
        "ben@example.org",
        "leader@example.org",
    ]
    # One refused publish, then the broker is left alone for a moment (fast answers).
    assert broker_down == ["wellschools.tasks.send_email"]
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_emails_left_by_a_broker_outage_are_sent_by_the_next_sweep(
    as_user, partnership, school, leader, monkeypatch
):
    event = make_event(partnership, capacity=10)
    refused = []

    def down(self, *args, **kwargs):
        refused.append(self.name)
        raise BrokerError("Connection refused.")

    background._broker_down_until = 0.0
    with monkeypatch.context() as patch:
        patch.setattr(Task, "apply_async", down)
        patch.setattr(app.conf, "task_always_eager", False)
        response = as_user(leader).post(
            reverse("events:book", args=[event.pk]),
            _booking_form(school, [("Ada Teacher", "ada@example.org")]),
        )
    assert response.status_code == 302 and refused
    background._broker_down_until = 0.0
    assert EmailMessage.objects.filter(status=EmailMessage.Status.QUEUED).count() == 2

    assert email_flush()["due"] == 0  # younger than the grace period: not yet
    _age(EmailMessage.objects.all(), "created_at", 45)
    assert email_flush()["enqueued"] == 2
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "leader@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_document_asked_for_while_the_broker_is_down_is_rendered_by_the_sweep(
    as_user, partnership, coordinator, broker_down
):
    response = as_user(coordinator).post(
        reverse("partnership:members_pdf", args=[partnership.slug])
    )
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.status == GeneratedDocument.Status.PENDING
    assert broker_down == ["wellschools.tasks.render_document"]


@pytest.mark.django_db
def test_a_task_failing_in_process_never_fails_the_request_that_committed(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The embedded default runs tasks in the web process after commit: a crash there is
    logged and the row stays for the sweep, it does not become a 500."""

    def crash(self, messages):
        raise RuntimeError("the mail library crashed")

    monkeypatch.setattr(EmailBackend, "send_messages", crash)
    with django_capture_on_commit_callbacks(execute=True):
        (first, second) = email_send(
            to=["a@example.org", "b@example.org"], template="reminder", context=REMINDER
        )
    statuses = set(EmailMessage.objects.values_list("status", flat=True))
    assert statuses == {EmailMessage.Status.FAILED}  # both were tried, neither raised


def test_every_enqueue_in_the_project_goes_through_the_one_helper():
    """No `.delay(` / `apply_async(` / on_commit enqueue outside wellschools/background.py:
    each would turn a broker outage into an error for a request that committed."""
    offenders = []
    for path in BASE_DIR.rglob("*.py"):
        relative = path.relative_to(BASE_DIR)
        if relative.parts[0] in {".venv", "node_modules", "tests", "bench", "var"}:
            continue
        if relative == Path("wellschools/background.py"):
            continue
        text = path.read_text()
        for pattern in (r"\.delay\(", r"\.apply_async\(", r"delay_on_commit\("):
            if re.search(pattern, text):
                offenders.append(f"{relative}: {pattern}")
        for match in re.finditer(r"transaction\.on_commit\((.*)", text):
            if "enqueue" not in match.group(1) and "delete" not in match.group(1):
                offenders.append(f"{relative}: on_commit({match.group(1)}")
    assert offenders == []


# --- 2. a stable Message-ID, and the claim committed before the SMTP call ------------------


@pytest.mark.django_db
def test_a_resend_carries_the_same_message_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    message.refresh_from_db()
    assert message.status == EmailMessage.Status.SENT
    first = mail.outbox[0]
    assert first.extra_headers["Message-ID"] == message.message_id
    assert re.fullmatch(r"<wellschools\.\d+\.\d{14}@[\w.-]+>", message.message_id)
    assert first.message()["Message-ID"] == message.message_id

    # A worker died after the server took it but before it was marked sent; the redelivered
    # task sends it again — as the same email.
    EmailMessage.objects.filter(pk=message.pk).update(
        status=EmailMessage.Status.SENDING, claimed_by="task-1", body_text="again"
    )
    assert email_deliver(message_id=message.pk, claim="task-1") is True
    assert mail.outbox[1].message()["Message-ID"] == message.message_id


@pytest.mark.django_db(transaction=True)
def test_the_sending_claim_is_committed_before_the_smtp_call(monkeypatch):
    seen = []
    original = EmailBackend.send_messages

    def look(self, messages):
        row = EmailMessage.objects.get()
        seen.append((connection.in_atomic_block, row.status, row.attempts, row.claimed_by))
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", look)
    with transaction.atomic():
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    # Committed claim: no transaction is open while the SMTP server is talked to.
    assert seen and seen[0][:3] == (False, EmailMessage.Status.SENDING, 1)
    message.refresh_from_db()
    assert message.status == EmailMessage.Status.SENT and message.attempts == 1


@pytest.mark.django_db
def test_a_second_task_for_a_claimed_message_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    EmailMessage.objects.filter(pk=message.pk).update(
        status=EmailMessage.Status.SENDING, claimed_by="task-1", claimed_at=timezone.now()
    )
    assert email_deliver(message_id=message.pk, claim="task-2") is False
    assert mail.outbox == []


# --- 3. database errors in tasks are retried ----------------------------------------------


@pytest.fixture
def eager_retries():
    """Eager tasks re-run a retry synchronously only when errors do not propagate."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.mark.django_db
def test_a_database_error_in_a_send_is_retried(
    monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    from wellschools import tasks

    calls = []
    real = tasks.email_deliver

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "email_deliver", flaky)
    monkeypatch.setattr(Task, "retry", _record_retry(Task.retry))
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    message.refresh_from_db()
    assert len(calls) == 3
    assert _record_retry.countdowns == [2, 4]
    assert message.status == EmailMessage.Status.SENT and len(mail.outbox) == 1


def _record_retry(original):
    _record_retry.countdowns = []

    def retry(self, *args, **kwargs):
        _record_retry.countdowns.append(kwargs.get("countdown"))
        return original(self, *args, **kwargs)

    return retry


@pytest.mark.django_db
def test_a_database_error_in_a_render_is_retried(
    partnership, coordinator, monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    from wellschools import tasks
    from wellschools.documents import document_request

    calls = []
    real = tasks.document_render

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "document_render", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            document = document_request(actor=coordinator, kind="member_list", subject=partnership)
    document.refresh_from_db()
    assert len(calls) == 2
    assert document.status == GeneratedDocument.Status.READY


# --- 4. recovery within two minutes ---------------------------------------------------------


@pytest.mark.django_db
def test_an_email_left_sending_by_a_dead_worker_is_sent_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        dead, live, young = email_send(
            to=["dead@example.org", "live@example.org", "young@example.org"],
            template="reminder",
            context=REMINDER,
        )
    _age(EmailMessage.objects.all(), "created_at", 120)
    for message, claim, seconds in ((dead, "dead-task", 40), (live, "live-task", 40)):
        EmailMessage.objects.filter(pk=message.pk).update(
            status=EmailMessage.Status.SENDING,
            claimed_by=claim,
            claimed_at=timezone.now() - timedelta(seconds=seconds),
            attempts=1,
        )
    EmailMessage.objects.filter(pk=young.pk).update(
        status=EmailMessage.Status.SENDING,
        claimed_by="gone-too",
        claimed_at=timezone.now() - timedelta(seconds=5),
        attempts=1,
    )
    monkeypatch.setattr("wellschools.email.running_task_ids", lambda: {"live-task"})

    result = email_flush()

    assert result["released"] == 1
    dead.refresh_from_db()
    assert dead.status == EmailMessage.Status.SENT and dead.attempts == 2
    assert [m.to for m in mail.outbox] == [["dead@example.org"]]
    assert EmailMessage.objects.get(pk=live.pk).status == EmailMessage.Status.SENDING
    assert EmailMessage.objects.get(pk=young.pk).status == EmailMessage.Status.SENDING


@pytest.mark.django_db
def test_without_an_answer_from_the_workers_a_claim_expires_after_ninety_seconds(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        old, recent = email_send(
            to=["old@example.org", "recent@example.org"], template="reminder", context=REMINDER
        )
    _age(EmailMessage.objects.all(), "created_at", 300)
    for message, seconds in ((old, 100), (recent, 60)):
        EmailMessage.objects.filter(pk=message.pk).update(
            status=EmailMessage.Status.SENDING,
            claimed_by="somebody",
            claimed_at=timezone.now() - timedelta(seconds=seconds),
        )
    assert email_flush()["released"] == 1  # in-process tasks: nobody to ask
    assert [m.to for m in mail.outbox] == [["old@example.org"]]


def test_recovery_is_configured_for_two_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name in ("flush-email-outbox", "sweep-documents"):
        assert schedule[name]["schedule"] <= 60, name
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    from wellschools import tasks

    longest = max(
        t.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for t in (
            tasks.send_email,
            tasks.render_document,
            tasks.scan_reminders,
            tasks.flush_email_outbox,
            tasks.sweep_documents,
        )
    )
    # A healthy task is never redelivered while it runs; Redis's default is an hour.
    assert longest < visibility < 3600
    assert background.sweep_grace_seconds() <= 30


# --- /healthz shows the backlog ------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_the_outbox_and_documents_backlog(
    client, partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email_send(to=["a@example.org", "b@example.org"], template="reminder", context=REMINDER)
    _age(EmailMessage.objects.filter(recipient="a@example.org"), "created_at", 600)
    GeneratedDocument.objects.create(
        kind="member_list",
        object_type="partnership.partnership",
        object_id=str(partnership.pk),
        requested_at=timezone.now() - timedelta(seconds=30),
    )
    response = client.get("/healthz")
    assert response.status_code == 200  # a backlog never takes the web servers out
    body = response.json()
    assert body["outbox"]["pending"] == 2
    assert 600 <= body["outbox"]["oldest_pending_seconds"] < 660
    assert body["outbox"]["state"] == "stuck"
    assert body["documents"]["pending"] == 1
    assert 30 <= body["documents"]["oldest_pending_seconds"] < 90
    assert body["documents"]["state"] == "ok"
