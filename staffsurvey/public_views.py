"""Answering a survey: no account, one group of statements per screen, answers kept in a
server-side draft keyed by a random cookie (so a reload or a lost signal loses nothing),
check your answers, send, thank you.

Nothing here records who answers: no user, no IP address, no time. The rate limit on
sending keeps a keyed hash of the address in the cache for two minutes, nothing else.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from . import services
from .forms import AreaForm, CommentForm, StaffGroupForm
from .models import StaffGroup, Survey, SurveyDraft
from .selectors import framework_areas

COOKIE = "staffsurvey_draft"


class Steps:
    """Step 1: staff group; then one step per area; last: the optional written answer."""

    def __init__(self, survey: Survey):
        self.survey = survey
        self.areas = framework_areas(survey.framework)
        self.count = len(self.areas) + 2

    def area(self, number: int):
        return self.areas[number - 2] if 2 <= number < self.count else None

    def first_incomplete(self, draft: SurveyDraft) -> int | None:
        if draft.staff_group not in StaffGroup.values:
            return 1
        for number, area in enumerate(self.areas, start=2):
            if any(str(item.pk) not in draft.answers for item in area.items.all()):
                return number
        return None


class UnknownSurvey(Http404):
    pass


def _survey_or_404(code: str) -> Survey:
    survey = Survey.objects.select_related("school", "framework").filter(public_code=code).first()
    if survey is None:
        raise UnknownSurvey("No such survey")
    return survey


def plain_unknown(view):
    """An unknown survey code gets a plain page saying so (not the site's 404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except UnknownSurvey:
            return render(request, "staffsurvey/public_unknown.html", status=404)

    return wrapper


def _unavailable(request, survey: Survey):
    """A plain page for a survey that has closed or not opened yet (None if it is open)."""
    if survey.accepts_answers():
        return None
    return render(
        request,
        "staffsurvey/public_closed.html",
        {"survey": survey, "not_yet": not survey.has_ended()},
        status=410 if survey.has_ended() else 200,
    )


def _draft(request, survey: Survey) -> SurveyDraft | None:
    return services.draft_for(survey=survey, key=request.COOKIES.get(COOKIE))


def _with_cookie(response, survey: Survey, key: str):
    response.set_cookie(
        COOKIE,
        key,
        max_age=60 * 60 * 24 * 45,
        path=survey.public_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _step_url(survey: Survey, number: int) -> str:
    return reverse("staffsurvey_public:step", args=[survey.public_code, number])


@never_cache
@plain_unknown
def start(request, code: str):
    survey = _survey_or_404(code)
    closed = _unavailable(request, survey)
    if closed:
        return closed
    draft = _draft(request, survey)
    if request.method == "POST":
        if draft is None:
            key, draft = services.draft_start(survey=survey)
            return _with_cookie(redirect(_step_url(survey, 1)), survey, key)
        return redirect(_step_url(survey, Steps(survey).first_incomplete(draft) or 1))
    return render(
        request,
        "staffsurvey/public_start.html",
        {"survey": survey, "draft": draft, "steps": Steps(survey).count},
    )


@never_cache
@plain_unknown
def invitation(request, code: str, token: str):
    """A single-use link from an invitation email: remember it in a new draft."""
    survey = _survey_or_404(code)
    closed = _unavailable(request, survey)
    if closed:
        return closed
    try:
        link_hash = services.link_check(survey=survey, token=token)
    except services.SurveyError as error:
        return render(
            request,
            "staffsurvey/public_link_used.html",
            {"survey": survey, "message": error.message},
            status=410,
        )
    draft = _draft(request, survey)
    if draft is not None and draft.link_hash == link_hash:
        return redirect(survey.public_path())
    key, draft = services.draft_start(survey=survey, link_hash=link_hash)
    return _with_cookie(redirect(survey.public_path()), survey, key)


@never_cache
@plain_unknown
def step(request, code: str, number: int):
    survey = _survey_or_404(code)
    closed = _unavailable(request, survey)
    if closed:
        return closed
    draft = _draft(request, survey)
    if draft is None:
        return redirect(survey.public_path())
    steps = Steps(survey)
    if not 1 <= number <= steps.count:
        raise Http404("No such step")
    data = request.POST if request.method == "POST" else None
    area = steps.area(number)
    if number == 1:
        form = StaffGroupForm(data, initial={"staff_group": draft.staff_group or None})
    elif area is not None:
        items = list(area.items.all())
        form = AreaForm(
            data,
            items=items,
            scale=survey.framework.scale,
            initial={f"item_{i.pk}": draft.answers.get(str(i.pk)) for i in items},
        )
    else:
        form = CommentForm(
            data,
            initial={"comment": draft.comment},
            question=survey.framework.comment_question,
            help_text=survey.framework.comment_help,
        )
    if request.method == "POST":
        if form.is_valid():
            if number == 1:
                services.draft_save(draft=draft, staff_group=form.cleaned_data["staff_group"])
            elif area is not None:
                services.draft_save(draft=draft, answers=form.answers())
            else:
                services.draft_save(draft=draft, comment=form.cleaned_data["comment"])
            if number < steps.count and "check" not in request.POST:
                return redirect(_step_url(survey, number + 1))
            return redirect("staffsurvey_public:check", code=survey.public_code)
        if area is not None:
            # Keep the statements answered correctly even when others are missing.
            kept = {}
            for item in form.items:
                value = request.POST.get(f"item_{item.pk}", "")
                if value.isdigit() and 1 <= int(value) <= 5:
                    kept[item.pk] = int(value)
            if kept:
                services.draft_save(draft=draft, answers=kept)
    return render(
        request,
        "staffsurvey/public_step.html",
        {
            "survey": survey,
            "form": form,
            "area": area,
            "statements": _statements(form, area, survey.framework.scale) if area else [],
            "number": number,
            "steps": steps.count,
            "is_group": number == 1,
            "is_comment": number == steps.count,
            "previous_url": _step_url(survey, number - 1) if number > 1 else survey.public_path(),
        },
        status=400 if form.errors else 200,
    )


def _statements(form, area, scale) -> list[dict]:
    """The radio groups of an area screen, built here rather than by Django's widget
    templates (five radios per statement add up: this is the page everyone loads)."""
    statements = []
    for item in area.items.all():
        name = f"item_{item.pk}"
        current = form.data.get(name) if form.is_bound else form.initial.get(name)
        current = "" if current is None else str(current)
        statements.append(
            {
                "id": f"id_{name}",
                "name": name,
                "label": item.text,
                "errors": form.errors.get(name) if form.is_bound else None,
                "options": [
                    {
                        "id": f"id_{name}_{index}",
                        "value": str(point),
                        "label": label,
                        "checked": current == str(point),
                    }
                    for index, (point, label) in enumerate(enumerate(scale, start=1))
                ],
            }
        )
    return statements


def _check_context(survey: Survey, draft: SurveyDraft) -> dict:
    steps = Steps(survey)
    scale = survey.framework.scale
    sections = []
    for number, area in enumerate(steps.areas, start=2):
        rows = []
        for item in area.items.all():
            value = draft.answers.get(str(item.pk))
            rows.append(
                {"item": item, "answer": scale[value - 1] if value in range(1, 6) else None}
            )
        sections.append({"area": area, "rows": rows, "url": _step_url(survey, number)})
    return {
        "survey": survey,
        "draft": draft,
        "group_label": dict(StaffGroup.choices).get(draft.staff_group),
        "sections": sections,
        "group_url": _step_url(survey, 1),
        "comment_url": _step_url(survey, steps.count),
        "comment_question": survey.framework.comment_question,
        "first_incomplete": steps.first_incomplete(draft),
    }


@never_cache
@plain_unknown
def check(request, code: str):
    survey = _survey_or_404(code)
    closed = _unavailable(request, survey)
    if closed:
        return closed
    draft = _draft(request, survey)
    if draft is None:
        return redirect(survey.public_path())
    context = _check_context(survey, draft)
    status = 200
    if request.method == "POST":
        client = request.META.get("REMOTE_ADDR", "")
        if not services.submission_allowed(survey=survey, client=client):
            context["error"] = (
                "Many answers have just been sent from your network. Your answers are saved: "
                "wait a minute, then press “Send my answers” again."
            )
            status = 429
        else:
            try:
                services.response_submit(draft=draft)
            except services.SurveyError as error:
                context["error"] = error.message
                status = 400
            else:
                response = redirect("staffsurvey_public:thanks", code=survey.public_code)
                response.delete_cookie(COOKIE, path=survey.public_path())
                return response
    return render(request, "staffsurvey/public_check.html", context, status=status)


@plain_unknown
def thanks(request, code: str):
    survey = _survey_or_404(code)
    return render(request, "staffsurvey/public_thanks.html", {"survey": survey})
