"""The one way a record changes status, and the one shape of its history.

A model with a workflow declares, next to its ``Status`` choices:

* ``TRANSITIONS``: ``{from_status: {to_status, ...}}`` (``""`` is "not yet created");
* ``HISTORY``: the related name of its history rows, a concrete ``StatusHistory``;
* optionally ``LOCK_RELATED`` (relations read with the locked row),
  ``transition_refused(to)`` (the message when a move is not in the table) and
  ``transition_fields(to, now)`` (the fields a new status stamps, e.g. ``confirmed_at``).

Services call ``transition(obj, to=..., actor=..., comment=...)``: it locks the row,
re-checks the status (and the caller's ``check``) after the lock, saves the new status and
``fields``, writes the history row and, given ``audit=``, the audit event, all in one
transaction. ``history_note`` records a creation or an edit that keeps the status.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .audit import audit_record
from .errors import DomainError

M = TypeVar("M", bound=models.Model)


class StatusHistory(models.Model):
    """One move of a record: from, to, who, when and why. Each workflow model has a
    concrete subclass with a foreign key to the record (related name ``HISTORY``)."""

    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} at {self.at:%Y-%m-%d %H:%M}"


class InvalidTransition(DomainError):
    """The move is not in the table for the record's current status (perhaps someone else
    moved it a moment ago)."""


def _refused(row: models.Model, to: str) -> str:
    if hasattr(row, "transition_refused"):
        return row.transition_refused(to)
    label = dict(row._meta.get_field("status").choices).get(to, to)
    return (
        f"This {row._meta.verbose_name} is {row.get_status_display().lower()}: it cannot be "
        f"{str(label).lower()} now."
    )


def _actor_or_none(actor):
    return actor if actor is not None and actor.pk else None


def history_note(obj: models.Model, *, actor, comment: str = "", created: bool = False):
    """A history row without a move: the record was created (``created``), or changed
    in a way that keeps its status."""
    return getattr(obj, obj.HISTORY).create(
        from_status="" if created else obj.status,
        to_status=obj.status,
        actor=_actor_or_none(actor),
        comment=comment,
    )


def transition(
    obj: M,
    *,
    to: str,
    actor,
    comment: str = "",
    check: Callable[[M], None] | None = None,
    fields: dict[str, Any] | None = None,
    audit: str | None = None,
    audit_data: dict[str, Any] | None = None,
    partnership_id: int | None = None,
    error: type[DomainError] = InvalidTransition,
) -> M:
    """Move ``obj`` to status ``to`` and return its locked, saved row.

    Locks the row (``select_for_update``), refuses a move the model's ``TRANSITIONS``
    table does not allow from the status read under the lock (raising ``error``), runs
    ``check(row)`` (which raises a DomainError), applies ``fields`` and the model's
    ``transition_fields``, writes the history row and, when ``audit`` names an action, an
    audit event with ``{"from", "to", **audit_data}``. All in one transaction: call it
    inside the caller's own ``transaction.atomic()`` to add more work to the same one."""
    model = type(obj)
    with transaction.atomic():
        rows = model.objects.select_for_update(of=("self",))
        if getattr(model, "LOCK_RELATED", ()):
            rows = rows.select_related(*model.LOCK_RELATED)
        row = rows.get(pk=obj.pk)
        if to not in model.TRANSITIONS.get(row.status, ()):
            raise error(_refused(row, to))
        if check is not None:
            check(row)
        from_status = row.status
        now = timezone.now()
        changed = dict(fields or {})
        if hasattr(row, "transition_fields"):
            changed.update(row.transition_fields(to, now))
        for name, value in changed.items():
            setattr(row, name, value)
        row.status = to
        row.save(update_fields=["status", *changed])
        getattr(row, model.HISTORY).create(
            from_status=from_status,
            to_status=to,
            actor=_actor_or_none(actor),
            at=now,
            comment=comment,
        )
        if audit:
            audit_record(
                actor=actor,
                action=audit,
                target=row,
                partnership_id=(
                    partnership_id
                    if partnership_id is not None
                    else getattr(row, "partnership_id", None)
                ),
                data={"from": from_status, "to": to, **(audit_data or {})},
            )
    return row
