"""Insight pages: thin views over ``insight.selectors`` (reads) and ``insight.services``
(writes), every object fetched through the permission modules' getters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from partnership.permissions import get_partnership_for_coordinator, get_trust_for
from partnership.selectors import member_filter_choices, trust_schools_for
from wellcheck.models import Question, academic_year_label
from wellcheck.selectors import framework_current
from wellschools.documents import document_latest, document_request
from wellschools.errors import DomainError
from wellschools.exports import csv_stream

from . import charts, selectors, services
from .forms import InsightFilterForm, MemberListForm, NudgeForm, QuestionInviteForm, ReportForm
from .models import AnnualReport, Nudge


def _scope(request, partnership, form_class=InsightFilterForm):
    form = form_class(
        request.GET or None,
        authorities=selectors.local_authorities(partnership=partnership),
        **member_filter_choices(partnership=partnership),
    )
    schools = selectors.partnership_schools(partnership=partnership, **form.filters())
    query = request.GET.copy()
    query.pop("page", None)
    return form, schools, query.urlencode()


def _funnel_context(funnel, year: int) -> dict:
    context = {"funnel": funnel}
    if funnel.shown:
        context["wellcheck_chart"] = charts.bar_chart(
            rows=[(label, pct) for label, _n, pct in funnel.wellcheck_rows],
            title=f"Well Check {academic_year_label(year)}: share of member schools",
            chart_id="wellcheck-funnel",
            unit="%",
        )
        context["pipeline_chart"] = charts.bar_chart(
            rows=[
                *funnel.pipeline.items(),
                ("Awarded", funnel.awarded),
                ("Expiring in 90 days", funnel.expiring),
            ],
            title="Accreditation pipeline: schools at each stage",
            chart_id="accreditation-pipeline",
        )
    return context


def _base(partnership, year: int, **more) -> dict:
    return {
        "partnership": partnership,
        "year": year,
        "year_label": academic_year_label(year),
        **more,
    }


@login_required
def overview(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools, query = _scope(request, partnership)
    year = selectors.this_year()
    funnel = selectors.funnel(schools=schools, year=year)
    return render(
        request,
        "insight/overview.html",
        _base(partnership, year, form=form, query=query, **_funnel_context(funnel, year)),
    )


@login_required
def pillars(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools, query = _scope(request, partnership)
    year = selectors.this_year()
    rows = selectors.pillar_picture(schools=schools, year=year)
    shown = any(r.this_year or r.last_year for r in rows)
    return render(
        request,
        "insight/pillars.html",
        _base(
            partnership,
            year,
            form=form,
            query=query,
            pillar_rows=rows,
            last_label=academic_year_label(year - 1),
            minimum=selectors.MINIMUM_SCHOOLS,
            submitted=selectors.submitted_count(schools=schools, year=year),
            chart=charts.spread_chart(
                pillars=rows,
                this_label=academic_year_label(year),
                last_label=academic_year_label(year - 1),
                chart_id="pillar-spread",
            )
            if shown
            else "",
        ),
    )


@login_required
def questions(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools, query = _scope(request, partnership)
    year = selectors.this_year()
    return render(
        request,
        "insight/questions.html",
        _base(
            partnership,
            year,
            form=form,
            query=query,
            question_rows=selectors.question_heatmap(schools=schools, year=year),
            minimum=selectors.MINIMUM_SCHOOLS,
            submitted=selectors.submitted_count(schools=schools, year=year),
        ),
    )


def _question(question_pk: int) -> Question:
    framework = framework_current()
    question = (
        Question.objects.select_related("pillar")
        .filter(pk=question_pk, pillar__framework=framework)
        .first()
    )
    if question is None:
        raise Http404
    return question


@login_required
def question_invite(request, slug: str, question_pk: int):
    """Preview who gets the email (exactly the schools that rated the question Not started
    or Limited this year) and send it."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    question = _question(question_pk)
    year = selectors.this_year()
    events = list(selectors.upcoming_events(partnership=partnership))
    form = QuestionInviteForm(
        request.POST or None, events=events, initial={"event": request.GET.get("event", "")}
    )
    schools = selectors.schools_rating_weak(
        schools=selectors.partnership_schools(partnership=partnership), question=question, year=year
    )
    if request.method == "POST" and form.is_valid():
        try:
            invite = services.question_invite_send(
                actor=request.user,
                partnership=partnership,
                question=question,
                year=year,
                event=form.events.get(form.cleaned_data["event"]),
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request,
                f"Invitation sent to the leaders of {len(invite.school_ids)} "
                f"school{'s' if len(invite.school_ids) != 1 else ''}.",
            )
            return redirect("insight:questions", slug=partnership.slug)
    return render(
        request,
        "insight/question_invite.html",
        _base(
            partnership,
            year,
            question=question,
            form=form,
            schools=schools[:200],
            school_count=schools.count(),
            event_query=_event_prefill(question),
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


def _event_prefill(question) -> str:
    from urllib.parse import urlencode

    return urlencode(
        {
            "title": f"{question.pillar.name}: {question.text}"[:200],
            "description": (
                f"Support for schools on this Well Check question ({question.pillar.name}):"
                f"\n\n{question.text}"
            ),
            "question": question.pk,
        }
    )


@login_required
def trends(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools, query = _scope(request, partnership)
    year = selectors.this_year()
    points = selectors.partnership_trend(schools=schools, year=year)
    known = [p for p in points if p.median is not None]
    return render(
        request,
        "insight/trends.html",
        _base(
            partnership,
            year,
            form=form,
            query=query,
            points=points,
            minimum=selectors.MINIMUM_SCHOOLS,
            chart=charts.bar_chart(
                rows=[(p.label, round(p.median)) for p in known],
                title="Median overall Well Check score by academic year",
                chart_id="partnership-trend",
                unit="%",
            )
            if known
            else "",
        ),
    )


@login_required
def schools(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools_in_scope, query = _scope(request, partnership, MemberListForm)
    year = selectors.this_year()
    rows = selectors.member_rows(schools=schools_in_scope, year=year, **form.listing())
    page = selectors.member_page(rows=rows, year=year, page=request.GET.get("page"))
    for school in page.object_list:
        school.sparkline = charts.sparkline(
            school.trend, label=f"Overall score of {school.name} over the years"
        )
    return render(
        request,
        "insight/schools.html",
        _base(partnership, year, form=form, query=query, page=page, member_rows=page.object_list),
    )


@login_required
def schools_csv(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    form, schools_in_scope, _query = _scope(request, partnership, MemberListForm)
    year = selectors.this_year()
    rows = selectors.member_rows(schools=schools_in_scope, year=year, **form.listing())

    def lines():
        yield [
            "URN",
            "School",
            "Phase",
            "Trust",
            "Local authority",
            f"Well Check {academic_year_label(year)}",
            "Overall score",
            "Accreditation",
            "Accredited until",
            "Events attended",
        ]
        for s in rows.iterator(chunk_size=500):
            yield [
                s.urn,
                s.name,
                s.phase,
                s.trust.name if s.trust else "",
                s.la_name,
                s.wellcheck_status.replace("_", " "),
                "" if s.overall is None else s.overall,
                (s.accreditation_status or "").replace("_", " "),
                s.award_until.isoformat() if s.award_until else "",
                s.attended,
            ]

    return csv_stream(f"{partnership.slug}-schools-{timezone.localdate():%Y-%m-%d}.csv", lines())


@login_required
def nudges(request, slug: str):
    """Choose which schools to remind, see exactly what each school's leaders get, confirm."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    year = selectors.this_year()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = NudgeForm(data)
    context = _base(
        partnership, year, form=form, recent=selectors.recent_nudges(partnership=partnership)
    )
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        if request.method == "POST":
            result = services.nudge_send(
                actor=request.user, partnership=partnership, reason=reason, year=year
            )
            note = (
                f" {result['skipped']} were left out: reminded in the last 7 days."
                if result["skipped"]
                else ""
            )
            messages.success(
                request,
                f"Reminder sent to {result['sent']} "
                f"school{'s' if result['sent'] != 1 else ''}.{note}",
            )
            return redirect(reverse("insight:nudges", args=[partnership.slug]))
        found = selectors.schools_to_nudge(partnership=partnership, reason=reason, year=year)
        counts = selectors.nudge_counts(schools=found, gap=services.NUDGE_GAP)
        listed = list(found[:100])
        preview_school = next(
            (s for s in listed if str(s.urn) == request.GET.get("preview", "")), None
        ) or next((s for s in listed if s.has_leader), None)
        context.update(
            reason=reason,
            reason_label=Nudge.Reason(reason).label,
            counts=counts,
            listed=listed,
            cutoff=timezone.now() - services.NUDGE_GAP,
            preview_school=preview_school,
            preview=services.nudge_preview(
                partnership=partnership, school=preview_school, reason=reason, year=year
            )
            if preview_school
            else None,
        )
    return render(request, "insight/nudges.html", context)


def _report_years(year: int) -> list[int]:
    return list(range(year, year - 5, -1))


@login_required
def report(request, slug: str):
    """The annual impact report: the numbers on the page, the PDF from a worker, the CSV."""
    partnership = get_partnership_for_coordinator(request.user, slug)
    this_year = selectors.this_year()
    data = request.POST if request.method == "POST" else request.GET
    form = ReportForm(
        data if "year" in data else None,
        years=_report_years(this_year),
        initial={"year": this_year},
    )
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else this_year
    if request.method == "POST" and form.is_valid():
        subject, _ = AnnualReport.objects.get_or_create(partnership=partnership, academic_year=year)
        try:
            document = document_request(
                actor=request.user, kind="insight_impact_report", subject=subject
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect(document)
    subject = AnnualReport.objects.filter(partnership=partnership, academic_year=year).first()
    return render(
        request,
        "insight/report.html",
        _base(
            partnership,
            year,
            form=form,
            impact=selectors.impact(partnership=partnership, year=year),
            latest=document_latest(kind="insight_impact_report", subject=subject)
            if subject
            else None,
        ),
    )


@login_required
def report_csv(request, slug: str):
    partnership = get_partnership_for_coordinator(request.user, slug)
    this_year = selectors.this_year()
    form = ReportForm(request.GET or None, years=_report_years(this_year))
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else this_year
    impact = selectors.impact(partnership=partnership, year=year)
    return csv_stream(
        f"{partnership.slug}-impact-{impact.year_label.replace('/', '-')}.csv",
        [["Measure", "Value", "Detail"], *impact.csv_rows()],
    )


@login_required
def trust(request, group_uid: str):
    """The overview, pillar picture and question heatmap of a trust, as the person sees it:
    the trust's own people all its schools; a coordinator only their partnership's."""
    trust = get_trust_for(request.user, group_uid)
    year = selectors.this_year()
    schools = trust_schools_for(request.user, trust=trust)
    funnel = selectors.funnel(schools=schools, year=year)
    rows = selectors.pillar_picture(schools=schools, year=year)
    shown = any(r.this_year or r.last_year for r in rows)
    return render(
        request,
        "insight/trust.html",
        {
            "trust": trust,
            "year_label": academic_year_label(year),
            "last_label": academic_year_label(year - 1),
            "pillar_rows": rows,
            "question_rows": selectors.question_heatmap(schools=schools, year=year)[:10],
            "minimum": selectors.MINIMUM_SCHOOLS,
            "submitted": selectors.submitted_count(schools=schools, year=year),
            "chart": charts.spread_chart(
                pillars=rows,
                this_label=academic_year_label(year),
                last_label=academic_year_label(year - 1),
                chart_id="pillar-spread",
            )
            if shown
            else "",
            **_funnel_context(funnel, year),
        },
    )
