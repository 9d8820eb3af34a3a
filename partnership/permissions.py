"""The one place that decides who may see and do what.

Outsiders get 404 (they must not learn a thing exists); members of the partnership
without the right get 403. Roles are read from the database once per request, so a role
removed now takes effect on the person's next request.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, Partnership, Role, School, Trust

K = Role.Kind


@dataclass
class Access:
    """What one signed-in person holds, read once per request."""

    is_superuser: bool = False
    school_kinds: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    trust_kinds: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    coordinator_of: set[int] = field(default_factory=set)
    # Partnerships in which the person holds any role (through a school, trust or directly).
    partnerships: set[int] = field(default_factory=set)

    @property
    def has_any_role(self) -> bool:
        return bool(self.school_kinds or self.trust_kinds or self.coordinator_of)


def access_for(user) -> Access:
    if not getattr(user, "is_authenticated", False):
        return Access()
    cached = getattr(user, "_wellschools_access", None)
    if cached is not None:
        return cached
    access = Access(is_superuser=user.is_superuser)
    school_ids, trust_ids = set(), set()
    for kind, school_id, trust_id, partnership_id in Role.objects.filter(user=user).values_list(
        "kind", "school_id", "trust_id", "partnership_id"
    ):
        if school_id:
            access.school_kinds[school_id].add(kind)
            school_ids.add(school_id)
        elif trust_id:
            access.trust_kinds[trust_id].add(kind)
            trust_ids.add(trust_id)
        elif partnership_id:
            access.coordinator_of.add(partnership_id)
            access.partnerships.add(partnership_id)
    if school_ids or trust_ids:
        from django.db.models import Q

        access.partnerships.update(
            Membership.objects.filter(
                Q(school_id__in=school_ids) | Q(school__trust_id__in=trust_ids)
            )
            .values_list("partnership_id", flat=True)
            .distinct()
        )
    user._wellschools_access = access
    return access


def forget_access(user) -> None:
    """Drop the per-request snapshot after this request changed the person's own roles."""
    if hasattr(user, "_wellschools_access"):
        del user._wellschools_access


# --- the one shape: return the object, or refuse with 404 / 403 -------------------------

T = TypeVar("T")
Right = Callable[[Any, T], bool]


def refuse(user, partnership_ids: Iterable[int]) -> NoReturn:
    """403 for someone who holds a role in one of these partnerships (they may know the
    object exists), 404 for anyone else (they must not learn it does)."""
    if is_in_partnership(user, set(partnership_ids)):
        raise PermissionDenied
    raise Http404


def allow_or_refuse(user, obj: T, *, allowed: bool, partnership_ids: Iterable[int]) -> T:
    """The shared shape of every ``get_<thing>_for`` helper of every app: return ``obj``
    when ``allowed``; otherwise refuse (see ``refuse``)."""
    if allowed:
        return obj
    refuse(user, partnership_ids)


# --- questions -------------------------------------------------------------------------


def requires_two_factor(user) -> bool:
    """Coordinators and platform admins must enrol TOTP before any page opens."""
    access = access_for(user)
    return access.is_superuser or bool(access.coordinator_of)


def is_coordinator(user, partnership: Partnership) -> bool:
    access = access_for(user)
    return access.is_superuser or partnership.pk in access.coordinator_of


def school_partnership_ids(school: School) -> set[int]:
    """Every partnership the school has a membership of, in any status (for 403 vs 404)."""
    return set(school.memberships.values_list("partnership_id", flat=True))


def active_partnership_ids(school: School) -> set[int]:
    """The partnerships the school is an active member of: the only source of a
    coordinator's rights over it (docs/tenancy.md)."""
    return set(
        school.memberships.filter(status=Membership.Status.ACTIVE).values_list(
            "partnership_id", flat=True
        )
    )


def coordinates_school(user, school: School) -> bool:
    """A coordinator of a partnership the school is an *active* member of (or a platform
    admin). Applied, declined, lapsed and left memberships give no rights."""
    access = access_for(user)
    if access.is_superuser:
        return True
    return bool(access.coordinator_of and access.coordinator_of & active_partnership_ids(school))


def can_view_school(user, school: School) -> bool:
    access = access_for(user)
    if access.is_superuser or access.school_kinds.get(school.pk):
        return True
    if school.trust_id and access.trust_kinds.get(school.trust_id):
        return True
    return coordinates_school(user, school)


def can_view_school_record(user, school: School) -> bool:
    """The school's page itself (name, facts, memberships): everyone who may view the
    school, and the coordinators of any partnership it has a membership of in any status,
    who change that membership there. Its people and its work stay closed to them."""
    if can_view_school(user, school):
        return True
    access = access_for(user)
    return bool(access.coordinator_of & school_partnership_ids(school))


def can_lead_school(user, school: School) -> bool:
    return K.SCHOOL_LEADER in access_for(user).school_kinds.get(school.pk, set())


def invitable_kinds_for_school(user, school: School) -> list[str]:
    """School leaders invite colleagues of every school role; coordinators of a
    partnership the school is an active member of invite leaders."""
    if can_lead_school(user, school):
        return [K.SCHOOL_LEADER, K.SCHOOL_STAFF, K.GOVERNOR]
    if coordinates_school(user, school):
        return [K.SCHOOL_LEADER]
    return []


def can_manage_school_people(user, school: School) -> bool:
    return bool(invitable_kinds_for_school(user, school))


def trust_partnership_ids(trust: Trust) -> set[int]:
    return set(
        Membership.objects.filter(school__trust=trust).values_list("partnership_id", flat=True)
    )


def is_trust_person(user, trust: Trust) -> bool:
    """The trust's own people (and platform admins) see the whole trust, across
    partnerships: all its schools and its people."""
    access = access_for(user)
    return access.is_superuser or bool(access.trust_kinds.get(trust.pk))


def coordinated_trust_school_ids(user, trust: Trust) -> set[int]:
    """The trust's schools with an active membership of a partnership the person
    coordinates: all a coordinator sees of a trust that spans partnerships."""
    access = access_for(user)
    if not access.coordinator_of:
        return set()
    return set(
        Membership.objects.filter(
            school__trust=trust,
            status=Membership.Status.ACTIVE,
            partnership_id__in=access.coordinator_of,
        ).values_list("school_id", flat=True)
    )


def can_view_trust(user, trust: Trust) -> bool:
    return is_trust_person(user, trust) or bool(coordinated_trust_school_ids(user, trust))


def can_lead_trust(user, trust: Trust) -> bool:
    return K.TRUST_LEAD in access_for(user).trust_kinds.get(trust.pk, set())


def can_remove_role(user, role: Role) -> bool:
    if role.school_id:
        return role.kind in invitable_kinds_for_school(user, role.school) or (
            can_lead_school(user, role.school)
        )
    if role.trust_id:
        return can_lead_trust(user, role.trust) or access_for(user).is_superuser
    return access_for(user).is_superuser


def is_in_partnership(user, partnership_ids: set[int]) -> bool:
    """Does the person hold any role in one of these partnerships? (403 rather than 404.)"""
    access = access_for(user)
    return access.is_superuser or bool(access.partnerships & partnership_ids)


# --- getters: return the object or refuse ---------------------------------------------


def get_school_for(user, urn: int, *, right: Right[School] = can_view_school) -> School:
    school = get_object_or_404(School.objects.select_related("trust"), urn=urn)
    if right(user, school):
        return school
    if can_view_school_record(user, school) or access_for(user).school_kinds.get(school.pk):
        raise PermissionDenied
    refuse(user, school_partnership_ids(school))


def get_trust_for(user, group_uid: str, *, right: Right[Trust] = can_view_trust) -> Trust:
    trust = get_object_or_404(Trust, group_uid=group_uid)
    if right(user, trust):
        return trust
    if can_view_trust(user, trust):
        raise PermissionDenied
    refuse(user, trust_partnership_ids(trust))


def get_partnership_for_coordinator(user, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    return allow_or_refuse(
        user,
        partnership,
        allowed=is_coordinator(user, partnership),
        partnership_ids={partnership.pk},
    )
