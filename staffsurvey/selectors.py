"""Reading surveys and their results. Every figure goes through the anonymity rules
(``anonymity.py``): nothing below the threshold, nothing while a survey is still open
(watching a count go from 5 to 6 would reveal the sixth person), breakdowns only for
groups that pass secondary suppression."""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from partnership.models import Membership, Partnership, School

from .anonymity import shown_groups
from .models import SHOWN_GROUPS, Area, Response, ResponseAnswer, StaffGroup, Survey

ACT_ON_COUNT = 3
BENCHMARK_MIN_SCHOOLS = 5


_published_areas: dict[int, list[Area]] = {}


def framework_areas(framework) -> list[Area]:
    """The framework's areas, each with its statements prefetched. A published version
    never changes, so each process reads it once (the answering pages ask for it on every
    request)."""
    cached = _published_areas.get(framework.pk)
    if cached is not None:
        return cached
    areas = list(framework.areas.prefetch_related("items"))
    if framework.is_published:
        _published_areas[framework.pk] = areas
    return areas


def ended_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(status=Survey.Status.CLOSED) | Q(closes_on__lt=today)


def surveys_of(school: School):
    return Survey.objects.filter(school=school).annotate(response_count=Count("responses"))


def latest_survey_of(school: School) -> Survey | None:
    """The school's newest survey, for its home page panel (one query)."""
    return Survey.objects.filter(school=school).order_by("-opens_on", "-pk").first()


def open_survey_of(school: School) -> Survey | None:
    return Survey.objects.filter(school=school, status=Survey.Status.OPEN).first()


def response_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey).count()


def results_visible(survey: Survey, *, count: int | None = None) -> bool:
    count = response_count(survey) if count is None else count
    return survey.has_ended() and count >= survey.threshold


@dataclass
class AreaResult:
    area: Area
    score: float
    answers: int
    distribution: list[float]  # percentage of answers at 1..5
    benchmark: float | None = None
    previous: float | None = None
    groups: dict[str, float] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        return None if self.previous is None else round(self.score - self.previous, 2)


@dataclass
class Results:
    survey: Survey
    responses: int
    visible: bool
    areas: list[AreaResult] = field(default_factory=list)
    groups: list[tuple[str, str, int]] = field(default_factory=list)  # key, label, count
    act_on: list[AreaResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    benchmark_schools: int = 0
    previous_survey: Survey | None = None

    @property
    def response_rate(self) -> int | None:
        staff = self.survey.staff_count
        return round(100 * self.responses / staff) if staff else None


def _area_scores(survey_ids) -> dict[int, dict[str, float]]:
    """{survey id: {area key: mean score}} in one query."""
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for row in (
        ResponseAnswer.objects.filter(response__survey_id__in=list(survey_ids))
        .values("response__survey_id", "item__area__key")
        .annotate(score=Avg("value"))
    ):
        scores[row["response__survey_id"]][row["item__area__key"]] = round(float(row["score"]), 2)
    return scores


def qualifying_surveys(*, school_ids, today=None) -> dict[int, Survey]:
    """Each school's latest ended survey with at least its threshold of responses."""
    latest: dict[int, Survey] = {}
    surveys = (
        Survey.objects.filter(ended_q(today), school_id__in=school_ids)
        .annotate(n=Count("responses"))
        .order_by("school_id", "-closes_on", "-pk")
    )
    for survey in surveys:
        if survey.n >= survey.threshold and survey.school_id not in latest:
            latest[survey.school_id] = survey
    return latest


def partnership_of(school: School) -> Partnership | None:
    membership = (
        Membership.objects.filter(school=school, status=Membership.Status.ACTIVE)
        .select_related("partnership")
        .order_by("pk")
        .first()
    )
    return membership.partnership if membership else None


def partnership_member_ids(partnership: Partnership) -> list[int]:
    return list(
        Membership.objects.filter(
            partnership=partnership, status=Membership.Status.ACTIVE
        ).values_list("school_id", flat=True)
    )


def partnership_benchmark(partnership: Partnership | None) -> tuple[dict[str, float], int]:
    """The median school score per area, over member schools whose latest ended survey
    has enough responses — shown only when at least five schools qualify."""
    if partnership is None:
        return {}, 0
    surveys = qualifying_surveys(school_ids=partnership_member_ids(partnership))
    if len(surveys) < BENCHMARK_MIN_SCHOOLS:
        return {}, len(surveys)
    by_area: dict[str, list[float]] = defaultdict(list)
    for scores in _area_scores(s.pk for s in surveys.values()).values():
        for key, score in scores.items():
            by_area[key].append(score)
    return {key: round(median(values), 2) for key, values in by_area.items()}, len(surveys)


def previous_survey(survey: Survey) -> Survey | None:
    earlier = (
        Survey.objects.filter(ended_q(), school_id=survey.school_id, opens_on__lt=survey.opens_on)
        .annotate(n=Count("responses"))
        .order_by("-opens_on", "-pk")
    )
    for candidate in earlier[:5]:
        if candidate.n >= candidate.threshold:
            return candidate
    return None


def survey_results(survey: Survey, *, with_comments: bool = False) -> Results:
    """The survey's results, or an empty ``Results`` (``visible`` False) while it is open
    or below its threshold."""
    group_counts = dict(
        Response.objects.filter(survey=survey)
        .values_list("staff_group")
        .annotate(n=Count("id"))
        .values_list("staff_group", "n")
    )
    total = sum(group_counts.values())
    results = Results(survey=survey, responses=total, visible=results_visible(survey, count=total))
    if not results.visible:
        return results
    areas = list(survey.framework.areas.all())
    distribution: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    for area_id, value, n in (
        ResponseAnswer.objects.filter(response__survey=survey)
        .values_list("item__area_id", "value")
        .annotate(n=Count("id"))
        .values_list("item__area_id", "value", "n")
    ):
        distribution[area_id][value - 1] += n
    groups = shown_groups(group_counts, groups=list(SHOWN_GROUPS), threshold=survey.threshold)
    labels = dict(StaffGroup.choices)
    results.groups = [(g, labels[g], group_counts[g]) for g in groups]
    by_group: dict[tuple[int, str], float] = {}
    if groups:
        for row in (
            ResponseAnswer.objects.filter(response__survey=survey, response__staff_group__in=groups)
            .values("item__area_id", "response__staff_group")
            .annotate(total=Sum("value"), n=Count("id"))
        ):
            by_group[(row["item__area_id"], row["response__staff_group"])] = round(
                row["total"] / row["n"], 2
            )
    benchmark, results.benchmark_schools = partnership_benchmark(partnership_of(survey.school))
    results.previous_survey = previous_survey(survey)
    previous = (
        _area_scores([results.previous_survey.pk]).get(results.previous_survey.pk, {})
        if results.previous_survey
        else {}
    )
    for area in areas:
        counts = distribution[area.pk]
        answers = sum(counts)
        score = sum((i + 1) * n for i, n in enumerate(counts)) / answers if answers else 0.0
        results.areas.append(
            AreaResult(
                area=area,
                score=round(score, 2),
                answers=answers,
                distribution=[round(100 * n / answers, 1) if answers else 0.0 for n in counts],
                benchmark=benchmark.get(area.key),
                previous=previous.get(area.key),
                groups={g: by_group[(area.pk, g)] for g in groups if (area.pk, g) in by_group},
            )
        )
    results.act_on = sorted(results.areas, key=lambda r: (r.score, r.area.order))[:ACT_ON_COUNT]
    if with_comments:
        # Alphabetical, never in the order they were sent (which could hint at who).
        results.comments = sorted(
            c.strip()
            for c in Response.objects.filter(survey=survey)
            .exclude(comment="")
            .values_list("comment", flat=True)
        )
    return results


def latest_results_for(school: School) -> Results | None:
    """The results of the school's latest ended survey that has enough responses."""
    survey = qualifying_surveys(school_ids=[school.pk]).get(school.pk)
    return survey_results(survey) if survey else None


def school_rows(*, schools) -> tuple[list[Area], list[dict]]:
    """Schools × areas for trust and partnership views: each school's latest qualifying
    survey, with a constant number of queries whatever the number of schools."""
    schools = list(schools)
    surveys = qualifying_surveys(school_ids=[s.pk for s in schools])
    scores = _area_scores(s.pk for s in surveys.values())
    open_counts = dict(
        Survey.objects.filter(school__in=schools, status=Survey.Status.OPEN)
        .values_list("school_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for school in schools:
        survey = surveys.get(school.pk)
        rows.append(
            {
                "school": school,
                "survey": survey,
                "responses": survey.n if survey else None,
                "scores": scores.get(survey.pk, {}) if survey else {},
                "running": bool(open_counts.get(school.pk)),
            }
        )
    framework_ids = {s.framework_id for s in surveys.values()}
    areas = list(
        Area.objects.filter(framework_id=max(framework_ids)).order_by("order")
        if framework_ids
        else []
    )
    for row in rows:
        row["cells"] = [row["scores"].get(a.key) for a in areas]
    return areas, rows


def partnership_completion(partnership: Partnership, *, since) -> dict:
    """Coordinators' view: how many member schools ran a survey since ``since`` and with
    what response rates (counts only — no answers)."""
    member_ids = partnership_member_ids(partnership)
    surveys = list(
        Survey.objects.filter(school_id__in=member_ids, opens_on__gte=since)
        .select_related("school")
        .annotate(n=Count("responses"))
        .order_by("school__name", "-opens_on")
    )
    latest: dict[int, Survey] = {}
    for survey in surveys:
        latest.setdefault(survey.school_id, survey)
    rates = [100 * s.n / s.staff_count for s in latest.values() if s.staff_count and s.has_ended()]
    return {
        "members": len(member_ids),
        "ran": len(latest),
        "surveys": list(latest.values()),
        "median_rate": round(median(rates)) if rates else None,
    }
