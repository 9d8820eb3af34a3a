"""The one way the platform sends email.

Every email has three templates: ``emails/<name>_subject.txt``, ``_body.txt`` and
``_body.html``. ``email_send`` renders them now and writes one ``EmailMessage`` row per
recipient in the caller's transaction; a Celery task sends each row after commit. A
rolled-back request therefore sends nothing, and every email sent can be looked up later
("did they get it?").

Reminders and other non-essential email pass ``essential=False``: recipients who turned
reminders off are skipped, and each message gets a footer with a signed one-click
unsubscribe link and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers
(RFC 8058). See ``wellschools.preferences``.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, models
from django.db.models import F, Q
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .background import enqueue, enqueue_on_commit, running_task_ids, sweep_grace_seconds
from .models import EmailListUnsubscribe, EmailMessage
from .preferences import reminders_unwanted, reminders_wanted, unsubscribe_url

logger = logging.getLogger(__name__)

# (filename, content, mimetype) — content is text, e.g. an iCalendar file.
Attachment = tuple[str, str, str]
# What an @email_renderer returns: (template name, context, attachments).
Rendered = tuple[str, dict[str, Any], list[Attachment]]

# Tries in all (the first and six more) before a message is recorded as failed.
MAX_ATTEMPTS = 7
# A send task never runs longer than its hard time limit (60 s): a claim older than this
# belongs to a worker that died, whatever the workers say.
CLAIM_EXPIRES = timedelta(seconds=90)


def _render_plain(name: str, context: dict[str, Any]) -> str:
    # Plain text is not HTML: "St Mary's" must not arrive as "St Mary&#x27;s".
    template = engines["django"].get_template(name).template
    return template.render(Context(context, autoescape=False))


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = _render_plain(f"emails/{template}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    text = _render_plain(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def email_send(
    *,
    to: list[str] | str,
    template: str,
    context: dict[str, Any],
    kind: str = "",
    about: models.Model | None = None,
    attachments: list[Attachment] | None = None,
    essential: bool = True,
) -> list[EmailMessage]:
    """Queue an email to each recipient; it goes out once the transaction commits.

    ``essential=False`` (reminders): skip recipients who turned reminders off, and give
    each message an unsubscribe footer and List-Unsubscribe headers."""
    from .tasks import send_email

    recipients = [to] if isinstance(to, str) else list(dict.fromkeys(to))
    if not essential:
        unwanted = reminders_unwanted(recipients)
        recipients = [r for r in recipients if r.strip().lower() not in unwanted]
    fields = {
        "kind": kind or template,
        "attachments": [list(a) for a in attachments or []],
        "object_type": about._meta.label_lower if about is not None else "",
        "object_id": str(about.pk) if about is not None else "",
    }
    messages = []
    if essential:
        subject, text, html = email_render(template=template, context=context)
        for recipient in recipients:
            messages.append(
                EmailMessage.objects.create(
                    recipient=recipient,
                    subject=subject[:300],
                    body_text=text,
                    body_html=html,
                    **fields,
                )
            )
    for recipient in recipients if not essential else []:
        # The link differs per recipient, so each message is rendered for its reader.
        links = {
            "unsubscribe_url": unsubscribe_url(recipient),
            "preferences_url": settings.SITE_URL + reverse("email_preferences"),
        }
        subject, text, html = email_render(template=template, context={**context, **links})
        text, html = _with_unsubscribe_footer(text=text, html=html, links=links)
        message = EmailMessage.objects.create(
            recipient=recipient, subject=subject[:300], body_text=text, body_html=html, **fields
        )
        EmailListUnsubscribe.objects.create(message=message, url=links["unsubscribe_url"])
        messages.append(message)
    for message in messages:
        enqueue_on_commit(send_email, message.pk)
    return messages


def email_renderer(function: Callable[..., Rendered]) -> Callable[..., Rendered]:
    """Mark a function that renders an email for ``email_queue_render`` (only marked
    functions are ever called from a stored path)."""
    function.email_renderer = True
    return function


def email_queue_render(
    *,
    recipients: list[tuple[str, dict[str, Any]]],
    render_with: str,
    params: dict[str, Any],
    kind: str,
    about: models.Model | None = None,
) -> list[EmailMessage]:
    """Queue essential emails whose rendering is left to the sending task.

    For services that hold a lock: the outbox rows are written in the caller's transaction
    (so nothing is lost and a rollback sends nothing) but the templates and attachments —
    the slow part — are rendered by the worker, outside the lock. ``recipients`` are
    ``(email, extra params)``; ``render_with`` is the dotted path of an ``@email_renderer``
    function called as ``function(recipient=..., **params, **extra)`` and returning
    ``(template, context, attachments)``. Parameters must be JSON: ids, not objects."""
    from .tasks import send_email

    messages = [
        EmailMessage.objects.create(
            recipient=recipient,
            kind=kind,
            subject="",
            render_with=render_with,
            render_params={**params, **extra},
            object_type=about._meta.label_lower if about is not None else "",
            object_id=str(about.pk) if about is not None else "",
        )
        for recipient, extra in dict(recipients).items()
    ]
    for message in messages:
        enqueue_on_commit(send_email, message.pk)
    return messages


def _render_later(message: EmailMessage) -> None:
    """Render a message queued with ``email_queue_render`` and keep what was rendered."""
    function = import_string(message.render_with)
    if not getattr(function, "email_renderer", False):
        raise ValueError(f"{message.render_with} is not an email renderer")
    template, context, attachments = function(recipient=message.recipient, **message.render_params)
    subject, text, html = email_render(template=template, context=context)
    message.subject = subject[:300]
    message.body_text, message.body_html = text, html
    message.attachments = [list(a) for a in attachments]
    EmailMessage.objects.filter(pk=message.pk).update(
        subject=message.subject,
        body_text=text,
        body_html=html,
        attachments=message.attachments,
    )


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed try: 30 s, 1, 2, 4, 8 minutes, then every 10."""
    return timedelta(seconds=min(600, 30 * 2 ** max(0, attempts - 1)))


def _claim(message_id: int, claim: str) -> bool:
    """Commit "sending, by this task" before talking to the SMTP server. A queued row is
    claimable; so is one this same task claimed before it was redelivered (its worker
    died mid-send). Anyone else finds nothing to do."""
    mine = Q(status=EmailMessage.Status.QUEUED)
    if claim:
        mine |= Q(status=EmailMessage.Status.SENDING, claimed_by=claim)
    return bool(
        EmailMessage.objects.filter(mine, pk=message_id).update(
            status=EmailMessage.Status.SENDING,
            claimed_by=claim[:64],
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def _mark_sent(message_id: int, claim: str) -> None:
    """The SMTP server has the message: record it, retrying through a dropped database
    connection (sending again would deliver it twice)."""
    for attempt in range(6):
        try:
            EmailMessage.objects.filter(
                pk=message_id, status=EmailMessage.Status.SENDING, claimed_by=claim[:64]
            ).update(
                status=EmailMessage.Status.SENT,
                sent_at=timezone.now(),
                body_text="",
                body_html="",
                error="",
                next_attempt_at=None,
            )
            return
        except DatabaseError:
            if attempt == 5:
                # Left "sending": the sweep sends it again later (same Message-ID).
                logger.exception("Email %s was sent but could not be marked sent", message_id)
                raise
            if connection.in_atomic_block:
                raise
            connection.close()  # the next query opens a fresh connection
            time.sleep(min(8, 0.5 * 2**attempt))


def email_deliver(*, message_id: int, claim: str = "") -> bool:
    """Send one queued message; True if this call sent it. Safe to run twice.

    ``claim`` is the id of the task sending it. SMTP errors propagate (the task calls
    ``email_attempt_failed``)."""
    if not _claim(message_id, claim):
        return False  # sent, failed for good, or being sent by another task
    message = EmailMessage.objects.get(pk=message_id)
    if message.render_with and not message.subject:
        _render_later(message)
    headers = {"Message-ID": message.message_id}
    unsubscribe = EmailListUnsubscribe.objects.filter(message_id=message.pk).first()
    if unsubscribe is not None:
        if not reminders_wanted(message.recipient):
            # Turned off between queueing and sending: honour it.
            EmailMessage.objects.filter(pk=message.pk).update(
                status=EmailMessage.Status.FAILED,
                error="Not sent: the recipient turned reminders off.",
                body_text="",
                body_html="",
            )
            return False
        headers["List-Unsubscribe"] = f"<{unsubscribe.url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        headers=headers,
    )
    email.attach_alternative(message.body_html, "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    email.send()
    _mark_sent(message.pk, claim)
    return True


def _with_unsubscribe_footer(*, text: str, html: str, links: dict[str, str]) -> tuple[str, str]:
    """Every reminder ends with the unsubscribe link, whatever its own template says."""
    footer_text = render_to_string("emails/_unsubscribe_footer.txt", links)
    footer_html = render_to_string("emails/_unsubscribe_footer.html", links)
    text = f"{text.rstrip()}\n\n{footer_text.strip()}\n"
    at = html.lower().rfind("</body>")
    html = f"{html[:at]}{footer_html}{html[at:]}" if at >= 0 else html + footer_html
    return text, html


def email_attempt_failed(*, message_id: int, error: str, claim: str, final: bool = False) -> str:
    """A try failed. Transient (``final=False``): queue it again for later with backoff,
    or record it failed when the tries run out. Returns the status it is left in."""
    message = EmailMessage.objects.filter(pk=message_id).first()
    if message is None:
        return ""
    mine = EmailMessage.objects.filter(
        pk=message_id, status=EmailMessage.Status.SENDING, claimed_by=claim[:64]
    )
    if final or message.attempts >= MAX_ATTEMPTS:
        mine.update(status=EmailMessage.Status.FAILED, error=error[:2000], next_attempt_at=None)
        return EmailMessage.Status.FAILED
    mine.update(
        status=EmailMessage.Status.QUEUED,
        error=error[:2000],
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
    )
    return EmailMessage.Status.QUEUED


def email_mark_failed(*, message_id: int, error: str) -> None:
    EmailMessage.objects.filter(
        pk=message_id, status__in=[EmailMessage.Status.QUEUED, EmailMessage.Status.SENDING]
    ).update(status=EmailMessage.Status.FAILED, error=error[:2000])


def email_flush(*, limit: int = 500) -> dict[str, int]:
    """The minute sweep: send what is due and recover what a fault left behind.

    - queued rows older than the grace period whose retry time (if any) has come: their
      wake-up call was lost (broker outage) or a backoff ended;
    - rows left "sending" by a task no live worker holds any more (``kill -9``, a lost
      host), or claimed longer ago than a send can possibly take: back to queued and sent
      again, with the same Message-ID."""
    from .tasks import send_email

    now = timezone.now()
    grace = now - timedelta(seconds=sweep_grace_seconds())
    stuck = EmailMessage.objects.filter(status=EmailMessage.Status.SENDING, claimed_at__lt=grace)
    released = 0
    if stuck.exists():
        running = running_task_ids()
        dead = Q(claimed_at__lt=now - CLAIM_EXPIRES)
        if running is not None:
            dead |= ~Q(claimed_by__in=running)
        released = stuck.filter(dead).update(status=EmailMessage.Status.QUEUED, claimed_by="")
    due = list(
        EmailMessage.objects.filter(status=EmailMessage.Status.QUEUED, created_at__lt=grace)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if enqueue(send_email, pk))
    return {"released": released, "enqueued": sent, "due": len(due)}


def email_requeue(*, message_ids: list[int]) -> int:
    """Send failed messages again (support's "send again"); returns how many."""
    from .tasks import send_email

    ids = list(
        EmailMessage.objects.filter(pk__in=message_ids, status=EmailMessage.Status.FAILED)
        .exclude(body_text="", body_html="", render_with="")
        .values_list("pk", flat=True)
    )
    EmailMessage.objects.filter(pk__in=ids).update(
        status=EmailMessage.Status.QUEUED, error="", next_attempt_at=None
    )
    for pk in ids:
        enqueue_on_commit(send_email, pk)
    return len(ids)
