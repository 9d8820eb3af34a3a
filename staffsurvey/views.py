"""School leaders', trust staff's and coordinators' survey pages (signed in)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellcheck.models import Pillar, academic_year_of
from wellcheck.selectors import wellcheck_of_year
from wellcheck.services import action_create
from wellschools.documents import document_latest, document_request
from wellschools.errors import DomainError

from . import selectors, services
from .charts import distribution_bars
from .forms import CloseForm, InviteForm, SurveyCreateForm, SurveySettingsForm
from .framework import framework_current
from .models import Survey
from .permissions import (
    can_read_comments,
    can_run_survey,
    get_partnership_for_surveys,
    get_school_for_survey,
    get_survey_for,
    get_trust_for_surveys,
    trust_schools_for,
)
from .qr import qr_svg


@login_required
def overview(request, urn: int):
    school = get_school_for_survey(request.user, urn)
    return render(
        request,
        "staffsurvey/overview.html",
        {
            "school": school,
            "surveys": selectors.surveys_of(school).order_by("-opens_on", "-pk"),
            "can_run": can_run_survey(request.user, school),
            "today": timezone.localdate(),
        },
    )


@login_required
def create(request, urn: int):
    school = get_school_for_survey(request.user, urn, right=can_run_survey)
    today = timezone.localdate()
    form = SurveyCreateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": f"Staff wellbeing survey, {today:%B %Y}",
            "opens_on": today,
            "closes_on": services.suggested_close_date(today),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, school=school, **form.cleaned_data)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Your survey is set up. Share the link with your staff.")
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "staffsurvey/create.html",
        {"school": school, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def detail(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id)
    can_run = can_run_survey(request.user, survey.school)
    return render(
        request,
        "staffsurvey/detail.html",
        {
            "school": survey.school,
            "survey": survey,
            "responses": selectors.response_count(survey),
            "visible": selectors.results_visible(survey),
            "can_run": can_run,
            "qr": qr_svg(survey.public_url(), scale=5, title="QR code for the survey link")
            if can_run and not survey.has_ended()
            else None,
            "poster": document_latest(kind="staffsurvey_poster", subject=survey)
            if can_run
            else None,
            "history": survey.history.select_related("actor"),
        },
    )


@login_required
def edit(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id, right=can_run_survey)
    form = SurveySettingsForm(
        request.POST if request.method == "POST" else None,
        instance=Survey.objects.get(pk=survey.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "staffsurvey/edit.html",
        {"school": survey.school, "survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def invite(request, urn: int, survey_id: int):
    """Paste addresses → check what will be sent → send (emails cannot be unsent)."""
    survey = get_survey_for(request.user, urn, survey_id, right=can_run_survey)
    form = InviteForm(request.POST if request.method == "POST" else None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"]:
            try:
                count = services.survey_invite(
                    actor=request.user, survey=survey, emails=form.cleaned_data["emails"]
                )
            except DomainError as error:
                error.add_to_form(form)
            else:
                messages.success(
                    request, f"{count} invitation{'s' if count != 1 else ''} will be sent."
                )
                return redirect(survey.get_absolute_url())
        else:
            confirming = True
    return render(
        request,
        "staffsurvey/invite.html",
        {
            "school": survey.school,
            "survey": survey,
            "form": form,
            "confirming": confirming,
            "emails": form.cleaned_data.get("emails", []) if confirming else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
def close(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id, right=can_run_survey)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_close(actor=request.user, survey=survey)
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "The survey is closed.")
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "staffsurvey/close.html",
        {"school": survey.school, "survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def qr_code(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id, right=can_run_survey)
    svg = qr_svg(survey.public_url(), scale=10, title="QR code for the survey link")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="staff-survey-qr-{urn}.svg"'
    return response


@login_required
@require_POST
def poster(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id, right=can_run_survey)
    document = document_request(actor=request.user, kind="staffsurvey_poster", subject=survey)
    return redirect(document.get_absolute_url())


@login_required
def results(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id)
    with_comments = can_read_comments(request.user, survey)
    outcome = selectors.survey_results(survey, with_comments=with_comments)
    return render(
        request,
        "staffsurvey/results.html",
        {
            "school": survey.school,
            "survey": survey,
            "results": outcome,
            "bars": distribution_bars(outcome) if outcome.visible else "",
            "scale": survey.framework.scale,
            "with_comments": with_comments,
            "can_run": can_run_survey(request.user, survey.school),
        },
    )


@login_required
@require_POST
def report(request, urn: int, survey_id: int):
    survey = get_survey_for(request.user, urn, survey_id)
    full = request.POST.get("with_comments") == "1"
    if not selectors.results_visible(survey) or (
        full and not can_read_comments(request.user, survey)
    ):
        raise PermissionDenied
    kind = "staffsurvey_report_full" if full else "staffsurvey_report"
    document = document_request(actor=request.user, kind=kind, subject=survey)
    return redirect(document.get_absolute_url())


@login_required
@require_POST
def add_priority(request, urn: int):
    """Put an area to act on into this year's Well Check action plan (Lead Well)."""
    school = get_school_for_survey(request.user, urn, right=can_run_survey)
    results = selectors.latest_results_for(school)
    well_check = wellcheck_of_year(school=school, year=academic_year_of(timezone.localdate()))
    area_key = request.POST.get("area", "")
    area = next(
        (r.area for r in (results.act_on if results else []) if r.area.key == area_key), None
    )
    if well_check is None or area is None:
        messages.error(
            request,
            "Start this year's Well Check first; then areas to act on can join its action plan."
            if well_check is None
            else "Choose one of the areas to act on.",
        )
        return redirect("staffsurvey:overview", urn=school.urn)
    pillar = Pillar.objects.filter(framework=well_check.framework, key="lead_well").first()
    try:
        action = action_create(
            actor=request.user,
            well_check=well_check,
            pillar=pillar,
            title=f"Staff wellbeing — {area.name}: {area.suggested_action}"[:300],
            success_measure=(
                f"The next staff survey scores {area.name.lower()} higher than "
                f"{next(r.score for r in results.act_on if r.area.pk == area.pk)} out of 5."
            ),
            due_date=timezone.localdate() + timedelta(days=90),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("wellcheck:plan", urn=school.urn, year=well_check.academic_year)
    messages.success(request, f"Added to the action plan: {area.name}. Adjust it as you need.")
    return redirect(
        "wellcheck:action", urn=school.urn, year=well_check.academic_year, action_id=action.pk
    )


@login_required
def trust_view(request, group_uid: str):
    trust = get_trust_for_surveys(request.user, group_uid)
    schools = trust_schools_for(request.user, trust)
    areas, rows = selectors.school_rows(schools=schools)
    return render(
        request,
        "staffsurvey/trust.html",
        {"trust": trust, "areas": areas, "rows": rows},
    )


@login_required
def partnership_view(request, slug: str):
    partnership = get_partnership_for_surveys(request.user, slug)
    year = academic_year_of(timezone.localdate())
    since = date(year, 9, 1)
    benchmark, qualifying = selectors.partnership_benchmark(partnership)
    return render(
        request,
        "staffsurvey/partnership.html",
        {
            "partnership": partnership,
            "completion": selectors.partnership_completion(partnership, since=since),
            "benchmark": benchmark,
            "qualifying": qualifying,
            "min_schools": selectors.BENCHMARK_MIN_SCHOOLS,
            "areas": list(framework_current().areas.all()),
            "year_label": f"{year}/{str(year + 1)[-2:]}",
        },
    )
