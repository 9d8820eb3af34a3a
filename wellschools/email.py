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

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import EmailListUnsubscribe, EmailMessage
from .preferences import reminders_unwanted, reminders_wanted, unsubscribe_url

# (filename, content, mimetype) — content is text, e.g. an iCalendar file.
Attachment = tuple[str, str, str]


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
        headers = {}
        unsubscribe = EmailListUnsubscribe.objects.filter(message_id=message.pk).first()
        if unsubscribe is not None:
            if not reminders_wanted(message.recipient):
                # Turned off between queueing and sending: honour it.
                message.status = EmailMessage.Status.FAILED
                message.error = "Not sent: the recipient turned reminders off."
                message.body_text = message.body_html = ""
                message.save(update_fields=["status", "error", "body_text", "body_html"])
                return False
            headers = {
                "List-Unsubscribe": f"<{unsubscribe.url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
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
        message.status = EmailMessage.Status.SENT
        message.sent_at = timezone.now()
        message.attempts += 1
        message.body_text = message.body_html = ""
        message.save(update_fields=["status", "sent_at", "attempts", "body_text", "body_html"])
    return True


def _with_unsubscribe_footer(*, text: str, html: str, links: dict[str, str]) -> tuple[str, str]:
    """Every reminder ends with the unsubscribe link, whatever its own template says."""
    footer_text = render_to_string("emails/_unsubscribe_footer.txt", links)
    footer_html = render_to_string("emails/_unsubscribe_footer.html", links)
    text = f"{text.rstrip()}\n\n{footer_text.strip()}\n"
    at = html.lower().rfind("</body>")
    html = f"{html[:at]}{footer_html}{html[at:]}" if at >= 0 else html + footer_html
    return text, html


def email_mark_failed(*, message_id: int, error: str) -> None:
    EmailMessage.objects.filter(pk=message_id, status=EmailMessage.Status.QUEUED).update(
        status=EmailMessage.Status.FAILED, error=error[:2000]
    )


def email_flush(*, older_than_seconds: int = 300) -> int:
    """Re-enqueue messages still queued after a while (their enqueue was lost)."""
    from .tasks import send_email

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        EmailMessage.objects.filter(
            status=EmailMessage.Status.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        send_email.delay(pk)
    return len(ids)


def email_requeue(*, message_ids: list[int]) -> int:
    """Send failed messages again (support's "send again"); returns how many."""
    from .tasks import send_email

    ids = list(
        EmailMessage.objects.filter(pk__in=message_ids, status=EmailMessage.Status.FAILED)
        .exclude(body_text="", body_html="")
        .values_list("pk", flat=True)
    )
    EmailMessage.objects.filter(pk__in=ids).update(status=EmailMessage.Status.QUEUED, error="")
    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_email.delay(pk))
    return len(ids)
