"""Trust and partnership views of the Well Check: schools × pillars."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnership.permissions import get_partnership_for_coordinator, get_trust_for
from partnership.selectors import member_filter_choices
from wellschools.exports import csv_download

from . import selectors
from .forms import ScoresFilterForm
from .models import academic_year_label, academic_year_of
from .panels import trust_panel


def _year() -> int:
    return academic_year_of(timezone.localdate())


def _filtered(request, partnership):
    choices = member_filter_choices(partnership=partnership)
    form = ScoresFilterForm(request.GET or None, **choices)
    filters = {}
    if form.is_valid():
        filters = {
            "phase": form.cleaned_data["phase"],
            "trust_id": int(form.cleaned_data["trust"]) if form.cleaned_data["trust"] else None,
        }
    schools = selectors.member_schools(partnership=partnership, **filters)
    return form, selectors.school_rows(schools=schools, year=_year())


@login_required
def partnership_scores(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, rows = _filtered(request, partnership)
    return render(
        request,
        "wellcheck/partnership_scores.html",
        {
            "partnership": partnership,
            "form": form,
            "rows": rows,
            "columns": selectors.pillar_columns(),
            "year_label": academic_year_label(_year()),
            "query": request.GET.urlencode(),
            "counts": {
                "submitted": sum(r.status == "submitted" for r in rows),
                "in_progress": sum(r.status == "in_progress" for r in rows),
                "not_started": sum(r.status == "not_started" for r in rows),
            },
        },
    )


@login_required
def partnership_scores_csv(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    _form, rows = _filtered(request, partnership)
    filename = f"{partnership.slug}-well-check-scores-{timezone.localdate():%Y-%m-%d}.csv"
    response, writer = csv_download(filename)
    columns = selectors.pillar_columns()
    writer.writerow(
        [
            "URN",
            "School",
            "Phase",
            "Trust",
            "This year",
            "Scores from",
            *[name for _, name in columns],
            "Overall",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.school.urn,
                row.school.name,
                row.school.phase,
                row.school.trust.name if row.school.trust else "",
                row.status.replace("_", " "),
                row.latest_submitted.year_label if row.latest_submitted else "",
                *[row.percentages.get(key, "") for key, _ in columns],
                "" if row.overall is None else row.overall,
            ]
        )
    return response


@login_required
def trust_scores(request, group_uid: str):
    trust = get_trust_for(request.user, group_uid)
    return render(
        request,
        "wellcheck/trust_scores.html",
        {"trust": trust, **trust_panel(request, trust)},
    )


@login_required
@require_POST
def trust_report(request, group_uid: str):
    from wellschools.documents import document_request

    trust = get_trust_for(request.user, group_uid)
    return redirect(document_request(actor=request.user, kind="trust_summary", subject=trust))
