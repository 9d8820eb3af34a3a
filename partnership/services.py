"""Services that change partnerships, schools, memberships, roles and invitations."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wellschools.audit import audit_record
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import transition

from .models import Invitation, Membership, Partnership, Role, School, Trust
from .permissions import (
    can_lead_trust,
    can_remove_role,
    forget_access,
    invitable_kinds_for_school,
    is_coordinator,
)
from .selectors import coordinator_emails

K = Role.Kind


def _partnership_id_for_school(school: School) -> int | None:
    return school.memberships.values_list("partnership_id", flat=True).first()


def _partnership_id_for_trust(trust: Trust) -> int | None:
    return (
        Membership.objects.filter(school__trust=trust)
        .values_list("partnership_id", flat=True)
        .first()
    )


def _partnership_id_for_scope(*, school=None, trust=None, partnership=None) -> int | None:
    if partnership is not None:
        return partnership.pk
    if school is not None:
        return _partnership_id_for_school(school)
    if trust is not None:
        return _partnership_id_for_trust(trust)
    return None


# --- roles ------------------------------------------------------------------------------


def role_grant(
    *,
    actor: User | None,
    user: User,
    kind: str,
    school: School | None = None,
    trust: Trust | None = None,
    partnership: Partnership | None = None,
) -> Role:
    """Grant a role (idempotent: granting one the person holds returns it)."""
    role, created = Role.objects.get_or_create(
        user=user,
        kind=kind,
        school=school,
        trust=trust,
        partnership=partnership,
        defaults={"granted_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            action="role.granted",
            target=role,
            partnership_id=_partnership_id_for_scope(
                school=school, trust=trust, partnership=partnership
            ),
            data={"user": user.email, "kind": kind, "scope": str(role.scope)},
        )
    forget_access(user)
    return role


def role_remove(*, actor: User, role: Role) -> None:
    if not can_remove_role(actor, role):
        raise DomainError("You cannot remove this role.")
    partnership_id = _partnership_id_for_scope(
        school=role.school, trust=role.trust, partnership=role.partnership
    )
    with transaction.atomic():
        if role.kind == K.SCHOOL_LEADER and role.user_id == actor.pk:
            # Lock the school's leader roles, so two leaders leaving at once cannot both
            # pass this check: the second sees the first one gone.
            leaders = Role.objects.select_for_update().filter(
                kind=K.SCHOOL_LEADER, school_id=role.school_id
            )
            if not [pk for pk in leaders.values_list("pk", flat=True) if pk != role.pk]:
                raise DomainError(
                    "A school needs at least one leader: invite another leader first."
                )
        audit_record(
            actor=actor,
            action="role.removed",
            target=role,
            partnership_id=partnership_id,
            data={"user": role.user.email, "kind": role.kind, "scope": str(role.scope)},
        )
        role.delete()
    forget_access(actor)


# --- invitations ------------------------------------------------------------------------


def invitation_create(
    *,
    actor: User,
    email: str,
    kind: str,
    school: School | None = None,
    trust: Trust | None = None,
) -> Invitation:
    email = email.strip().lower()
    if school is not None:
        if kind not in invitable_kinds_for_school(actor, school):
            raise DomainError(
                "You cannot invite someone to this role at this school.", field="kind"
            )
        if Role.objects.filter(user__email__iexact=email, kind=kind, school=school).exists():
            raise DomainError(f"{email} already has this role at {school.name}.", field="email")
    elif trust is not None:
        if kind != K.TRUST_STAFF or not can_lead_trust(actor, trust):
            raise DomainError("Only the trust lead can invite trust staff.", field="kind")
        if Role.objects.filter(user__email__iexact=email, kind=kind, trust=trust).exists():
            raise DomainError(f"{email} already has this role at {trust.name}.", field="email")
    else:
        raise DomainError("An invitation needs a school or a trust.")

    with transaction.atomic():
        # Lock the school or trust so that two people inviting the same address at the same
        # moment cannot both pass the check for a waiting invitation.
        (School if school else Trust).objects.select_for_update().get(pk=(school or trust).pk)
        waiting = (
            Invitation.objects.filter(
                email__iexact=email,
                school=school,
                trust=trust,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        if waiting is not None:
            raise DomainError(
                f"An invitation to {email} is already waiting to be accepted (as "
                f"{waiting.get_kind_display().lower()}). Send it again or cancel it from the "
                "list of invitations instead.",
                field="email",
            )
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = Invitation.objects.create(
            email=email,
            kind=kind,
            school=school,
            trust=trust,
            token_hash=Invitation.hash_token(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.WELLSCHOOLS_INVITATION_DAYS),
        )
        audit_record(
            actor=actor,
            action="invitation.sent",
            target=invitation,
            partnership_id=_partnership_id_for_scope(school=school, trust=trust),
            data={"email": email, "kind": kind},
        )
        _invitation_email(invitation, token=token, inviter=actor)
    return invitation


def _invitation_email(invitation: Invitation, *, token: str, inviter: User) -> None:
    email_send(
        to=invitation.email,
        template="invitation",
        about=invitation,
        context={
            "invitation": invitation,
            "inviter": inviter,
            "accept_url": settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token}),
            "days": settings.WELLSCHOOLS_INVITATION_DAYS,
        },
    )


def _locked_open_invitation(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise DomainError(f"{locked.email} has already accepted this invitation.")
    if locked.revoked_at is not None:
        raise DomainError(f"The invitation to {locked.email} was cancelled.")
    return locked


def invitation_cancel(*, actor: User, invitation: Invitation) -> Invitation:
    """Cancel a waiting invitation: its link stops working at once."""
    with transaction.atomic():
        locked = _locked_open_invitation(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="invitation.cancelled",
            target=locked,
            partnership_id=_partnership_id_for_scope(school=locked.school, trust=locked.trust),
            data={"email": locked.email, "kind": locked.kind},
        )
    return locked


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Email the invitation again with a new link (the old one stops working, since only a
    hash of the token is kept) valid for another full period, expired or not."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _locked_open_invitation(invitation)
        now = timezone.now()
        locked.token_hash = Invitation.hash_token(token)
        locked.expires_at = now + timedelta(days=settings.WELLSCHOOLS_INVITATION_DAYS)
        locked.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            actor=actor,
            action="invitation.resent",
            target=locked,
            partnership_id=_partnership_id_for_scope(school=locked.school, trust=locked.trust),
            data={"email": locked.email, "kind": locked.kind},
        )
        _invitation_email(locked, token=token, inviter=actor)
    return locked


def invitation_find(*, token: str) -> Invitation:
    """The invitation for a token, or a DomainError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("school", "trust", "partnership", "invited_by")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        raise DomainError("This invitation link is not valid. Check you copied the whole link.")
    if invitation.accepted_at is not None:
        raise DomainError("This invitation has already been used. Sign in to continue.")
    if invitation.revoked_at is not None:
        raise DomainError("This invitation was withdrawn. Ask the person who invited you.")
    if invitation.is_expired:
        raise DomainError(
            "This invitation has expired. Ask the person who invited you to send a new one."
        )
    return invitation


def invitation_accept(*, token: str, user: User) -> Role:
    with transaction.atomic():
        invitation = invitation_find(token=token)
        # Lock the row so the same link cannot be accepted twice at once.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise DomainError("This invitation has already been used. Sign in to continue.")
        if invitation.email.lower() != user.email.lower():
            raise DomainError(
                f"This invitation was sent to {invitation.email}, but you are signed in as "
                f"{user.email}. Sign out and open the link again."
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        role = role_grant(
            actor=invitation.invited_by,
            user=user,
            kind=invitation.kind,
            school=invitation.school,
            trust=invitation.trust,
            partnership=invitation.partnership,
        )
        audit_record(
            actor=user,
            action="invitation.accepted",
            target=invitation,
            partnership_id=_partnership_id_for_scope(
                school=invitation.school, trust=invitation.trust
            ),
            data={"email": user.email, "kind": invitation.kind},
        )
    return role


def account_create_for_invitation(*, token: str, full_name: str, password: str) -> User:
    """Create the account of an invitee; following the emailed link proves the address."""
    from allauth.account.models import EmailAddress

    invitation = invitation_find(token=token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise DomainError("An account with this email address exists already: sign in instead.")
    with transaction.atomic():
        try:
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
        except IntegrityError as error:
            raise DomainError(
                "An account with this email address exists already: sign in instead."
            ) from error
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        invitation_accept(token=token, user=user)
    return user


# --- membership -------------------------------------------------------------------------


def membership_apply(
    *, actor: User, partnership: Partnership, school: School, role_title: str
) -> Membership:
    if partnership.la_codes and school.la_code not in partnership.la_codes:
        raise DomainError(f"{school.name} is outside the area {partnership.name} covers.")
    if school.status == School.Status.CLOSED:
        raise DomainError(f"{school.name} is closed.")
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
    if partnership.la_codes and school.la_code not in partnership.la_codes:
        raise DomainError(f"{school.name} is outside the area {partnership.name} covers.")
    if school.status == School.Status.CLOSED:
        raise DomainError(f"{school.name} is closed.")
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


def _membership_locked(*, partnership: Partnership, school: School) -> Membership:
    """The school's membership row, locked; a new row starts with no status ("" in
    ``Membership.TRANSITIONS``) and gets one from the caller's transition."""
    membership, _ = Membership.objects.select_for_update().get_or_create(
        partnership=partnership, school=school, defaults={"status": ""}
    )
    return membership
