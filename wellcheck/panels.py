"""The Well Check's panels on the school, trust and partnership home pages."""

from django.utils import timezone

from partnership.permissions import can_view_school, can_view_trust
from partnership.selectors import trust_schools_for

from . import selectors
from .models import academic_year_label, academic_year_of
from .permissions import can_edit_wellcheck


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
    if not can_view_trust(request.user, trust):
        return None
    year = academic_year_of(timezone.localdate())
    return {
        "trust": trust,
        # A trust can span partnerships: a coordinator sees only their partnership's schools.
        "counts": selectors.score_counts(
            schools=trust_schools_for(request.user, trust=trust), year=year
        ),
        "year_label": academic_year_label(year),
    }


def partnership_panel(request, partnership) -> dict | None:
    return {"partnership": partnership}
