"""Who may run a school's staff survey and read its results (docs/staffsurvey.md, "Who
sees what"). Every getter returns the object or refuses: 404 for an outsider, 403 for a
member of the partnership without the right (``partnership.permissions.get_school_for``).

* running a survey (create, invite, close, poster, QR code): the school's leaders;
* results: whoever reads the school (its people, its trust's people, its partnership's
  coordinators) — figures only ever appear above the threshold;
* written answers: the school's leaders, and trust staff and coordinators unless the
  leader kept them within the school.
"""

from django.http import Http404

from partnership.models import Partnership, School, Trust
from partnership.permissions import (
    Right,
    access_for,
    can_lead_school,
    can_view_school,
    coordinated_trust_school_ids,
    get_partnership_for_coordinator,
    get_school_for,
    get_trust_for,
    is_trust_person,
)

from .models import Survey


def can_run_survey(user, school: School) -> bool:
    return can_lead_school(user, school)


def can_view_survey_results(user, school: School) -> bool:
    return can_view_school(user, school)


def can_read_comments(user, survey: Survey) -> bool:
    school = survey.school
    if can_lead_school(user, school) or access_for(user).is_superuser:
        return True
    if survey.withhold_comments or access_for(user).school_kinds.get(school.pk):
        # Withheld from trust and partnership views; other school roles read figures only.
        return False
    return can_view_school(user, school)


def get_school_for_survey(
    user, urn: int, *, right: Right[School] = can_view_survey_results
) -> School:
    return get_school_for(user, urn, right=right)


def get_survey_for(
    user, urn: int, survey_id: int, *, right: Right[School] = can_view_survey_results
) -> Survey:
    """The school's survey, or 404 (outsider, or no such survey) / 403 (no right)."""
    school = get_school_for(user, urn, right=right)
    survey = (
        Survey.objects.select_related("school", "framework").filter(school=school, pk=survey_id)
    ).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def get_trust_for_surveys(user, group_uid: str) -> Trust:
    return get_trust_for(user, group_uid)


def trust_schools_for(user, trust: Trust):
    """The trust's schools this person compares: all of them for the trust's own people,
    only their own partnership's for a coordinator (a trust can span partnerships)."""
    schools = trust.schools.order_by("name")
    if is_trust_person(user, trust):
        return schools
    return schools.filter(pk__in=coordinated_trust_school_ids(user, trust))


def get_partnership_for_surveys(user, slug: str) -> Partnership:
    return get_partnership_for_coordinator(user, slug)
