"""The survey's panels on the school, trust and partnership pages, and beside the Well
Check's Lead Well pillar and action plan (the Well Check renders them through
``wellschools.panels`` without importing this app)."""

from partnership.permissions import access_for, can_view_trust

from . import selectors
from .permissions import can_run_survey, can_view_survey_results

LEAD_WELL = "lead_well"


def school_panel(request, school) -> dict | None:
    if not can_view_survey_results(request.user, school):
        return None
    return {
        "school": school,
        "survey": selectors.latest_survey_of(school),
        "can_run": can_run_survey(request.user, school),
    }


def trust_panel(request, trust) -> dict | None:
    if not can_view_trust(request.user, trust):
        return None
    return {"trust": trust}


def partnership_panel(request, partnership) -> dict | None:
    return {"partnership": partnership}


def _survey_priorities(request, well_check) -> dict | None:
    school = well_check.school
    if not can_view_survey_results(request.user, school):
        return None
    results = selectors.latest_results_for(school)
    return {
        "school": school,
        "well_check": well_check,
        "results": results,
        "can_add": can_run_survey(request.user, school) and results is not None,
    }


def pillar_panel(request, obj) -> dict | None:
    """Beside a Well Check pillar: only the Lead Well pillar asks about staff wellbeing."""
    well_check, pillar = obj
    if pillar.key != LEAD_WELL:
        return None
    return _survey_priorities(request, well_check)


def plan_panel(request, well_check) -> dict | None:
    context = _survey_priorities(request, well_check)
    if context is None or context["results"] is None:
        return None
    context["is_leader"] = bool(access_for(request.user).school_kinds.get(well_check.school_id))
    return context
