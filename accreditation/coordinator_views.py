"""The partnership's side of accreditation, under /partnership/<slug>/accreditation/ (TOTP
required for coordinators): the review queue, an application with its reviewer and
decision, and the review page that the assigned reviewer (a coordinator or a peer from an
accredited school) fills in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnership.permissions import get_partnership_for_coordinator
from wellschools.errors import DomainError

from . import selectors, services
from .dates import TARGET_WORKING_DAYS, award_valid_until
from .forms import AssignReviewerForm, DecisionForm, QueueFilterForm, ReviewForm
from .models import Application
from .permissions import (
    can_manage_accreditation,
    can_review_accreditation,
    get_partnership_application_for,
)

S = Application.Status
QUEUE_PER_PAGE = 25


@login_required
def queue(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form = QueueFilterForm(
        request.GET or None, reviewers=selectors.queue_reviewers(partnership=partnership)
    )
    filters, overdue_only = {}, False
    if form.is_valid():
        filters = {
            "status": form.cleaned_data["status"],
            "reviewer": form.cleaned_data["reviewer"],
            "search": form.cleaned_data["q"],
        }
        overdue_only = form.cleaned_data["overdue"]
    applications = selectors.review_queue(partnership=partnership, actor=request.user, **filters)
    if overdue_only:
        rows = [r for r in selectors.queue_rows(applications) if r.overdue]
        page = Paginator(rows, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    else:
        page = Paginator(applications, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors.queue_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accreditation/queue.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "target": TARGET_WORKING_DAYS,
        },
    )


def _application_in(request, slug: str, pk: int, *, right):
    application = get_partnership_application_for(request.user, slug, pk, right=right)
    return application.partnership, application


def _coordinates(user, application) -> bool:
    return can_manage_accreditation(user, application.partnership)


def _reviews(user, application) -> bool:
    return can_review_accreditation(
        user, partnership=application.partnership, reviewer_id=application.reviewer_id
    )


def _application_page(
    request, partnership, application, *, assign_form=None, decision_form=None, status=200
):
    candidates = selectors.reviewer_candidates(partnership=partnership)
    return render(
        request,
        "accreditation/coordinator_application.html",
        {
            "partnership": partnership,
            "application": application,
            "school": application.school,
            "sections": selectors.pillar_sections(application),
            "history": selectors.application_history(application),
            "days_waiting": selectors.days_waiting(application),
            "target": TARGET_WORKING_DAYS,
            "assign_form": assign_form
            or AssignReviewerForm(
                candidates=candidates,
                people=selectors.partnership_people(partnership=partnership),
                initial={"reviewer": application.reviewer_id},
            ),
            "can_assign": application.status in Application.ASSIGNABLE,
            "decision_form": decision_form or DecisionForm(),
            "can_decide": application.status == S.IN_REVIEW,
            "award": getattr(application, "award", None)
            if application.status == S.AWARDED
            else None,
        },
        status=status,
    )


@login_required
def application(request, slug: str, pk: int):
    partnership, application = _application_in(request, slug, pk, right=_coordinates)
    return _application_page(request, partnership, application)


@login_required
@require_POST
def assign(request, slug: str, pk: int):
    partnership, application = _application_in(request, slug, pk, right=_coordinates)
    form = AssignReviewerForm(
        request.POST,
        candidates=selectors.reviewer_candidates(partnership=partnership),
        people=selectors.partnership_people(partnership=partnership),
    )
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            services.application_assign_reviewer(
                actor=request.user, application=application, reviewer=reviewer
            )
        except DomainError as error:
            form.add_error("reviewer" if error.field == "reviewer" else None, error.message)
        else:
            messages.success(
                request,
                f"{reviewer.display_name} reviews {application.school.name}'s application "
                "and has been emailed.",
            )
            return redirect(application.get_coordinator_url())
    return _application_page(request, partnership, application, assign_form=form, status=400)


@login_required
@require_POST
def decide(request, slug: str, pk: int):
    partnership, application = _application_in(request, slug, pk, right=_coordinates)
    form = DecisionForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") != "yes":
        # Irreversible: say what will happen and ask once more. "Change" comes back to the
        # application page with the form as it was typed.
        if request.POST.get("change"):
            return _application_page(request, partnership, application, decision_form=form)
        if application.status != S.IN_REVIEW:
            form.add_error(None, "Only an application in review can be decided.")
        else:
            return render(
                request,
                "accreditation/decide_confirm.html",
                {
                    "partnership": partnership,
                    "application": application,
                    "school": application.school,
                    "form": form,
                    "award": form.cleaned_data["decision"] == "award",
                    "valid_until": award_valid_until(timezone.localdate()),
                },
            )
    elif form.is_valid():
        award = form.cleaned_data["decision"] == "award"
        try:
            services.application_decide(
                actor=request.user,
                application=application,
                award=award,
                feedback=form.cleaned_data["feedback"],
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            outcome = "accredited" if award else "not awarded accreditation"
            messages.success(
                request,
                f"{application.school.name} is {outcome}. The school's leaders have been emailed.",
            )
            return redirect(application.get_coordinator_url())
    return _application_page(request, partnership, application, decision_form=form, status=400)


# --- the review page: the assigned reviewer and the coordinators ---------------------------


def _review_form(application, data=None):
    sections = selectors.pillar_sections(application)
    initial = {
        "recommendation": application.recommendation,
        "recommendation_comment": application.recommendation_comment,
    }
    for section in sections:
        if section.judgement:
            initial[f"judgement_{section.pillar.pk}"] = section.judgement.judgement
            initial[f"comment_{section.pillar.pk}"] = section.judgement.comment
    form = ReviewForm(data, initial=initial, pillars=[s.pillar for s in sections])
    return form, sections


def _review_page(request, partnership, application, form, sections, status=200):
    return render(
        request,
        "accreditation/review.html",
        {
            "partnership": partnership,
            "application": application,
            "school": application.school,
            "sections": sections,
            "form": form,
            "can_review": application.status == S.IN_REVIEW,
            "can_resume": application.status == S.RESUBMITTED,
            "is_coordinator": can_manage_accreditation(request.user, partnership),
            "history": selectors.application_history(application),
        },
        status=status,
    )


@login_required
def review(request, slug: str, pk: int):
    partnership, application = _application_in(request, slug, pk, right=_reviews)
    if request.method != "POST":
        form, sections = _review_form(application)
        return _review_page(request, partnership, application, form, sections)
    form, sections = _review_form(application, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        send_back = request.POST.get("action") == "request_changes"
        try:
            if send_back:
                services.application_request_changes(
                    actor=request.user,
                    application=application,
                    pillars=form.pillar_reviews(),
                    recommendation=data["recommendation"] or Application.Recommendation.CHANGES,
                    comment=data["recommendation_comment"],
                )
            else:
                services.review_save(
                    actor=request.user,
                    application=application,
                    pillars=form.pillar_reviews(),
                    recommendation=data["recommendation"],
                    comment=data["recommendation_comment"],
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if send_back:
                messages.success(
                    request,
                    f"Sent back to {application.school.name} for changes. Its leaders have "
                    "been emailed your comments.",
                )
            else:
                messages.success(request, "Review saved.")
            return redirect(application.get_review_url())
    return _review_page(request, partnership, application, form, sections, status=400)


@login_required
@require_POST
def resume(request, slug: str, pk: int):
    partnership, application = _application_in(request, slug, pk, right=_reviews)
    try:
        services.application_resume_review(actor=request.user, application=application)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The review has started again with the school's changes.")
    return redirect(application.get_review_url())
