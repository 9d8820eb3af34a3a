"""The Well Check pages. Every mutation is a plain POST that redirects; htmx enhances the
per-question autosave by calling the same services and swapping small status fragments."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnership.permissions import can_view_school, get_school_for
from wellschools.errors import DomainError
from wellschools.panels import render_panels

from . import selectors, services
from .forms import ReopenForm
from .models import (
    RATING_DESCRIPTIONS,
    DataQuestion,
    Question,
    Rating,
    WellCheck,
    academic_year_of,
)
from .permissions import can_edit_wellcheck, can_reopen_wellcheck, get_wellcheck_for


def check_for(request, urn: int, year: int, *, right=can_view_school):
    well_check = get_wellcheck_for(request.user, urn, year, right=right)
    return well_check.school, well_check


def _can_answer(user, school, well_check: WellCheck) -> bool:
    """The one "editable" rule of the answering pages: a leader, while the check is open
    (the services enforce the same under the row's lock)."""
    return can_edit_wellcheck(user, school) and not well_check.is_submitted


def check_url(name: str, well_check: WellCheck, *args) -> str:
    return reverse(
        f"wellcheck:{name}", args=[well_check.school.urn, well_check.academic_year, *args]
    )


# --- overview and start ----------------------------------------------------------------------


@login_required
def overview(request, urn: int):
    school = get_school_for(request.user, urn)
    year = academic_year_of(timezone.localdate())
    checks = list(selectors.wellchecks_of_school(school=school))
    current = next((c for c in checks if c.academic_year == year), None)
    return render(
        request,
        "wellcheck/overview.html",
        {
            "school": school,
            "current": current,
            "progress": selectors.progress(current) if current else [],
            "earlier": [c for c in checks if c.academic_year != year],
            "can_edit": can_edit_wellcheck(request.user, school),
            "year_label": f"{year}/{str(year + 1)[-2:]}",
        },
    )


@login_required
@require_POST
def start(request, urn: int):
    school = get_school_for(request.user, urn, right=can_edit_wellcheck)
    try:
        well_check = services.wellcheck_start(actor=request.user, school=school)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("wellcheck:overview", urn=urn)
    return redirect(check_url("check", well_check))


# --- the check: progress, missing, submit, reopen --------------------------------------------


def _sidebar(well_check):
    return {"progress": selectors.progress(well_check)}


@login_required
def check(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year)
    return render(
        request,
        "wellcheck/check.html",
        {
            "school": school,
            "well_check": well_check,
            "missing": selectors.missing_questions(well_check),
            "can_edit": _can_answer(request.user, school, well_check),
            "can_reopen": well_check.is_submitted and can_reopen_wellcheck(request.user, school),
            "reopen_form": ReopenForm(),
            "history": well_check.history.select_related("actor"),
            **_sidebar(well_check),
        },
    )


@login_required
def submit(request, urn: int, year: int):
    """GET: check your answers (every answer, with a link to change it). POST: submit."""
    school, well_check = check_for(request, urn, year, right=can_edit_wellcheck)
    if request.method != "POST":
        if well_check.is_submitted:
            return redirect(check_url("check", well_check))
        return render(
            request,
            "wellcheck/submit.html",
            {
                "school": school,
                "well_check": well_check,
                **selectors.answers_to_check(well_check),
            },
        )
    try:
        services.wellcheck_submit(actor=request.user, well_check=well_check)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(check_url("check", well_check))
    messages.success(request, "Submitted. Here are your results.")
    return redirect(check_url("results", well_check))


@login_required
@require_POST
def reopen(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year, right=can_reopen_wellcheck)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.wellcheck_reopen(
                actor=request.user, well_check=well_check, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Reopened. The school's leaders have been emailed.")
            return redirect(check_url("check", well_check))
    return render(
        request,
        "wellcheck/check.html",
        {
            "school": school,
            "well_check": well_check,
            "missing": [],
            "can_reopen": True,
            "reopen_form": form,
            "history": well_check.history.select_related("actor"),
            **_sidebar(well_check),
        },
        status=400,
    )


# --- answering -------------------------------------------------------------------------------


def _whole_number(value: str) -> bool:
    # str.isdigit() is also true for "²" and other digits int() refuses.
    return value.isascii() and value.isdigit()


def _posted_version(data, key: str) -> int:
    value = data.get(key, "0")
    return int(value) if _whole_number(value) else 0


def _posted_answer(data, question) -> dict:
    version = data.get(f"version_{question.pk}", "0")
    return {
        "rating": data.get(f"rating_{question.pk}", ""),
        "comment": data.get(f"comment_{question.pk}", ""),
        "version": int(version) if version.isascii() and version.isdigit() else 0,
    }


def _save_one(request, well_check, question, posted, *, force=False) -> dict:
    """Save one posted answer; return its state for the template (saved / error / conflict)."""
    state = {"posted": posted}
    if not posted["rating"]:
        if posted["comment"].strip():
            # Never drop what someone wrote: keep it on the page and say why it is unsaved.
            state["error"] = "Choose a rating to save this comment; it is kept here until then."
        return state
    try:
        answer = services.answer_save(
            actor=request.user,
            well_check=well_check,
            question=question,
            rating=posted["rating"],
            comment=posted["comment"],
            expected_version=posted["version"],
            force=force,
        )
    except services.AnswerConflict as conflict:
        state.update(conflict=conflict.theirs, error=conflict.message)
    except DomainError as error:
        state["error"] = error.message
    else:
        state.update(saved=answer, posted=None)
    return state


@login_required
def pillar(request, urn: int, year: int, key: str):
    school, well_check = check_for(request, urn, year)
    pillars = selectors.framework_pillars(well_check.framework)
    pillar = next((p for p in pillars if p.key == key), None)
    if pillar is None:
        raise Http404("No such pillar")
    questions = list(pillar.questions.all())
    can_edit = _can_answer(request.user, school, well_check)
    states: dict[int, dict] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        keep_mine = request.POST.get("keep_mine", "")
        use_theirs = request.POST.get("use_theirs", "")
        for question in questions:
            if use_theirs == str(question.pk):
                continue
            states[question.pk] = _save_one(
                request,
                well_check,
                question,
                _posted_answer(request.POST, question),
                force=keep_mine == str(question.pk),
            )
        if not any("error" in s for s in states.values()):
            messages.success(request, f"{pillar.name}: your answers are saved.")
            next_url = request.POST.get("next_pillar")
            if next_url and next_url in {p.key for p in pillars}:
                return redirect(check_url("pillar", well_check, next_url))
            return redirect(check_url("pillar", well_check, pillar.key))
    answers = selectors.answers_by_question(well_check)
    index = [p.pk for p in pillars].index(pillar.pk)
    rows = []
    for question in questions:
        state = states.get(question.pk, {})
        answer = answers.get(question.pk)
        posted = state.get("posted")
        rows.append(
            {
                "question": question,
                "answer": answer,
                "rating": posted["rating"] if posted else (answer.rating if answer else ""),
                "comment": posted["comment"] if posted else (answer.comment if answer else ""),
                "version": answer.version
                if answer and not state.get("conflict")
                else (posted["version"] if posted else 0),
                "error": state.get("error"),
                "conflict": state.get("conflict"),
            }
        )
    return render(
        request,
        "wellcheck/pillar.html",
        {
            "school": school,
            "well_check": well_check,
            "pillar": pillar,
            "rows": rows,
            "ratings": [
                (value, label, RATING_DESCRIPTIONS[value]) for value, label in Rating.choices
            ],
            "can_edit": can_edit,
            "next_pillar": pillars[index + 1] if index + 1 < len(pillars) else None,
            # Other apps' panels beside a pillar (e.g. the staff survey beside Lead Well).
            "pillar_panels": render_panels("wellcheck_pillar", request, (well_check, pillar)),
            **_sidebar(well_check),
        },
        status=400 if states else 200,
    )


@login_required
@require_POST
def answer(request, urn: int, year: int, question_id: int):
    """htmx: save one question as it is answered; reply with status fragments only."""
    school, well_check = check_for(request, urn, year, right=can_edit_wellcheck)
    question = get_object_or_404(
        Question.objects.select_related("pillar"),
        pk=question_id,
        pillar__framework=well_check.framework,
    )
    state = _save_one(request, well_check, question, _posted_answer(request.POST, question))
    if not request.htmx:
        if "error" in state:
            messages.error(request, state["error"])
        return redirect(check_url("pillar", well_check, question.pillar.key))
    return render(
        request,
        "wellcheck/_answer_saved.html",
        {"question": question, "state": state, "well_check": well_check, **_sidebar(well_check)},
    )


NUMBER_HELP = "Enter a number, for example 120 or 45.5."
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def parse_number(raw: str) -> tuple[Decimal | None, str | None]:
    """Read a number as a person in the UK types it, never silently changing it: commas
    grouping thousands (``1,200,000``) and a decimal comma (``6,5`` is 6.5) are accepted;
    ``1,500`` (1500 or 1.5?) and anything else with a comma is refused with the reason."""
    text = raw.replace(" ", "").replace("\u00a0", "")
    if "," in text:
        if re.fullmatch(r"[+-]?\d{1,3},\d{3}", text):
            return None, (
                f"“{raw}” could mean {text.replace(',', '')} or {text.replace(',', '.')}: "
                "write it without the comma, or with a full stop for a decimal."
            )
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        elif DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        else:
            return None, NUMBER_HELP
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return None, NUMBER_HELP
    return value, None


def _posted_value(data, question) -> tuple[str, Decimal | None, str | None]:
    raw = data.get(f"value_{question.pk}", "").strip()
    if raw == "":
        return raw, None, None
    value, error = parse_number(raw)
    return raw, value, error


def _save_data(request, well_check, question, *, force=False) -> dict:
    raw, value, error = _posted_value(request.POST, question)
    version = request.POST.get(f"dversion_{question.pk}", "0")
    state = {"raw": raw}
    if error:
        state["error"] = error
    elif value is not None:
        try:
            saved = services.data_answer_save(
                actor=request.user,
                well_check=well_check,
                question=question,
                value=value,
                expected_version=int(version) if version.isascii() and version.isdigit() else 0,
                force=force,
            )
        except services.AnswerConflict as conflict:
            state.update(conflict=conflict.theirs, error=conflict.message)
        except DomainError as problem:
            state["error"] = problem.message
        else:
            state["saved"] = saved
    return state


@login_required
def data(request, urn: int, year: int):
    school, well_check = check_for(request, urn, year)
    questions = list(well_check.framework.data_questions.all())
    can_edit = _can_answer(request.user, school, well_check)
    states: dict[int, dict] = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        for question in questions:
            if request.POST.get("use_theirs") == str(question.pk):
                continue
            states[question.pk] = _save_data(
                request,
                well_check,
                question,
                force=request.POST.get("keep_mine") == str(question.pk),
            )
        if not any("error" in s for s in states.values()):
            messages.success(request, "Your data answers are saved.")
            return redirect(check_url("data", well_check))
    answers = selectors.data_answers_by_question(well_check)
    rows = []
    for question in questions:
        state = states.get(question.pk, {})
        answer = answers.get(question.pk)
        rows.append(
            {
                "question": question,
                "answer": answer,
                "value": state["raw"]
                if "raw" in state and "saved" not in state
                else (answer.display_value if answer else ""),
                "version": answer.version
                if answer and not state.get("conflict")
                else (_posted_version(request.POST, f"dversion_{question.pk}") if state else 0),
                "error": state.get("error"),
                "conflict": state.get("conflict"),
            }
        )
    return render(
        request,
        "wellcheck/data.html",
        {
            "school": school,
            "well_check": well_check,
            "rows": rows,
            "can_edit": can_edit,
            **_sidebar(well_check),
        },
        status=400 if states else 200,
    )


@login_required
@require_POST
def data_answer(request, urn: int, year: int, question_id: int):
    school, well_check = check_for(request, urn, year, right=can_edit_wellcheck)
    question = get_object_or_404(DataQuestion, pk=question_id, framework=well_check.framework)
    state = _save_data(request, well_check, question)
    if not request.htmx:
        if "error" in state:
            messages.error(request, state["error"])
        return redirect(check_url("data", well_check))
    return render(request, "wellcheck/_data_saved.html", {"question": question, "state": state})
