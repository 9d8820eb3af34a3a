"""Thin tasks: they take ids, re-fetch and call a service."""

import smtplib

from celery import shared_task

from .email import email_deliver, email_flush, email_mark_failed
from .reminders import reminders_scan


# Transient failures worth another try; anything else fails the message at once.
TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(bind=True, max_retries=6, soft_time_limit=30, time_limit=60)
def send_email(self, message_id: int) -> bool:
    try:
        return email_deliver(message_id=message_id)
    except TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            email_mark_failed(message_id=message_id, error=repr(error))
            raise
        # Exponential backoff capped at 10 minutes: 10 s, 20 s, 40 s, ...
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error
    except Exception as error:
        email_mark_failed(message_id=message_id, error=repr(error))
        raise


@shared_task(soft_time_limit=120, time_limit=180)
def flush_email_outbox() -> int:
    return email_flush()


@shared_task(soft_time_limit=240, time_limit=300)
def scan_reminders() -> dict[str, int]:
    return reminders_scan()
