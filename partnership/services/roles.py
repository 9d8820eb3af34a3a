"""Granting and removing roles, and the partnership a role's scope belongs to."""

from django.db import transaction

from wellschools.audit import audit_record
from wellschools.errors import DomainError
from wellschools.models import User

from ..models import Membership, Partnership, Role, School, Trust
from ..permissions import can_remove_role, forget_access

K = Role.Kind


def partnership_id_for_school(school: School) -> int | None:
    return school.memberships.values_list("partnership_id", flat=True).first()


def partnership_id_for_trust(trust: Trust) -> int | None:
    return (
        Membership.objects.filter(school__trust=trust)
        .values_list("partnership_id", flat=True)
        .first()
    )


def partnership_id_for_scope(*, school=None, trust=None, partnership=None) -> int | None:
    if partnership is not None:
        return partnership.pk
    if school is not None:
        return partnership_id_for_school(school)
    if trust is not None:
        return partnership_id_for_trust(trust)
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
            partnership_id=partnership_id_for_scope(
                school=school, trust=trust, partnership=partnership
            ),
            data={"user": user.email, "kind": kind, "scope": str(role.scope)},
        )
    forget_access(user)
    return role


def role_remove(*, actor: User, role: Role) -> None:
    if not can_remove_role(actor, role):
        raise DomainError("You cannot remove this role.")
    partnership_id = partnership_id_for_scope(
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
