"""Reminders come from a periodic scan of what is due now (never long countdowns).

Each app declares its scanners on its AppConfig (``reminder_scanners = [dotted paths]``,
see ``wellschools.extensions``); the beat task ``wellschools.tasks.scan_reminders`` runs
them all every few minutes. A scanner finds what
is due and, for each reminder, calls ``reminder_claim`` and sends the email in the same
transaction only when the claim succeeds — so two scans at once, or a scan re-run after a
worker was killed, send every reminder exactly once.
"""

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction

from .email import email_send
from .extensions import declared
from .models import ReminderClaim
from .preferences import reminders_wanted


def reminder_scanners() -> tuple[Callable[[], int], ...]:
    """The declared scanners: each sends the reminders due now and returns how many."""
    return declared("reminder_scanners")


def reminder_claim(*, kind: str, key: str, recipient: str) -> bool:
    """Claim one reminder; False if it was claimed before (by this or another scan).

    Call inside the transaction that queues the email: if that transaction rolls back, the
    claim goes too, and the next scan sends the reminder."""
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(kind=kind, key=key, recipient=recipient.lower())
    except IntegrityError:
        return False
    return True


def reminder_send(
    *,
    kind: str,
    key: str,
    recipient: str,
    template: str = "",
    context: dict[str, Any] | None = None,
    about: models.Model | None = None,
    send: Callable[[], None] | None = None,
) -> bool:
    """Claim one reminder and queue its email in one transaction: both happen or neither
    does. True if it was sent now; False if it was sent before or the person turned
    reminders off. ``send`` queues a custom email instead of ``template`` (e.g. with a
    calendar file)."""
    if not reminders_wanted(recipient):
        return False
    with transaction.atomic():
        if not reminder_claim(kind=kind, key=key, recipient=recipient):
            return False
        if send is not None:
            send()
        else:
            email_send(
                to=recipient,
                template=template,
                context=context or {},
                kind=kind,
                about=about,
                essential=False,
            )
    return True


def reminders_scan() -> dict[str, int]:
    return {f"{fn.__module__}.{fn.__name__}": fn() for fn in reminder_scanners()}
