"""Who may manage events, book places and open a booking (docs/architecture.md, "Rights").

Built on ``partnership.permissions``: the getters return the object or refuse with 404
for outsiders and 403 for people of the partnership without the right."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from partnership.models import Membership, Partnership, School, Trust
from partnership.permissions import access_for, allow_or_refuse, is_coordinator, refuse


def can_manage_events(user, partnership: Partnership) -> bool:
    """Coordinators create, publish, change and cancel their partnership's events."""
    return is_coordinator(user, partnership)


def get_partnership_for_event_manager(user, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    return allow_or_refuse(
        user,
        partnership,
        allowed=can_manage_events(user, partnership),
        partnership_ids={partnership.pk},
    )


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
    refuse(user, {partnership.pk})


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
    refuse(user, {partnership.pk})
