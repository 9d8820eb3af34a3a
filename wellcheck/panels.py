"""The Well Check's panels on the school, trust and partnership home pages."""

from django.utils import timezone

from partnership.permissions import can_edit_wellcheck, can_view_school

from . import selectors
from .models import academic_year_label, academic_year_of


def school_panel(request, school) -> dict | None:
    if not can_view_school(request.user, school):
        return None
    year = academic_year_of(timezone.localdate())
    current = selectors.wellcheck_of_year(school=school, year=year)
    return {
        "school": school,
        "current": current,
        "progress": selectors.progress(current) if current else [],
        "can_edit": can_edit_wellcheck(request.user, school),
        "year_label": academic_year_label(year),
    }


def trust_panel(request, trust) -> dict | None:
    """A summary on the trust's home page; the schools × pillars table has its own page."""
    from partnership.permissions import can_view_trust

    if not can_view_trust(request.user, trust):
        return None
    year = academic_year_of(timezone.localdate())
    return {
        "trust": trust,
        "counts": selectors.score_counts(schools=trust.schools.all(), year=year),
        "year_label": academic_year_label(year),
    }


def partnership_panel(request, partnership) -> dict | None:
    return {"partnership": partnership}
