"""The Well Check's results, report and action plan pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wellschools.errors import DomainError

from . import selectors, services
from .charts import pillar_chart
from .forms import ActionForm, ProgressForm
from .models import Action, Question
from .permissions import can_edit_wellcheck
from .views import check_for, check_url


@login_required
def results(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year)
    if not well_check.is_submitted:
        messages.info(request, "Results appear once the Well Check is submitted.")
        return redirect(check_url("check", well_check))
    outcome = selectors.results(well_check)
    planned = set(well_check.actions.values_list("question_id", flat=True))
    return render(
        request,
        "wellcheck/results.html",
        {
            "school": school,
            "well_check": well_check,
            "results": outcome,
            "chart": pillar_chart(outcome),
            "planned": planned,
            "can_edit": can_edit_wellcheck(request.user, school),
        },
    )


def _action_form(request, well_check, data=None, **kwargs):
    return ActionForm(
        data,
        pillars=well_check.framework.pillars.all(),
        people=selectors.school_people(well_check.school),
        **kwargs,
    )


@login_required
def plan(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year)
    can_edit = can_edit_wellcheck(request.user, school)
    initial = {}
    # str.isdigit() is also true for "²" and other digits int() refuses.
    question_id = request.GET.get("question", "")
    if request.method == "GET" and question_id.isascii() and question_id.isdigit():
        question = (
            Question.objects.filter(
                pk=int(request.GET["question"]), pillar__framework=well_check.framework
            )
            .select_related("pillar")
            .first()
        )
        if question:
            initial = {"pillar": question.pillar, "question": question.pk, "title": question.text}
    form = _action_form(request, well_check, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            question = None
            if data.get("question"):
                question = Question.objects.filter(
                    pk=data["question"], pillar__framework=well_check.framework
                ).first()
            try:
                services.action_create(
                    actor=request.user,
                    well_check=well_check,
                    pillar=data["pillar"],
                    question=question,
                    title=data["title"],
                    owner=data["owner"],
                    success_measure=data["success_measure"],
                    due_date=data["due_date"],
                    status=data["status"],
                )
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, f"Added to the plan: {data['title']}")
                return redirect(check_url("plan", well_check))
        status = 400
    return render(
        request,
        "wellcheck/plan.html",
        {
            "school": school,
            "well_check": well_check,
            "actions": selectors.actions_of(well_check),
            # Other apps' suggested priorities (e.g. areas to act on from the staff survey).
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def action_edit(request, urn: int, year: int, action_id: int):
    school, well_check = check_for(request, urn, year)
    action = get_object_or_404(
        Action.objects.select_related("pillar"), pk=action_id, well_check=well_check
    )
    can_edit = can_edit_wellcheck(request.user, school)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = _action_form(
        request,
        well_check,
        request.POST if request.method == "POST" and "title" in request.POST else None,
        initial={
            "pillar": action.pillar,
            "title": action.title,
            "owner": action.owner,
            "success_measure": action.success_measure,
            "due_date": action.due_date,
            "status": action.status,
        },
    )
    form.fields["pillar"].disabled = True
    progress_form = ProgressForm(
        request.POST if request.method == "POST" and "note" in request.POST else None,
        initial={"on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if "title" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                services.action_update(
                    actor=request.user,
                    action=action,
                    title=data["title"],
                    success_measure=data["success_measure"],
                    due_date=data["due_date"],
                    status=data["status"],
                    owner=data["owner"],
                )
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, "Action updated.")
                return redirect(check_url("plan", well_check))
        elif "note" in request.POST and progress_form.is_valid():
            try:
                services.action_progress_add(
                    actor=request.user,
                    action=action,
                    note=progress_form.cleaned_data["note"],
                    on=progress_form.cleaned_data["on"],
                )
            except DomainError as error:
                progress_form.add_error(error.field, error.message)
            else:
                messages.success(request, "Progress update added.")
                return redirect(check_url("action", well_check, action.pk))
    return render(
        request,
        "wellcheck/action.html",
        {
            "school": school,
            "well_check": well_check,
            "action": action,
            "form": form if can_edit else None,
            "progress_form": progress_form if can_edit else None,
            "updates": action.updates.select_related("author"),
        },
        status=status,
    )


@login_required
def action_delete(request, urn: int, year: int, action_id: int):
    """GET says what deleting does and asks; POST deletes."""
    school, well_check = check_for(request, urn, year, right=can_edit_wellcheck)
    action = get_object_or_404(
        Action.objects.select_related("pillar"), pk=action_id, well_check=well_check
    )
    if request.method == "POST":
        try:
            services.action_delete(actor=request.user, action=action)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(check_url("action", well_check, action.pk))
        messages.success(request, f"Deleted from the plan: {action.title}")
        return redirect(check_url("plan", well_check))
    return render(
        request,
        "wellcheck/action_delete.html",
        {
            "school": school,
            "well_check": well_check,
            "action": action,
            "updates": action.updates.count(),
        },
    )


@login_required
def plan_summary(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year)
    outcome = selectors.results(well_check) if well_check.is_submitted else None
    return render(
        request,
        "wellcheck/plan_summary.html",
        {
            "school": school,
            "well_check": well_check,
            "results": outcome,
            "actions": selectors.actions_of(well_check),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def report(request, urn: int, year: int):
    """Ask a worker to prepare the Well Check report; its page turns into a download."""
    from wellschools.documents import document_request

    school, well_check = check_for(request, urn, year)
    if not well_check.is_submitted:
        messages.error(request, "The report is available once the Well Check is submitted.")
        return redirect(check_url("check", well_check))
    return redirect(
        document_request(actor=request.user, kind="wellcheck_report", subject=well_check)
    )
