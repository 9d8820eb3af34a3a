"""The one way an application changes state, and what the services share."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnership.models import Partnership, Role, School
from wellschools.audit import audit_record
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User

from ..dates import working_days_between
from ..models import Application, ApplicationHistory

S = Application.Status


class AccreditationError(DomainError):
    pass


class InvalidTransition(AccreditationError):
    """The move is not in the table for the application's current state (perhaps someone
    else moved it a moment ago)."""


VERBS = {
    S.SUBMITTED: "submitted",
    S.IN_REVIEW: "put in review",
    S.CHANGES_REQUESTED: "sent back for changes",
    S.RESUBMITTED: "resubmitted",
    S.AWARDED: "awarded",
    S.NOT_AWARDED: "not awarded",
    S.WITHDRAWN: "withdrawn",
}


def locked(application: Application) -> Application:
    """The application's row, locked until the transaction ends (call inside atomic)."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("school", "school__trust", "partnership", "framework")
        .get(pk=application.pk)
    )


def transition(
    *,
    application: Application,
    to: str,
    actor: User | None,
    comment: str = "",
    check: Callable[[Application], None] | None = None,
    fields: dict[str, Any] | None = None,
    audit_data: dict[str, Any] | None = None,
) -> Application:
    """Move the application to ``to``: lock its row, re-check the state (and ``check``,
    which raises AccreditationError) after the lock, apply ``fields``, write the history
    row and the audit event. Only the public services call this."""
    with transaction.atomic():
        row = locked(application)
        if to not in Application.TRANSITIONS[row.status]:
            raise InvalidTransition(
                f"This application is {row.get_status_display().lower()}: it cannot be "
                f"{VERBS.get(to, to)} now. Reload the page to see its current state."
            )
        if check is not None:
            check(row)
        from_status = row.status
        now = timezone.now()
        changed = dict(fields or {})
        for name, value in changed.items():
            setattr(row, name, value)
        row.status = to
        row.status_changed_at = now
        row.save(update_fields=["status", "status_changed_at", *changed])
        ApplicationHistory.objects.create(
            application=row,
            from_status=from_status,
            to_status=to,
            actor=actor if actor is not None and actor.pk else None,
            at=now,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action=f"accreditation.{to}",
            target=row,
            partnership_id=row.partnership_id,
            data={"from": from_status, "to": to, "school": row.school.urn, **(audit_data or {})},
        )
    return row


def clock_stopped(row: Application) -> dict[str, Any]:
    """Fields that stop the turnaround clock (the application leaves the partnership)."""
    used = row.working_days_used
    if row.waiting_since is not None:
        used += working_days_between(timezone.localdate(row.waiting_since), timezone.localdate())
    return {"working_days_used": used, "waiting_since": None}


# --- who gets told ---------------------------------------------------------------------------


def leader_emails(school: School) -> list[str]:
    return list(
        Role.objects.filter(
            school=school, kind=Role.Kind.SCHOOL_LEADER, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def coordinator_emails(partnership: Partnership) -> list[str]:
    return list(
        Role.objects.filter(
            partnership=partnership, kind=Role.Kind.COORDINATOR, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def tell(*, to: list[str], template: str, application: Application, **context) -> None:
    """Email the people who must act next (queued in this transaction, sent on commit)."""
    if not to:
        return
    email_send(
        to=to,
        template=template,
        kind=template,
        about=application,
        context={
            "application": application,
            "school": application.school,
            "partnership": application.partnership,
            "school_url": settings.SITE_URL + application.get_absolute_url(),
            "review_url": settings.SITE_URL + application.get_review_url(),
            "coordinator_url": settings.SITE_URL + application.get_coordinator_url(),
            **context,
        },
    )
