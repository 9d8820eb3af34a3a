"""The email record and delivery: retried with backoff on SMTP errors, failed when the
retries run out, reminders carry List-Unsubscribe, and support can look every email up."""

import smtplib
from datetime import timedelta

import pytest
from conftest import enrol_totp
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory

from wellschools.email import MAX_ATTEMPTS, email_flush, email_requeue, email_send
from wellschools.models import EmailListUnsubscribe, EmailMessage
from wellschools.preferences import email_preference_update

pytestmark = pytest.mark.django_db

REMINDER = {
    "subject": "Your Well Check is waiting",
    "name": "Alex",
    "lines": ["You started your Well Check two weeks ago."],
    "action_url": "http://testserver/wellcheck/",
    "action_label": "Carry on with the Well Check",
}


def _flaky_backend(monkeypatch, failures: int):
    """The SMTP server refuses the first `failures` attempts, then accepts."""
    attempts = []
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        attempts.append(1)
        if len(attempts) <= failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return attempts


def _sweep_until_settled(message, *, limit=20):
    """Run the minute sweep again and again, each time as if the backoff had passed;
    return the backoff (seconds) the row asked for after each failed try."""
    waits = []
    for _ in range(limit):
        message.refresh_from_db()
        if message.status != EmailMessage.Status.QUEUED:
            break
        waits.append(round((message.next_attempt_at - message.claimed_at).total_seconds()))
        past = timezone.now() - timedelta(hours=1)
        EmailMessage.objects.filter(pk=message.pk).update(created_at=past, next_attempt_at=past)
        email_flush()
    message.refresh_from_db()
    return waits


def test_smtp_errors_are_retried_with_backoff_until_sent(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempts = _flaky_backend(monkeypatch, failures=2)
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(
            to="head@example.org", template="reminder", context=REMINDER, kind="test"
        )
    message.refresh_from_db()
    assert message.status == EmailMessage.Status.QUEUED and message.attempts == 1
    assert "SMTPServerDisconnected" in message.error
    waits = _sweep_until_settled(message)
    assert len(attempts) == 3
    assert waits == [30, 60]  # exponential backoff, sent by the sweep when due
    assert message.status == EmailMessage.Status.SENT
    assert message.attempts == 3  # every try counts, not only the one that worked
    assert message.sent_at is not None and message.error == ""
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@example.org"]


def test_a_retry_is_not_sent_before_its_backoff_has_passed(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempts = _flaky_backend(monkeypatch, failures=1)
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    EmailMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert email_flush()["due"] == 0
    assert len(attempts) == 1


def test_when_retries_run_out_the_email_is_recorded_as_failed(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempts = _flaky_backend(monkeypatch, failures=100)
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(
            to="head@example.org", template="reminder", context=REMINDER, kind="test"
        )
    waits = _sweep_until_settled(message)
    assert len(attempts) == MAX_ATTEMPTS == message.attempts
    assert waits == [30, 60, 120, 240, 480, 600]
    assert message.status == EmailMessage.Status.FAILED
    assert "SMTPServerDisconnected" in message.error
    assert mail.outbox == []


def test_support_can_send_a_failed_email_again(monkeypatch, django_capture_on_commit_callbacks):
    _flaky_backend(monkeypatch, failures=MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(to="head@example.org", template="reminder", context=REMINDER)
    _sweep_until_settled(message)
    assert message.status == EmailMessage.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert email_requeue(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == EmailMessage.Status.SENT
    assert message.attempts == MAX_ATTEMPTS + 1
    assert len(mail.outbox) == 1


def test_an_email_rolled_back_with_its_transaction_is_never_queued(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                email_send(to="head@example.org", template="reminder", context=REMINDER)
                raise RuntimeError
    assert callbacks == []
    assert not EmailMessage.objects.exists()
    assert mail.outbox == []


# --- reminders are non-essential --------------------------------------------------------


def test_a_reminder_carries_list_unsubscribe_and_a_footer_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = email_send(
            to="Head@Example.org",
            template="reminder",
            context=REMINDER,
            kind="wellcheck_untouched",
            essential=False,
        )
    sent = mail.outbox[0]
    url = EmailListUnsubscribe.objects.get(message=message).url
    assert url.startswith("http://testserver/email/unsubscribe/")
    assert sent.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in sent.body
    assert "http://testserver/account/email-preferences/" in sent.body
    html = sent.alternatives[0][0]
    assert f'href="{url}"' in html
    assert html.index(url) < html.index("</body>")


def test_essential_email_has_no_unsubscribe(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to="head@example.org", template="reminder", context=REMINDER)
    sent = mail.outbox[0]
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "/email/unsubscribe/" not in sent.body


def test_reminders_skip_people_who_turned_them_off(django_capture_on_commit_callbacks):
    email_preference_update(email="Off@Example.org", reminders=False)
    with django_capture_on_commit_callbacks(execute=True):
        messages = email_send(
            to=["off@example.org", "on@example.org"],
            template="reminder",
            context=REMINDER,
            essential=False,
        )
    assert [m.recipient for m in messages] == ["on@example.org"]
    assert [m.to for m in mail.outbox] == [["on@example.org"]]
    # Essential email still reaches them.
    with django_capture_on_commit_callbacks(execute=True):
        email_send(to="off@example.org", template="reminder", context=REMINDER)
    assert mail.outbox[-1].to == ["off@example.org"]


def test_a_reminder_queued_before_unsubscribing_is_not_sent(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (message,) = email_send(
            to="head@example.org", template="reminder", context=REMINDER, essential=False
        )
    email_preference_update(email="head@example.org", reminders=False)
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert mail.outbox == []
    assert message.status == EmailMessage.Status.FAILED
    assert "turned reminders off" in message.error


# --- what support sees ------------------------------------------------------------------


@pytest.fixture
def support(db):
    admin = UserFactory(email="support@example.org", is_staff=True, is_superuser=True)
    enrol_totp(admin)
    return admin


def test_support_lists_emails_by_recipient_kind_status_and_object(
    client, support, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to="head@example.org",
            template="reminder",
            context=REMINDER,
            kind="wellcheck_untouched",
            about=school,
        )
    client.force_login(support)
    page = client.get(reverse("admin:wellschools_emailmessage_changelist")).content.decode()
    assert "head@example.org" in page
    assert "wellcheck_untouched" in page
    assert "Sent" in page
    assert f"partnership.school #{school.pk}" in page

    found = client.get(
        reverse("admin:wellschools_emailmessage_changelist"), {"q": "nobody@example.org"}
    ).content.decode()
    assert "head@example.org" not in found


def test_support_pages_for_documents_preferences_and_reminders_open(client, support):
    client.force_login(support)
    for model in ["generateddocument", "emailpreference", "reminderclaim"]:
        response = client.get(reverse(f"admin:wellschools_{model}_changelist"))
        assert response.status_code == 200, model
