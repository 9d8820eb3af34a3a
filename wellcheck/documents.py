"""The Well Check's documents (declared in ``apps.py``), rendered by a worker.

``wellcheck_report``: one school's Well Check — cover, the pillar chart (the same SVG as
the results page), scores, strengths, growth areas, data answers and the action plan.
``trust_summary``: a trust's schools × pillars, as the person who asked sees the trust.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from partnership.models import Trust
from partnership.permissions import get_school_for, get_trust_for
from partnership.selectors import trust_schools_for
from wellschools.documents import DocumentKind
from wellschools.models import GeneratedDocument
from wellschools.pdf import pdf_render

from . import selectors
from .charts import pillar_chart
from .models import WellCheck, academic_year_label, academic_year_of


def render_wellcheck_report(document: GeneratedDocument) -> tuple[str, bytes]:
    well_check: WellCheck = document.subject
    outcome = selectors.results(well_check)
    prepared_at = timezone.localtime()
    pdf = pdf_render(
        template="pdf/wellcheck_report.html",
        context={
            "well_check": well_check,
            "school": well_check.school,
            "results": outcome,
            "chart": pillar_chart(outcome, chart_id="report-chart"),
            "actions": list(selectors.actions_of(well_check)),
            "prepared_at": prepared_at,
            "created": prepared_at,
        },
        title=f"Well Check {well_check.year_label}: {well_check.school.name}",
    )
    return f"well-check-{well_check.school.urn}-{well_check.academic_year}.pdf", pdf


def render_trust_summary(document: GeneratedDocument) -> tuple[str, bytes]:
    """Rendered for the person who asked: the trust's own people get every school, a
    coordinator only the schools that are active members of their partnerships."""
    trust: Trust = document.subject
    year = academic_year_of(timezone.localdate())
    schools = (
        trust_schools_for(document.requested_by, trust=trust)
        if document.requested_by is not None
        else trust.schools.none()
    )
    rows = selectors.school_rows(schools=schools, year=year)
    prepared_at = timezone.localtime()
    pdf = pdf_render(
        template="pdf/trust_summary.html",
        context={
            "trust": trust,
            "rows": rows,
            "columns": selectors.pillar_columns(),
            "year_label": academic_year_label(year),
            "prepared_at": prepared_at,
            "created": prepared_at,
        },
        title=f"Well Check summary: {trust.name}",
    )
    return f"well-check-summary-{trust.group_uid}-{prepared_at:%Y-%m-%d}.pdf", pdf


def report_access(user, well_check: WellCheck) -> None:
    """The school's people (404 for outsiders), once the check is submitted (403 before)."""
    get_school_for(user, well_check.school.urn)
    if not well_check.is_submitted:
        raise PermissionDenied


WELLCHECK_REPORT = DocumentKind(
    kind="wellcheck_report",
    title="Well Check report",
    subject_model="wellcheck.wellcheck",
    renderer=render_wellcheck_report,
    access=report_access,
    back_url=lambda wc: reverse("wellcheck:results", args=[wc.school.urn, wc.academic_year]),
)

TRUST_SUMMARY = DocumentKind(
    kind="trust_summary",
    title="Trust Well Check summary",
    subject_model="partnership.trust",
    renderer=render_trust_summary,
    access=lambda user, trust: get_trust_for(user, trust.group_uid),
    # Its rows depend on who asked (a trust spans partnerships), so it is never shared.
    per_requester=True,
    back_url=lambda trust: reverse("wellcheck:trust", args=[trust.group_uid]),
)
