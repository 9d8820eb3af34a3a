"""Invitations: create, cancel, resend, find and accept, and a new person's account."""

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

from ..models import Invitation, Role, School, Trust
from ..permissions import can_lead_trust, invitable_kinds_for_school
from .roles import partnership_id_for_scope, role_grant

K = Role.Kind

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
        _audit(actor, "invitation.sent", invitation)
        _invitation_email(invitation, token=token, inviter=actor)
    return invitation


def _audit(actor: User, action: str, invitation: Invitation) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=invitation,
        partnership_id=partnership_id_for_scope(school=invitation.school, trust=invitation.trust),
        data={"email": invitation.email, "kind": invitation.kind},
    )


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
        _audit(actor, "invitation.cancelled", locked)
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
        _audit(actor, "invitation.resent", locked)
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
            partnership_id=partnership_id_for_scope(
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
