"""The one way the platform sends email.

Every email has three templates: ``emails/<name>_subject.txt``, ``_body.txt`` and
``_body.html``. ``email_send`` renders them now and writes one ``EmailMessage`` row per
recipient in the caller's transaction; a Celery task sends each row after commit. A
rolled-back request therefore sends nothing, and every email sent can be looked up later
("did they get it?").
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EmailMessage

# (filename, content, mimetype) — content is text, e.g. an iCalendar file.
Attachment = tuple[str, str, str]


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    text = render_to_string(f"emails/{template}_body.txt", context)
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
) -> list[EmailMessage]:
    """Queue an email to each recipient; it goes out once the transaction commits."""
    from .tasks import send_email

    recipients = [to] if isinstance(to, str) else list(dict.fromkeys(to))
    subject, text, html = email_render(template=template, context=context)
    messages = [
        EmailMessage.objects.create(
            recipient=recipient,
            kind=kind or template,
            subject=subject[:300],
            body_text=text,
            body_html=html,
            attachments=[list(a) for a in attachments or []],
            object_type=about._meta.label_lower if about is not None else "",
            object_id=str(about.pk) if about is not None else "",
        )
        for recipient in recipients
    ]
    for message in messages:
        transaction.on_commit(lambda pk=message.pk: send_email.delay(pk))
    return messages


def email_deliver(*, message_id: int) -> bool:
    """Send one queued message; True if this call sent it. Safe to run twice."""
    with transaction.atomic():
        message = (
            EmailMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=EmailMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return False  # already sent, failed for good, or being sent by another worker
        email = EmailMultiAlternatives(
            subject=message.subject, body=message.body_text, to=[message.recipient]
        )
        email.attach_alternative(message.body_html, "text/html")
        for filename, content, mimetype in message.attachments:
            email.attach(filename, content, mimetype)
        email.send()
        message.status = EmailMessage.Status.SENT
        message.sent_at = timezone.now()
        message.attempts += 1
        message.body_text = message.body_html = ""
        message.save(update_fields=["status", "sent_at", "attempts", "body_text", "body_html"])
    return True


def email_mark_failed(*, message_id: int, error: str) -> None:
    EmailMessage.objects.filter(pk=message_id, status=EmailMessage.Status.QUEUED).update(
        status=EmailMessage.Status.FAILED, error=error[:2000]
    )


def email_flush(*, older_than_seconds: int = 300) -> int:
    """Re-enqueue messages still queued after a while (their enqueue was lost)."""
    from .tasks import send_email

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        EmailMessage.objects.filter(status=EmailMessage.Status.QUEUED, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        send_email.delay(pk)
    return len(ids)
