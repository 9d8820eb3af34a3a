"""A school's membership of a partnership: applying, deciding, adding, lapsing and leaving."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import transition

from ..models import Membership, Partnership, Role, School
from ..permissions import is_coordinator
from ..selectors import coordinator_emails
from .roles import role_grant

K = Role.Kind

# --- membership -------------------------------------------------------------------------


def membership_apply(
    *, actor: User, partnership: Partnership, school: School, role_title: str
) -> Membership:
    _require_joinable(partnership=partnership, school=school)
    with transaction.atomic():
        membership = _membership_locked(partnership=partnership, school=school)
        if membership.status == Membership.Status.ACTIVE:
            raise DomainError(
                f"{school.name} is already a member. Ask one of its leaders to invite you."
            )
        if membership.status == Membership.Status.APPLIED and membership.applicant_id not in (
            None,
            actor.pk,
        ):
            raise DomainError(
                f"Someone at {school.name} has already applied; the coordinators will decide soon."
            )
        membership = transition(
            membership,
            to=Membership.Status.APPLIED,
            actor=actor,
            fields={
                "applicant": actor,
                "applicant_role_title": role_title,
                "applied_at": timezone.now(),
                "decided_by": None,
                "decided_at": None,
                "decision_reason": "",
            },
            audit="membership.applied",
            audit_data={"school": school.urn},
        )
        coordinators = coordinator_emails(partnership=partnership)
        if coordinators:
            email_send(
                to=coordinators,
                template="membership_applied",
                about=membership,
                context={
                    "membership": membership,
                    "applicant": actor,
                    "review_url": settings.SITE_URL
                    + reverse("partnership:applications", kwargs={"slug": partnership.slug}),
                },
            )
    return membership


def membership_decide(
    *, actor: User, membership: Membership, approve: bool, reason: str = ""
) -> Membership:
    if not is_coordinator(actor, membership.partnership):
        raise DomainError("Only the partnership's coordinators decide on applications.")
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError("Give the school a reason when you decline.", field="reason")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("school", "partnership", "applicant")
            .get(pk=membership.pk)
        )
        if membership.status != Membership.Status.APPLIED:
            raise DomainError("This application has already been decided.")
        fields = {"decided_by": actor, "decided_at": timezone.now(), "decision_reason": reason}
        if approve:
            fields.update(joined_on=timezone.localdate(), ended_on=None)
        membership = transition(
            membership,
            to=Membership.Status.ACTIVE if approve else Membership.Status.DECLINED,
            actor=actor,
            comment=reason,
            fields=fields,
            audit="membership.approved" if approve else "membership.declined",
            audit_data={"school": membership.school.urn, "reason": reason},
        )
        if approve and membership.applicant is not None:
            role_grant(
                actor=actor,
                user=membership.applicant,
                kind=K.SCHOOL_LEADER,
                school=membership.school,
            )
        if membership.applicant is not None:
            email_send(
                to=membership.applicant.email,
                template="membership_decided",
                about=membership,
                context={
                    "membership": membership,
                    "approved": approve,
                    "school_url": settings.SITE_URL + membership.school.get_absolute_url(),
                },
            )
    return membership


def membership_set_status(*, actor: User, membership: Membership, status: str) -> Membership:
    """A coordinator marks an active membership lapsed or left, or restores it. The status
    is checked again under the row's lock (someone may have re-applied a moment ago)."""
    if not is_coordinator(actor, membership.partnership):
        raise DomainError("Only the partnership's coordinators change memberships.")
    settable = Membership.SETTABLE
    if status not in settable:
        raise DomainError("This membership cannot be changed that way.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.status not in settable:
            raise DomainError("This membership cannot be changed that way.")
        if membership.status == status:
            return membership
        return transition(
            membership,
            to=status,
            actor=actor,
            fields={
                "ended_on": None if status == Membership.Status.ACTIVE else timezone.localdate()
            },
            audit="membership.status_changed",
        )


def membership_add(*, actor: User, partnership: Partnership, school: School) -> Membership:
    """A coordinator adds a school directly (no application needed)."""
    if not is_coordinator(actor, partnership):
        raise DomainError("Only the partnership's coordinators add member schools.")
    _require_joinable(partnership=partnership, school=school)
    with transaction.atomic():
        membership = _membership_locked(partnership=partnership, school=school)
        if membership.status == Membership.Status.ACTIVE:
            raise DomainError(f"{school.name} is already a member.")
        return transition(
            membership,
            to=Membership.Status.ACTIVE,
            actor=actor,
            fields={
                "joined_on": timezone.localdate(),
                "ended_on": None,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
            audit="membership.added",
            audit_data={"school": school.urn},
        )


def _require_joinable(*, partnership: Partnership, school: School) -> None:
    if partnership.la_codes and school.la_code not in partnership.la_codes:
        raise DomainError(f"{school.name} is outside the area {partnership.name} covers.")
    if school.status == School.Status.CLOSED:
        raise DomainError(f"{school.name} is closed.")


def _membership_locked(*, partnership: Partnership, school: School) -> Membership:
    """The school's membership row, locked; a new row starts with no status ("" in
    ``Membership.TRANSITIONS``) and gets one from the caller's transition."""
    membership, _ = Membership.objects.select_for_update().get_or_create(
        partnership=partnership, school=school, defaults={"status": ""}
    )
    return membership
