"""Who may see and do what in the partnership network, in the shape of
``partnership.permissions``: the getters return the object, or raise 404 for someone
outside the partnership and 403 for a member of it without the right.

Rules: a published story is read by everyone in its partnership; a story that is not
published by its school's people and the partnership's coordinators. The school's leaders
write, submit and withdraw its stories and keep its opt-ins; coordinators moderate, keep
offers and networks. A network's notes and files are for its members (and coordinators).
A relayed message is for the two schools' people.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from partnership.models import Membership, Partnership, School
from partnership.permissions import (
    access_for,
    allow_or_refuse,
    can_lead_school,
    is_coordinator,
    refuse,
)

from .models import ContactRequest, Network, PracticeStory


def is_school_person(user, school: School) -> bool:
    """Leaders, staff and governors of the school (not its trust: the network is schools
    talking to schools)."""
    return bool(access_for(user).school_kinds.get(school.pk))


def is_member_of(user, partnership: Partnership) -> bool:
    """A coordinator of the partnership, or a person of an *active* member school (or of a
    trust with one): a school that applied, lapsed or left reads nothing of the network.
    Answered once per request (kept on the user object, like ``access_for``)."""
    access = access_for(user)
    if access.is_superuser or partnership.pk in access.coordinator_of:
        return True
    if not (access.school_kinds or access.trust_kinds):
        return False
    known = user.__dict__.setdefault("_network_member_of", {})
    if partnership.pk not in known:
        known[partnership.pk] = (
            Membership.objects.filter(partnership=partnership, status=Membership.Status.ACTIVE)
            .filter(
                Q(school_id__in=list(access.school_kinds))
                | Q(school__trust_id__in=list(access.trust_kinds))
            )
            .exists()
        )
    return known[partnership.pk]


def school_is_active_member(school: School, partnership: Partnership) -> bool:
    return Membership.objects.filter(
        school=school, partnership=partnership, status=Membership.Status.ACTIVE
    ).exists()


# --- stories ---------------------------------------------------------------------------


def can_view_story(user, story: PracticeStory) -> bool:
    if story.is_published:
        return is_member_of(user, story.partnership)
    return is_school_person(user, story.school) or is_coordinator(user, story.partnership)


def can_write_story(user, school: School) -> bool:
    return can_lead_school(user, school)


def can_edit_story(user, story: PracticeStory) -> bool:
    return can_write_story(user, story.school)


def can_moderate(user, partnership: Partnership) -> bool:
    return is_coordinator(user, partnership)


def can_moderate_story(user, story: PracticeStory) -> bool:
    return can_moderate(user, story.partnership)


def get_story_for(user, pk: int, *, right: Callable = can_view_story) -> PracticeStory:
    story = get_object_or_404(
        PracticeStory.objects.select_related("school", "partnership", "created_by"), pk=pk
    )
    return allow_or_refuse(
        user, story, allowed=right(user, story), partnership_ids={story.partnership_id}
    )


# --- the partnership's network pages ----------------------------------------------------


def get_partnership_for_member(user, slug: str) -> Partnership:
    """The library, offers and networks of a partnership: anyone who holds a role in it."""
    partnership = get_object_or_404(Partnership, slug=slug)
    return allow_or_refuse(
        user, partnership, allowed=is_member_of(user, partnership), partnership_ids={partnership.pk}
    )


def get_partnership_for_moderator(user, slug: str) -> Partnership:
    partnership = get_object_or_404(Partnership, slug=slug)
    return allow_or_refuse(
        user, partnership, allowed=can_moderate(user, partnership), partnership_ids={partnership.pk}
    )


def school_partnership(school: School) -> Partnership | None:
    """The partnership the school is an active member of (a school is in at most one)."""
    membership = (
        Membership.objects.filter(school=school, status=Membership.Status.ACTIVE)
        .select_related("partnership")
        .first()
    )
    return membership.partnership if membership else None


def get_school_in_network_for(user, urn: int, *, right: Callable = is_school_person) -> School:
    """A school's own network page (its stories, opt-ins, messages): its people read,
    ``right`` (e.g. ``can_write_story``) decides the rest."""
    school = get_object_or_404(School.objects.select_related("trust"), urn=urn)
    if right(user, school):
        return school
    if is_school_person(user, school):
        raise PermissionDenied
    refuse(user, school.memberships.values_list("partnership_id", flat=True))


# --- relayed messages ------------------------------------------------------------------


def can_view_message(user, message: ContactRequest) -> bool:
    return is_school_person(user, message.from_school) or is_school_person(user, message.to_school)


def can_reply_message(user, message: ContactRequest) -> bool:
    return is_school_person(user, message.to_school)


def get_message_for(user, pk: int, *, right: Callable = can_view_message) -> ContactRequest:
    message = get_object_or_404(
        ContactRequest.objects.select_related(
            "from_school", "to_school", "from_user", "replied_by", "question", "story"
        ),
        pk=pk,
    )
    return allow_or_refuse(
        user, message, allowed=right(user, message), partnership_ids={message.partnership_id}
    )


# --- networks --------------------------------------------------------------------------


def is_network_member(user, network: Network) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return network.memberships.filter(user=user).exists()


def can_see_network_items(user, network: Network) -> bool:
    return is_network_member(user, network) or is_coordinator(user, network.partnership)


def can_manage_network(user, network: Network) -> bool:
    return is_coordinator(user, network.partnership)


def get_network_for(user, pk: int, *, right: Callable | None = None) -> Network:
    """A network's page is open to everyone in its partnership (to join it); ``right``
    (e.g. ``can_see_network_items``) for its notes and files."""
    network = get_object_or_404(Network.objects.select_related("partnership"), pk=pk)
    if not is_member_of(user, network.partnership):
        refuse(user, {network.partnership_id})
    if right is None or right(user, network):
        return network
    raise PermissionDenied
