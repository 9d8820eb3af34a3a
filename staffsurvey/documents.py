"""The survey's documents (declared in ``apps.py``), rendered by a worker.

``staffsurvey_report``: the results (figures only) for anyone who reads them.
``staffsurvey_report_full``: the same with the written answers, for those who may read them.
``staffsurvey_poster``: an A4 poster with the open link and its QR code, for the leaders.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wellschools.documents import DocumentKind
from wellschools.models import GeneratedDocument
from wellschools.pdf import pdf_render

from . import selectors
from .charts import distribution_bars
from .models import Survey
from .permissions import can_read_comments, can_run_survey, can_view_survey_results, get_survey_for
from .qr import qr_svg


def _render_report(document: GeneratedDocument, *, with_comments: bool) -> tuple[str, bytes]:
    survey: Survey = document.subject
    results = selectors.survey_results(survey, with_comments=with_comments)
    prepared_at = timezone.localtime()
    pdf = pdf_render(
        template="pdf/staffsurvey_report.html",
        context={
            "survey": survey,
            "school": survey.school,
            "results": results,
            "bars": distribution_bars(results, chart_id="report-bars"),
            "scale": survey.framework.scale,
            "with_comments": with_comments,
            "prepared_at": prepared_at,
            "created": prepared_at,
        },
        title=f"{survey.title}: {survey.school.name}",
    )
    return f"staff-survey-{survey.school.urn}-{survey.closes_on:%Y-%m-%d}.pdf", pdf


def render_report(document: GeneratedDocument) -> tuple[str, bytes]:
    return _render_report(document, with_comments=False)


def render_report_full(document: GeneratedDocument) -> tuple[str, bytes]:
    return _render_report(document, with_comments=True)


def render_poster(document: GeneratedDocument) -> tuple[str, bytes]:
    survey: Survey = document.subject
    url = survey.public_url()
    pdf = pdf_render(
        template="pdf/staffsurvey_poster.html",
        context={
            "survey": survey,
            "school": survey.school,
            "url": url,
            "qr": qr_svg(url, scale=8, title="QR code for the survey link"),
            "created": timezone.localtime(),
        },
        title=f"{survey.title}: poster",
    )
    return f"staff-survey-poster-{survey.school.urn}.pdf", pdf


def _access(user, survey: Survey, *, right) -> None:
    """404 for outsiders (``get_survey_for``), 403 for a member without ``right``."""
    get_survey_for(user, survey.school.urn, survey.pk)
    if not right(user, survey):
        raise PermissionDenied


def _back(survey: Survey) -> str:
    return reverse("staffsurvey:results", args=[survey.school.urn, survey.pk])


SURVEY_REPORT = DocumentKind(
    kind="staffsurvey_report",
    title="Staff survey report",
    subject_model="staffsurvey.survey",
    renderer=render_report,
    access=lambda user, s: _access(
        user,
        s,
        right=lambda u, s: selectors.results_visible(s) and can_view_survey_results(u, s.school),
    ),
    back_url=_back,
)

SURVEY_REPORT_FULL = DocumentKind(
    kind="staffsurvey_report_full",
    title="Staff survey report with written answers",
    subject_model="staffsurvey.survey",
    renderer=render_report_full,
    access=lambda user, s: _access(
        user, s, right=lambda u, s: selectors.results_visible(s) and can_read_comments(u, s)
    ),
    back_url=_back,
)

SURVEY_POSTER = DocumentKind(
    kind="staffsurvey_poster",
    title="Staff survey poster",
    subject_model="staffsurvey.survey",
    renderer=render_poster,
    access=lambda user, s: _access(user, s, right=lambda u, s: can_run_survey(u, s.school)),
    back_url=lambda s: s.get_absolute_url(),
)
