"""The one way the platform sends email.

Every email has three templates: ``emails/<name>_subject.txt``, ``_body.txt`` and
``_body.html``. Sending happens in a Celery task after the surrounding transaction
commits, so a rolled-back request sends nothing.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    text = render_to_string(f"emails/{template}_body.txt", context)
    html = render_to_string(f"emails/{template}_body.html", context)
    return subject, text, html


def email_deliver(*, to: list[str], subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()


def email_send(*, to: list[str] | str, template: str, context: dict[str, Any]) -> None:
    """Render now (the context may hold model instances) and send once committed."""
    from .tasks import send_email

    recipients = [to] if isinstance(to, str) else list(to)
    subject, text, html = email_render(template=template, context=context)
    transaction.on_commit(
        lambda: send_email.delay(to=recipients, subject=subject, text=text, html=html)
    )
