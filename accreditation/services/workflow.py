"""The one way an application changes state, and what the services share."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from wellschools import workflow
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User

from ..dates import working_days_between
from ..models import Application

S = Application.Status


class AccreditationError(DomainError):
    pass


class InvalidTransition(AccreditationError, workflow.InvalidTransition):
    """The move is not in the table for the application's current state (perhaps someone
    else moved it a moment ago)."""


def locked(application: Application) -> Application:
    """The application's row, locked until the transaction ends (call inside atomic)."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related(*Application.LOCK_RELATED)
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
    """The platform's ``workflow.transition`` for applications: every move is audited as
    ``accreditation.<status>`` with the school's URN. Only the public services call this."""
    return workflow.transition(
        application,
        to=to,
        actor=actor,
        comment=comment,
        check=check,
        fields=fields,
        audit=f"accreditation.{to}",
        audit_data={"school": application.school.urn, **(audit_data or {})},
        error=InvalidTransition,
    )


def clock_stopped(row: Application) -> dict[str, Any]:
    """Fields that stop the turnaround clock (the application leaves the partnership)."""
    used = row.working_days_used
    if row.waiting_since is not None:
        used += working_days_between(timezone.localdate(row.waiting_since), timezone.localdate())
    return {"working_days_used": used, "waiting_since": None}


# --- who gets told ---------------------------------------------------------------------------


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
