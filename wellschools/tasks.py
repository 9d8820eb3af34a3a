"""Thin tasks: they take ids, re-fetch and call a service."""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from .documents import document_fail, document_render, documents_sweep
from .email import email_deliver, email_flush, email_mark_failed
from .reminders import reminders_scan

logger = logging.getLogger(__name__)


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


# --- generated documents ---------------------------------------------------------------
# The name matches the route "*.render_*", so renders run on the `pdf` queue.


@shared_task(bind=True, max_retries=3, soft_time_limit=90, time_limit=120)
def render_document(self, document_id: int) -> bool:
    try:
        return document_render(document_id=document_id)
    except SoftTimeLimitExceeded:
        document_fail(document_id=document_id, error="The render took longer than 90 seconds.")
    except OSError as error:
        # Storage trouble is transient: try again with backoff, then give up. In-process
        # (eager, propagating) a retry would raise into the request instead: fail at once.
        in_process = self.request.is_eager and self.app.conf.task_eager_propagates
        if in_process or self.request.retries >= self.max_retries:
            document_fail(document_id=document_id, error=repr(error))
            logger.exception("Document %s failed to render", document_id)
            return False
        raise self.retry(exc=error, countdown=min(300, 15 * 2**self.request.retries)) from error
    except Exception as error:
        # A bug or bad data will not fix itself: fail now; the page offers "try again".
        # Not re-raised, so an eager render (the embedded default) never breaks the request.
        document_fail(document_id=document_id, error=repr(error))
        logger.exception("Document %s failed to render", document_id)
    return False


@shared_task(soft_time_limit=240, time_limit=300)
def sweep_documents() -> dict[str, int]:
    return documents_sweep(
        retention_days=getattr(settings, "WELLSCHOOLS_DOCUMENT_RETENTION_DAYS", None)
    )


@shared_task(soft_time_limit=240, time_limit=300)
def clear_expired_sessions() -> None:
    """Delete expired sessions (``clearsessions``); finished documents past their retention
    go with ``sweep_documents``."""
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
