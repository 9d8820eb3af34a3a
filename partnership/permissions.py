"""The one place that decides who may see and do what.

Outsiders get 404 (they must not learn a thing exists); members of the partnership
without the right get 403. Roles are read from the database once per request, so a role
removed now takes effect on the person's next request.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

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


# --- questions -------------------------------------------------------------------------


def requires_two_factor(user) -> bool:
    """Coordinators and platform admins must enrol TOTP before their pages open."""
    access = access_for(user)
    return access.is_superuser or bool(access.coordinator_of)


def is_coordinator(user, partnership: Partnership) -> bool:
    access = access_for(user)
    return access.is_superuser or partnership.pk in access.coordinator_of


def _school_partnership_ids(school: School) -> set[int]:
    return set(school.memberships.values_list("partnership_id", flat=True))


def can_view_school(user, school: School) -> bool:
    access = access_for(user)
    if access.is_superuser or access.school_kinds.get(school.pk):
        return True
    if school.trust_id and access.trust_kinds.get(school.trust_id):
        return True
    return bool(access.coordinator_of & _school_partnership_ids(school))


def can_lead_school(user, school: School) -> bool:
    return K.SCHOOL_LEADER in access_for(user).school_kinds.get(school.pk, set())


def invitable_kinds_for_school(user, school: School) -> list[str]:
    """School leaders invite colleagues of every school role; coordinators invite leaders."""
    kinds: list[str] = []
    if can_lead_school(user, school):
        kinds = [K.SCHOOL_LEADER, K.SCHOOL_STAFF, K.GOVERNOR]
    elif (
        access_for(user).coordinator_of & _school_partnership_ids(school)
        or access_for(user).is_superuser
    ):
        kinds = [K.SCHOOL_LEADER]
    return kinds


def can_manage_school_people(user, school: School) -> bool:
    return bool(invitable_kinds_for_school(user, school))


def can_view_trust(user, trust: Trust) -> bool:
    access = access_for(user)
    if access.is_superuser or access.trust_kinds.get(trust.pk):
        return True
    return bool(
        access.coordinator_of
        & set(
            Membership.objects.filter(school__trust=trust).values_list("partnership_id", flat=True)
        )
    )


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


# --- the Well Check ----------------------------------------------------------------------
# Reading a school's Well Check, results and plan is can_view_school: its own people,
# its trust's people and its partnership's coordinators.


def can_edit_wellcheck(user, school: School) -> bool:
    """School leaders answer, submit and keep the action plan."""
    return can_lead_school(user, school)


def can_reopen_wellcheck(user, school: School) -> bool:
    access = access_for(user)
    return access.is_superuser or bool(access.coordinator_of & _school_partnership_ids(school))


# --- getters that return the object or refuse ------------------------------------------


def _refuse(user, partnership_ids: set[int]):
    if is_in_partnership(user, partnership_ids):
        raise PermissionDenied
    raise Http404


def get_school_for(user, urn: int, *, right: Callable = can_view_school) -> School:
    school = get_object_or_404(School.objects.select_related("trust"), urn=urn)
    if right(user, school):
        return school
    if can_view_school(user, school) or access_for(user).school_kinds.get(school.pk):
        raise PermissionDenied
    _refuse(user, _school_partnership_ids(school))
    raise AssertionError("unreachable")


def get_trust_for(user, group_uid: str, *, right: Callable = can_view_trust) -> Trust:
    trust = get_object_or_404(Trust, group_uid=group_uid)
    if right(user, trust):
        return trust
    if can_view_trust(user, trust):
        raise PermissionDenied
    _refuse(
        user,
        set(
            Membership.objects.filter(school__trust=trust).values_list("partnership_id", flat=True)
        ),
    )
    raise AssertionError("unreachable")


def get_partnership_for_coordinator(user, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    if is_coordinator(user, partnership):
        return partnership
    _refuse(user, {partnership.pk})
    raise AssertionError("unreachable")


# --- events ----------------------------------------------------------------------------
# The events app asks these questions with plain arguments (the partnership app must not
# import events): who manages a partnership's events, who books for which school or trust,
# and who may open a booking.


def can_manage_events(user, partnership: Partnership) -> bool:
    """Coordinators create, publish, change and cancel their partnership's events."""
    return is_coordinator(user, partnership)


def get_partnership_for_event_manager(user, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    if can_manage_events(user, partnership):
        return partnership
    _refuse(user, {partnership.pk})
    raise AssertionError("unreachable")


def _active_members(partnership: Partnership):
    return Membership.objects.filter(partnership=partnership, status=Membership.Status.ACTIVE)


def can_book_for(user, scope: School | Trust, *, partnership: Partnership | None = None) -> bool:
    """May this person book event places for this school or trust?

    Every school role (leader, staff, governor) books for its school; trust roles book for
    the trust and for each of its schools. With ``partnership`` (an event for members only)
    the school, or one of the trust's schools, must also be an active member of it."""
    access = access_for(user)
    if isinstance(scope, School):
        if not (
            access.school_kinds.get(scope.pk)
            or (scope.trust_id and access.trust_kinds.get(scope.trust_id))
        ):
            return False
        if scope.status == School.Status.CLOSED:
            return False
        return partnership is None or _active_members(partnership).filter(school=scope).exists()
    if not access.trust_kinds.get(scope.pk):
        return False
    return partnership is None or _active_members(partnership).filter(school__trust=scope).exists()


def booking_scopes_for(
    user, *, partnership: Partnership | None = None
) -> tuple[list[School], list[Trust]]:
    """The schools and trusts the person may book for, by name (see ``can_book_for``)."""
    access = access_for(user)
    if not (access.school_kinds or access.trust_kinds):
        return [], []
    from django.db.models import Q

    schools = School.objects.filter(
        Q(pk__in=list(access.school_kinds)) | Q(trust_id__in=list(access.trust_kinds))
    ).exclude(status=School.Status.CLOSED)
    trusts = Trust.objects.filter(pk__in=list(access.trust_kinds))
    if partnership is not None:
        members = _active_members(partnership)
        schools = schools.filter(pk__in=members.values("school_id"))
        trusts = trusts.filter(pk__in=members.values("school__trust_id"))
    return list(schools.order_by("name", "pk")), list(trusts.order_by("name", "pk"))


def can_book_event(user, *, partnership: Partnership, members_only: bool) -> bool:
    """Events for members: someone who books for a member school or trust. Open events:
    anyone signed in."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not members_only:
        return True
    schools, trusts = booking_scopes_for(user, partnership=partnership)
    return bool(schools or trusts)


def require_event_booking_right(user, *, partnership: Partnership, members_only: bool) -> None:
    if can_book_event(user, partnership=partnership, members_only=members_only):
        return
    _refuse(user, {partnership.pk})


def can_manage_booking(
    user, *, booker_id: int | None, school: School | None, trust: Trust | None
) -> bool:
    """The booker, and anyone who books for the booking's school or trust, may change it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if booker_id is not None and user.pk == booker_id:
        return True
    if school is not None:
        return can_book_for(user, school)
    if trust is not None:
        return can_book_for(user, trust)
    return False


def require_booking_access(
    user,
    *,
    booker_id: int | None,
    school: School | None,
    trust: Trust | None,
    partnership: Partnership,
) -> None:
    """Return quietly, or refuse: 403 for someone in the partnership, 404 for anyone else."""
    if can_manage_booking(user, booker_id=booker_id, school=school, trust=trust):
        return
    _refuse(user, {partnership.pk})


# --- accreditation ---
# The accreditation app asks these questions with plain arguments (this module must not
# import it): the application's school and partnership and the id of its assigned reviewer.


def can_apply_for_accreditation(user, school: School) -> bool:
    """School leaders start, write, submit, withdraw and resubmit their school's application."""
    return can_lead_school(user, school)


def can_manage_accreditation(user, partnership: Partnership) -> bool:
    """Coordinators see the review queue, assign reviewers and decide."""
    return is_coordinator(user, partnership)


def can_see_accreditation_application(
    user, *, school: School, partnership: Partnership, reviewer_id: int | None
) -> bool:
    """The application and its evidence: the school's own people (leaders, staff,
    governors), the assigned reviewer and the partnership's coordinators. Trust people see
    the application's status on the school page, not its evidence."""
    access = access_for(user)
    if access.is_superuser or access.school_kinds.get(school.pk):
        return True
    if partnership.pk in access.coordinator_of:
        return True
    return reviewer_id is not None and getattr(user, "pk", None) == reviewer_id


def can_review_accreditation(user, *, partnership: Partnership, reviewer_id: int | None) -> bool:
    """Judge pillars, recommend, ask for changes: the assigned reviewer and coordinators."""
    if is_coordinator(user, partnership):
        return True
    return reviewer_id is not None and getattr(user, "pk", None) == reviewer_id


def require_accreditation_right(
    user, *, allowed: bool, school: School, partnership: Partnership
) -> None:
    """Return if ``allowed``; otherwise 403 for someone who can see the school or is in the
    partnership, 404 for anyone else."""
    if allowed:
        return
    if can_view_school(user, school):
        raise PermissionDenied
    _refuse(user, {partnership.pk})


def accreditation_conflict_reason(person, *, school: School) -> str | None:
    """Why this person must not review or decide the school's application (they are from
    the applicant school or its trust), or None."""
    name = person.display_name
    roles = list(Role.objects.filter(user=person).select_related("school", "trust"))
    for role in roles:
        if role.school_id == school.pk:
            return (
                f"{name} cannot review or decide this application: they are "
                f"{role.get_kind_display().lower()} at {school.name}, the applicant school."
            )
    if school.trust_id:
        trust_name = school.trust.name
        for role in roles:
            if role.trust_id == school.trust_id:
                return (
                    f"{name} cannot review or decide this application: they are "
                    f"{role.get_kind_display().lower()} at {trust_name}, the applicant "
                    "school's trust."
                )
            if role.school_id and role.school.trust_id == school.trust_id:
                return (
                    f"{name} cannot review or decide this application: they are at "
                    f"{role.school.name}, in the same trust ({trust_name}) as the applicant "
                    "school."
                )
    return None


def accreditation_reviewer_refusal(
    person, *, school: School, partnership: Partnership, accredited_school_ids: set[int]
) -> str | None:
    """Why this person may not review the school's application, or None if they may.

    A reviewer is a coordinator of the partnership, or a school leader or staff member at a
    currently accredited school (``accredited_school_ids``, from the accreditation app);
    never someone from the applicant school or its trust."""
    if not person.is_active:
        return f"{person.display_name}'s account is closed."
    conflict = accreditation_conflict_reason(person, school=school)
    if conflict:
        return conflict
    roles = Role.objects.filter(user=person)
    if roles.filter(kind=K.COORDINATOR, partnership=partnership).exists():
        return None
    if roles.filter(
        kind__in=[K.SCHOOL_LEADER, K.SCHOOL_STAFF], school_id__in=accredited_school_ids
    ).exists():
        return None
    return (
        f"{person.display_name} cannot review: a reviewer is one of the partnership's "
        "coordinators or a leader or staff member of a currently accredited school."
    )
