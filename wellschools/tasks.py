"""Thin tasks: they take ids, re-fetch and call a service.

Database connection errors (PostgreSQL restarting, a dropped connection) are transient:
every task retries them with backoff after closing the broken connection. Celery's Django
fix-up closes unusable connections before each task, and ``CONN_HEALTH_CHECKS`` makes the
first query of a task reconnect if the server went away while the worker was idle.
"""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from .documents import document_fail, document_render, documents_sweep
from .email import email_attempt_failed, email_deliver, email_flush
from .reminders import reminders_scan

logger = logging.getLogger(__name__)


# Transient failures worth another try; anything else fails the message at once.
TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError)
DATABASE_DOWN = (OperationalError, InterfaceError)
# Countdowns stay well below the broker's visibility timeout (settings).
DATABASE_RETRIES = 6


def _retry_database(task, error: Exception):
    """Close the broken connections and try the task again: 2, 4, 8, 16, 32, 60 s."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:  # a task's own transaction has ended by now
            conn.close()
    in_process = task.request.is_eager and task.app.conf.task_eager_propagates
    if in_process or task.request.retries >= DATABASE_RETRIES:
        raise error
    logger.warning("Database unavailable in %s; retrying: %r", task.name, error)
    raise task.retry(
        exc=error, countdown=min(60, 2 ** (task.request.retries + 1)), max_retries=DATABASE_RETRIES
    )


@shared_task(bind=True, soft_time_limit=30, time_limit=60)
def send_email(self, message_id: int) -> bool:
    claim = self.request.id or ""
    try:
        return email_deliver(message_id=message_id, claim=claim)
    except DATABASE_DOWN as error:
        _retry_database(self, error)
    except TRANSIENT as error:
        # Queued again with backoff; the minute sweep sends it when it is due (no long
        # countdowns held in a worker's memory, where a killed worker would lose them).
        status = email_attempt_failed(message_id=message_id, error=repr(error), claim=claim)
        logger.warning("Email %s not sent (%r); now %s", message_id, error, status)
        return False
    except SoftTimeLimitExceeded as error:
        email_attempt_failed(message_id=message_id, error=repr(error), claim=claim)
        return False
    except Exception as error:
        email_attempt_failed(message_id=message_id, error=repr(error), claim=claim, final=True)
        raise
    return False


@shared_task(bind=True, soft_time_limit=50, time_limit=60)
def flush_email_outbox(self) -> dict[str, int]:
    try:
        return email_flush()
    except DATABASE_DOWN as error:
        _retry_database(self, error)
    return {}


@shared_task(bind=True, soft_time_limit=240, time_limit=300)
def scan_reminders(self) -> dict[str, int]:
    try:
        return reminders_scan()
    except DATABASE_DOWN as error:
        _retry_database(self, error)
    return {}


# --- generated documents ---------------------------------------------------------------
# The name matches the route "*.render_*", so renders run on the `pdf` queue.


@shared_task(bind=True, max_retries=3, soft_time_limit=90, time_limit=120)
def render_document(self, document_id: int) -> bool:
    try:
        return document_render(document_id=document_id, task_id=self.request.id or "")
    except DATABASE_DOWN as error:
        _retry_database(self, error)
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


@shared_task(bind=True, soft_time_limit=50, time_limit=60)
def sweep_documents(self) -> dict[str, int]:
    try:
        return documents_sweep(
            retention_days=getattr(settings, "WELLSCHOOLS_DOCUMENT_RETENTION_DAYS", None)
        )
    except DATABASE_DOWN as error:
        _retry_database(self, error)
    return {}


@shared_task(soft_time_limit=240, time_limit=300)
def clear_expired_sessions() -> None:
    """Delete expired sessions (``clearsessions``); finished documents past their retention
    go with ``sweep_documents``."""
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
