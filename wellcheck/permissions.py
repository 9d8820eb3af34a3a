"""Who may answer, submit, reopen and read a school's Well Check (docs/architecture.md,
"Rights"). Reading is ``can_view_school``: the school's own people, its trust's people and
the coordinators of a partnership it is an active member of."""

from django.http import Http404

from partnership.models import School
from partnership.permissions import (
    Right,
    can_lead_school,
    can_view_school,
    coordinates_school,
    get_school_for,
)

from . import selectors
from .models import WellCheck


def can_edit_wellcheck(user, school: School) -> bool:
    """School leaders answer, submit and keep the action plan."""
    return can_lead_school(user, school)


def can_reopen_wellcheck(user, school: School) -> bool:
    """Coordinators of a partnership the school is an active member of reopen a submitted
    check."""
    return coordinates_school(user, school)


def get_wellcheck_for(
    user, urn: int, year: int, *, right: Right[School] = can_view_school
) -> WellCheck:
    """The school's Well Check of that academic year, or 404 / 403 (``get_school_for``)."""
    school = get_school_for(user, urn, right=right)
    well_check = selectors.wellcheck_of_year(school=school, year=year)
    if well_check is None:
        raise Http404("No Well Check for that year")
    well_check.school = school  # already loaded (and checked): no second query
    return well_check
