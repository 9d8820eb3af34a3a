"""The annual impact report (declared in ``apps.py``), rendered by a worker: the numbers a
coordinator sends to the council, from ``insight.selectors.impact``."""

from django.urls import reverse
from django.utils import timezone

from partnership.permissions import get_partnership_for_coordinator
from wellschools.documents import DocumentKind
from wellschools.models import GeneratedDocument
from wellschools.pdf import pdf_render

from . import charts, selectors
from .models import AnnualReport


def render_impact_report(document: GeneratedDocument) -> tuple[str, bytes]:
    report: AnnualReport = document.subject
    impact = selectors.impact(partnership=report.partnership, year=report.academic_year)
    prepared_at = timezone.localtime()
    last_label = selectors.academic_year_label(report.academic_year - 1)
    shown = any(p.this_year or p.last_year for p in impact.pillars)
    pdf = pdf_render(
        template="pdf/insight_impact_report.html",
        context={
            "impact": impact,
            "partnership": report.partnership,
            "last_label": last_label,
            "chart": charts.spread_chart(
                pillars=impact.pillars,
                this_label=impact.year_label,
                last_label=last_label,
                chart_id="report-spread",
            )
            if shown
            else "",
            "prepared_at": prepared_at,
            "created": prepared_at,
        },
        title=f"Impact report {impact.year_label}: {report.partnership.name}",
    )
    year = impact.year_label.replace("/", "-")
    return f"{report.partnership.slug}-impact-report-{year}.pdf", pdf


IMPACT_REPORT = DocumentKind(
    kind="insight_impact_report",
    title="Annual impact report",
    subject_model="insight.annualreport",
    renderer=render_impact_report,
    access=lambda user, report: get_partnership_for_coordinator(user, report.partnership.slug),
    back_url=lambda report: (
        reverse("insight:report", args=[report.partnership.slug]) + f"?year={report.academic_year}"
    ),
)
