"""Handing work to the Celery workers without ever failing a request that committed.

Every record that needs background work (an ``EmailMessage`` row, a pending
``GeneratedDocument``) is written in the caller's transaction and *is* the to-do item; the
task sent to the broker after commit is only a wake-up call. So:

- ``enqueue_on_commit(task, *args)`` is the one way the project sends a task after
  commit. If the broker cannot take it (Redis down, a network blip), or the task fails
  when it runs in-process (the embedded default), it logs and returns: the request that
  committed answers with success, the record stays pending, and the minute sweep
  (``email_flush``, ``documents_sweep``) sends it once the broker is back.
- After one failed publish the broker is not tried again for a few seconds, so a request
  that queues ten emails during an outage waits for one refused connection, not ten.
- ``running_task_ids()`` asks the live workers which tasks they are running, so a sweep
  can tell a render or send whose worker died (``kill -9``, a lost host) from one in
  progress, without waiting for the broker's visibility timeout.
"""

import logging
import time
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# A publish that cannot reach the broker fails fast: one quick retry, then give up.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# After a failed publish, skip the broker for this long (the sweep sends the work later).
BROKER_BACKOFF_SECONDS = 5.0

_broker_down_until = 0.0


def enqueue(task: Task, *args: Any) -> bool:
    """Send ``task(*args)`` to the workers now; False (and a log line) if that failed.

    Never raises: the caller's record stays pending and the sweep picks it up."""
    global _broker_down_until
    in_process = task.app.conf.task_always_eager
    if not in_process and time.monotonic() < _broker_down_until:
        logger.warning("Broker unavailable: %s%r left for the sweep", task.name, args)
        return False
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
    except (BrokerError, ConnectionError, TimeoutError):
        if in_process:  # the task itself failed (it never went near a broker)
            logger.exception("%s%r failed; the sweep will pick it up", task.name, args)
            return False
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.exception("Broker unavailable: %s%r left for the sweep", task.name, args)
        return False
    except Exception:
        # In-process (the embedded default) the task itself ran and failed.
        logger.exception("%s%r failed; the sweep will pick it up", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Send ``task(*args)`` once the current transaction commits (nothing if it rolls back).

    A broker outage at that moment is logged, never raised into the request."""
    transaction.on_commit(lambda: enqueue(task, *args), robust=True)


def running_task_ids(*, timeout: float = 1.0) -> set[str] | None:
    """Ids of the tasks the live workers are running or hold (reserved, scheduled), or
    None when it cannot be known (in-process tasks, no broker, no worker answered)."""
    from .celery import app

    if app.conf.task_always_eager or not settings.REDIS_URL:
        return None
    try:
        inspect = app.control.inspect(timeout=timeout)
        replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
    except Exception:
        logger.exception("Could not ask the workers what they are running")
        return None
    if not replies[0]:
        return None
    ids: set[str] = set()
    for reply in replies:
        for tasks in (reply or {}).values():
            for entry in tasks:
                request = entry.get("request", entry)  # scheduled entries wrap the request
                if request.get("id"):
                    ids.add(request["id"])
    return ids


def sweep_seconds() -> int:
    return int(getattr(settings, "WELLSCHOOLS_SWEEP_SECONDS", 60))


def sweep_grace_seconds() -> float:
    """How old a pending record must be before the sweep treats its wake-up call as lost
    (or its worker as dead): half a sweep interval, at most 30 s."""
    return min(30.0, sweep_seconds() / 2)
