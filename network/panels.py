"""The network's panels: on the school page, beside the Well Check's growth areas (results
and action plan) and beside accreditation evidence. Those apps render the registry's
panels and never import this app."""

from partnership.permissions import access_for, can_view_school

from . import permissions, selectors
from .models import DigestSubscription


def school_panel(request, school) -> dict | None:
    """Links only, from what the request already knows: the school page keeps its query
    budget."""
    if not permissions.is_school_person(request.user, school):
        return None
    return {"school": school}


def peer_panel(request, well_check) -> dict | None:
    """For each growth area, up to three partnership schools that are Strong on it and
    opted in, with their published practice, and an "Ask this school" link."""
    school = well_check.school
    if not can_view_school(request.user, school):
        return None
    partnership = permissions.school_partnership(school)
    if partnership is None:
        return None
    questions = selectors.growth_areas(well_check)
    matches = selectors.peer_matches(school=school, partnership=partnership, questions=questions)
    return {
        "school": school,
        "partnership": partnership,
        "matches": matches,
        "can_ask": permissions.is_school_person(request.user, school),
    }


def digest_preference_panel(request, user) -> dict | None:
    """The digest's switch on the email preferences page, for people in a partnership."""
    if not access_for(user).partnerships:
        return None
    return {"digest": DigestSubscription.objects.filter(user=user).exists()}


def accreditation_pillar_panel(request, subject) -> dict | None:
    """``subject``: {"school": ..., "pillar": ...} from the accreditation pages."""
    school, pillar = subject["school"], subject["pillar"]
    partnership = permissions.school_partnership(school)
    if partnership is None or not permissions.is_member_of(request.user, partnership):
        return None
    return {
        "school": school,
        "pillar": pillar,
        "stories": selectors.published_on_pillar(school=school, pillar_key=pillar.key),
    }
