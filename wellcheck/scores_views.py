"""Trust and partnership views of the Well Check: schools × pillars."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnership.permissions import get_partnership_for_coordinator, get_trust_for
from partnership.selectors import member_filter_choices, trust_schools_for
from wellschools.errors import DomainError
from wellschools.exports import csv_stream

from . import selectors
from .forms import ScoresFilterForm
from .models import academic_year_label, academic_year_of


def _year() -> int:
    return academic_year_of(timezone.localdate())


def _filtered(request, partnership, columns):
    choices = member_filter_choices(partnership=partnership)
    form = ScoresFilterForm(request.GET or None, columns=columns, **choices)
    filters, sort = {}, {"sort": "name", "descending": False}
    if form.is_valid():
        filters = {
            "phase": form.cleaned_data["phase"],
            "trust_id": int(form.cleaned_data["trust"]) if form.cleaned_data["trust"] else None,
        }
        sort = {
            "sort": form.cleaned_data["sort"] or "name",
            "descending": form.cleaned_data["order"] == "desc",
        }
    return form, selectors.member_schools(partnership=partnership, **filters), sort


@login_required
def partnership_scores(request, slug: str):
    """Schools × pillars, a page at a time, filtered and sorted in the database."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    columns = selectors.pillar_columns()
    form, schools, sort = _filtered(request, partnership, columns)
    year = _year()
    page = selectors.score_page(schools=schools, year=year, page=request.GET.get("page"), **sort)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "wellcheck/partnership_scores.html",
        {
            "partnership": partnership,
            "form": form,
            "page": page,
            "rows": page.object_list,
            "columns": columns,
            "year_label": academic_year_label(year),
            "query": query.urlencode(),
            "counts": selectors.score_counts(schools=schools, year=year),
        },
    )


@login_required
def partnership_scores_csv(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    columns = selectors.pillar_columns()
    _form, schools, _sort = _filtered(request, partnership, columns)
    filename = f"{partnership.slug}-well-check-scores-{timezone.localdate():%Y-%m-%d}.csv"
    header = [
        "URN",
        "School",
        "Phase",
        "Trust",
        "This year",
        "Scores from",
        *[name for _, name in columns],
        "Overall",
    ]

    def lines():
        yield header
        for row in selectors.score_rows_iter(schools=schools, year=_year()):
            yield [
                row.school.urn,
                row.school.name,
                row.school.phase,
                row.school.trust.name if row.school.trust else "",
                row.status.replace("_", " "),
                row.latest_submitted.year_label if row.latest_submitted else "",
                *[row.percentages.get(key, "") for key, _ in columns],
                "" if row.overall is None else row.overall,
            ]

    return csv_stream(filename, lines())


@login_required
def trust_scores(request, group_uid: str):
    trust = get_trust_for(request.user, group_uid)
    year = _year()
    return render(
        request,
        "wellcheck/trust_scores.html",
        {
            "trust": trust,
            # A trust can span partnerships: a coordinator sees only their partnership's
            # schools (get_trust_for has already refused anyone who may not view it).
            "rows": selectors.school_rows(
                schools=trust_schools_for(request.user, trust=trust), year=year
            ),
            "columns": selectors.pillar_columns(),
            "year_label": academic_year_label(year),
        },
    )


@login_required
@require_POST
def trust_report(request, group_uid: str):
    from wellschools.documents import document_request

    trust = get_trust_for(request.user, group_uid)
    try:
        document = document_request(actor=request.user, kind="trust_summary", subject=trust)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("wellcheck:trust", group_uid=trust.group_uid)
    return redirect(document)
