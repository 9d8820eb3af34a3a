"""Read side of the Well Check: progress, scores, results, tables for trusts and partnerships."""

import statistics
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from partnership.models import Membership, School

from .framework import PILLAR_KEYS, shipped_pillars
from .models import (
    RATING_POINTS,
    Action,
    Answer,
    DataAnswer,
    FrameworkVersion,
    Pillar,
    Question,
    Rating,
    WellCheck,
    WellCheckScore,
)

MEDIAN_MINIMUM_SCHOOLS = 5


def framework_current() -> FrameworkVersion | None:
    return (
        FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


_PUBLISHED_FRAMEWORKS: dict[tuple, list[Pillar]] = {}


def framework_pillars(framework: FrameworkVersion) -> list[Pillar]:
    """Pillars in order with their questions (``pillar.questions.all()``). A published
    framework never changes, so it is read once per process; treat the result as
    read-only."""
    key = (framework.pk, framework.created_at)  # a key no other framework row can share
    cached = _PUBLISHED_FRAMEWORKS.get(key)
    if cached is not None:
        return cached
    pillars = list(
        framework.pillars.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        )
    )
    if framework.is_published:
        _PUBLISHED_FRAMEWORKS[key] = pillars
    return pillars


def wellchecks_of_school(*, school: School) -> QuerySet[WellCheck]:
    return WellCheck.objects.filter(school=school).select_related("framework", "submitted_by")


def wellcheck_of_year(*, school: School, year: int) -> WellCheck | None:
    return (
        WellCheck.objects.filter(school=school, academic_year=year)
        .select_related("framework")
        .first()
    )


@dataclass
class PillarProgress:
    pillar: Pillar
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


_PUBLISHED_PILLARS: dict[tuple, list[Pillar]] = {}


def _pillars_with_question_counts(framework: FrameworkVersion) -> list[Pillar]:
    """Pillars (with ``n`` questions each) in order. A published framework never changes,
    so its list is kept for the life of the process."""
    key = (framework.pk, framework.created_at)
    cached = _PUBLISHED_PILLARS.get(key)
    if cached is not None:
        return cached
    pillars = list(framework.pillars.annotate(n=Count("questions")).order_by("order"))
    if framework.is_published:
        _PUBLISHED_PILLARS[key] = pillars
    return pillars


def progress(well_check: WellCheck) -> list[PillarProgress]:
    answered = dict(
        Answer.objects.filter(well_check=well_check)
        .values_list("question__pillar_id")
        .annotate(n=Count("pk"))
        .values_list("question__pillar_id", "n")
    )
    return [
        PillarProgress(pillar=p, answered=answered.get(p.pk, 0), total=p.n)
        for p in _pillars_with_question_counts(well_check.framework)
    ]


def missing_questions(well_check: WellCheck) -> list[Question]:
    return list(
        Question.objects.filter(pillar__framework_id=well_check.framework_id)
        .exclude(pk__in=Answer.objects.filter(well_check=well_check).values("question_id"))
        .select_related("pillar")
        .order_by("pillar__order", "order")
    )


def answers_by_question(well_check: WellCheck) -> dict[int, Answer]:
    return {
        a.question_id: a
        for a in Answer.objects.filter(well_check=well_check).select_related("updated_by")
    }


def data_answers_by_question(well_check: WellCheck) -> dict[int, DataAnswer]:
    return {
        a.question_id: a
        for a in DataAnswer.objects.filter(well_check=well_check).select_related("updated_by")
    }


def answers_to_check(well_check: WellCheck) -> dict:
    """Every question of the check, pillar by pillar, with its answer (or None), and every
    data question with its value: the check-your-answers page, in four queries."""
    answers = answers_by_question(well_check)
    data = data_answers_by_question(well_check)
    pillars = []
    questions = Question.objects.filter(pillar__framework_id=well_check.framework_id).order_by(
        "order", "pk"
    )
    by_pillar: dict[int, list] = {}
    for question in questions:
        by_pillar.setdefault(question.pillar_id, []).append((question, answers.get(question.pk)))
    for pillar in well_check.framework.pillars.order_by("order", "pk"):
        pillars.append((pillar, by_pillar.get(pillar.pk, [])))
    return {
        "pillars": pillars,
        "data": [
            (question, data.get(question.pk))
            for question in well_check.framework.data_questions.order_by("order", "pk")
        ],
        "missing": sum(1 for _, rows in pillars for _, answer in rows if answer is None),
    }


# --- scores --------------------------------------------------------------------------------

POINTS_CASE = Case(
    *[When(rating=rating, then=Value(points)) for rating, points in RATING_POINTS.items()],
    output_field=IntegerField(),
)


def pillar_percentages(check_ids: list[int]) -> dict[int, dict[str, int]]:
    """{check id: {pillar key: percent of the maximum}} in one query, for any number of checks."""
    rows = (
        Answer.objects.filter(well_check_id__in=check_ids)
        .values("well_check_id", "question__pillar__key")
        .annotate(points=Sum(POINTS_CASE), answered=Count("pk"))
    )
    per_pillar_totals = {
        (row["pk"], row["framework__pillars__key"]): row["n"]
        for row in WellCheck.objects.filter(pk__in=check_ids)
        .values("pk", "framework__pillars__key")
        .annotate(n=Count("framework__pillars__questions"))
    }
    result: dict[int, dict[str, int]] = {pk: {} for pk in check_ids}
    for row in rows:
        total = per_pillar_totals.get((row["well_check_id"], row["question__pillar__key"]), 0)
        if total:
            result[row["well_check_id"]][row["question__pillar__key"]] = round(
                100 * row["points"] / (3 * total)
            )
    return result


def overall_percentage(percentages: dict[str, int], pillar_keys: list[str]) -> int | None:
    if not pillar_keys or any(k not in percentages for k in pillar_keys):
        return None
    return round(sum(percentages[k] for k in pillar_keys) / len(pillar_keys))


@dataclass
class PillarResult:
    pillar: Pillar
    percent: int
    points: int
    maximum: int
    strengths: list = field(default_factory=list)
    growth: list = field(default_factory=list)
    previous: int | None = None
    median: float | None = None
    SUGGESTIONS = 3

    @property
    def suggestions(self) -> list:
        """Up to three growth areas to make priorities of, the weakest first."""
        order = {Rating.NOT_STARTED: 0, Rating.LIMITED: 1}
        ranked = sorted(self.growth, key=lambda pair: order[pair[1].rating])
        return ranked[: self.SUGGESTIONS]

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.percent - self.previous


@dataclass
class Results:
    well_check: WellCheck
    pillars: list[PillarResult]
    overall: int
    previous_check: WellCheck | None
    previous_overall: int | None
    data_answers: list
    median_schools: int
    medians_shown: bool


def _active_member_ids(school: School):
    partnership_ids = Membership.objects.filter(school=school).values("partnership_id")
    return Membership.objects.filter(
        partnership_id__in=partnership_ids, status=Membership.Status.ACTIVE
    ).values("school_id")


def partnership_medians(*, school: School, year: int) -> tuple[dict[str, float], int]:
    """Median pillar percentages of the partnership's submitted checks this year, from the
    score summary: on PostgreSQL one aggregate query (``percentile_cont``, the same
    midpoint rule as ``statistics.median``), elsewhere the percentages read and sorted."""
    scores = WellCheckScore.objects.filter(
        school_id__in=_active_member_ids(school), academic_year=year
    )
    if connection.vendor == "postgresql":
        sql, params = scores.values("percentages", "well_check_id").query.sql_with_params()
        query = (
            f"WITH s AS ({sql}) SELECT pillar.key, percentile_cont(0.5) WITHIN GROUP "  # noqa: S608 - Django's own SQL; the values travel as parameters
            "(ORDER BY pillar.value::integer), (SELECT count(*) FROM s) "
            "FROM s, jsonb_each_text(s.percentages) pillar GROUP BY pillar.key"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        schools = rows[0][2] if rows else 0
        by_pillar = {key: float(median) for key, median, _ in rows}
    else:
        values: dict[str, list[int]] = {}
        schools = 0
        for percentages in scores.values_list("percentages", flat=True):
            schools += 1
            for key, value in percentages.items():
                values.setdefault(key, []).append(value)
        by_pillar = {k: statistics.median(v) for k, v in values.items()}
    if schools < MEDIAN_MINIMUM_SCHOOLS:
        return {}, schools
    return by_pillar, schools


def results(well_check: WellCheck) -> Results:
    pillars = framework_pillars(well_check.framework)
    answers = answers_by_question(well_check)
    previous = (
        WellCheck.objects.filter(
            school=well_check.school,
            academic_year__lt=well_check.academic_year,
            status=WellCheck.Status.SUBMITTED,
        )
        .order_by("-academic_year")
        .first()
    )
    previous_score = (
        WellCheckScore.objects.filter(well_check=previous).first() if previous else None
    )
    previous_pct = previous_score.percentages if previous_score else {}
    medians, median_schools = partnership_medians(
        school=well_check.school, year=well_check.academic_year
    )
    pillar_results = []
    for pillar in pillars:
        questions = list(pillar.questions.all())
        points = sum(answers[q.pk].points for q in questions if q.pk in answers)
        maximum = 3 * len(questions)
        pillar_results.append(
            PillarResult(
                pillar=pillar,
                percent=round(100 * points / maximum) if maximum else 0,
                points=points,
                maximum=maximum,
                strengths=[
                    q
                    for q in questions
                    if q.pk in answers and answers[q.pk].rating == Rating.STRONG
                ],
                growth=[
                    (q, answers[q.pk])
                    for q in questions
                    if q.pk in answers
                    and answers[q.pk].rating in (Rating.NOT_STARTED, Rating.LIMITED)
                ],
                previous=previous_pct.get(pillar.key),
                median=medians.get(pillar.key),
            )
        )
    keys = [p.key for p in pillars]
    overall = overall_percentage({r.pillar.key: r.percent for r in pillar_results}, keys) or 0
    data = data_answers_by_question(well_check)
    return Results(
        well_check=well_check,
        pillars=pillar_results,
        overall=overall,
        previous_check=previous,
        previous_overall=overall_percentage(previous_pct, keys) if previous else None,
        data_answers=[(q, data.get(q.pk)) for q in well_check.framework.data_questions.all()],
        median_schools=median_schools,
        medians_shown=bool(medians),
    )


# --- tables for trusts and partnerships ----------------------------------------------------


@dataclass
class SchoolRow:
    school: School
    status: str  # "not_started", "in_progress", "submitted"
    latest_submitted: WellCheckScore | None  # its academic_year and year_label
    percentages: dict[str, int]
    overall: int | None


def pillar_columns() -> list[tuple[str, str]]:
    """(key, name) of each pillar, in order: the table columns. The names come from the
    framework's data (the shipped framework file), never from code, and cost no query."""
    return shipped_pillars()


def score_band(percent: int | None) -> str:
    """A text label for a score, so the table never relies on colour alone."""
    if percent is None:
        return ""
    if percent >= 75:
        return "Strong"
    if percent >= 50:
        return "Good"
    if percent >= 25:
        return "Limited"
    return "Not started"


def _rows(schools: list[School], year: int) -> list[SchoolRow]:
    ids = [s.pk for s in schools]
    status = dict(
        WellCheck.objects.filter(school_id__in=ids, academic_year=year).values_list(
            "school_id", "status"
        )
    )
    latest = {
        score.school_id: score
        for score in WellCheckScore.objects.filter(school_id__in=ids, is_latest=True)
    }
    rows = []
    for school in schools:
        score = latest.get(school.pk)
        rows.append(
            SchoolRow(
                school=school,
                status=status.get(school.pk, "not_started"),
                latest_submitted=score,
                percentages=score.percentages if score else {},
                overall=score.overall if score else None,
            )
        )
    return rows


def school_rows(*, schools: QuerySet[School], year: int) -> list[SchoolRow]:
    """Each school with this year's status and its latest submitted scores (from the
    score summary) — three queries whatever the number of schools."""
    return _rows(list(schools.select_related("trust").order_by("name")), year)


def score_sorts(columns: list[tuple[str, str]]) -> dict[str, str]:
    """The orders the scores table offers (``columns`` from ``pillar_columns()``)."""
    return {
        "name": "School name",
        "overall": "Overall score",
        **dict(columns),
        "status": "This year's status",
    }


SCORES_PER_PAGE = 50


def _sorted_schools(schools: QuerySet[School], *, year: int, sort: str, descending: bool):
    """Order schools by a score of their latest submitted check, in SQL (schools without
    one last), or by this year's status, or by name."""
    if sort in PILLAR_KEYS or sort == "overall":
        latest = WellCheckScore.objects.filter(school=OuterRef("pk"), is_latest=True)
        value = (
            latest.values("overall")
            if sort == "overall"
            else latest.annotate(
                value=Cast(KeyTextTransform(sort, "percentages"), IntegerField())
            ).values("value")
        )
        key = Subquery(value[:1], output_field=IntegerField())
        order = key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
        return schools.annotate(sort_key=key).order_by(order, "name", "pk")
    if sort == "status":
        this_year = WellCheck.objects.filter(school=OuterRef("pk"), academic_year=year)
        key = Coalesce(Subquery(this_year.values("status")[:1]), Value("not_started"))
        # in_progress < not_started < submitted: the work still to do first.
        order = key.desc() if descending else key.asc()
        return schools.annotate(sort_key=key).order_by(order, "name", "pk")
    return schools.order_by("-name" if descending else "name", "pk")


def score_counts(*, schools: QuerySet[School], year: int) -> dict[str, int]:
    total = schools.count()
    counts = dict(
        WellCheck.objects.filter(school__in=schools.values("pk"), academic_year=year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    submitted = counts.get(WellCheck.Status.SUBMITTED, 0)
    in_progress = counts.get(WellCheck.Status.IN_PROGRESS, 0)
    return {
        "total": total,
        "submitted": submitted,
        "in_progress": in_progress,
        "not_started": total - submitted - in_progress,
    }


def score_page(
    *,
    schools: QuerySet[School],
    year: int,
    sort: str = "name",
    descending: bool = False,
    page: str | int | None = 1,
    per_page: int = SCORES_PER_PAGE,
):
    """One page of the schools × pillars table, sorted in SQL: a Page whose object_list
    is SchoolRows. A fixed number of queries whatever the number of schools."""
    from django.core.paginator import Paginator

    ordered = _sorted_schools(
        schools.select_related("trust"), year=year, sort=sort, descending=descending
    )
    result = Paginator(ordered, per_page).get_page(page)
    result.object_list = _rows(list(result.object_list), year)
    return result


def score_rows_iter(*, schools: QuerySet[School], year: int, chunk: int = 500):
    """Every school's row, a chunk at a time (the CSV streams these)."""
    ordered = schools.select_related("trust").order_by("name", "pk")
    last_name, last_pk = None, 0
    while True:
        batch = ordered
        if last_name is not None:
            batch = ordered.filter(Q(name__gt=last_name) | Q(name=last_name, pk__gt=last_pk))
        batch = list(batch[:chunk])
        if not batch:
            return
        yield from _rows(batch, year)
        last_name, last_pk = batch[-1].name, batch[-1].pk


def actions_of(well_check: WellCheck) -> QuerySet[Action]:
    return (
        Action.objects.filter(well_check=well_check)
        .select_related("pillar", "owner", "question")
        .prefetch_related("updates__author")
        .order_by("pillar__order", "due_date", "pk")
    )


def school_people(school: School):
    from wellschools.models import User

    return User.objects.filter(roles__school=school).distinct().order_by("full_name", "email")


def member_schools(
    *, partnership, phase: str = "", trust_id: int | None = None
) -> QuerySet[School]:
    schools = School.objects.filter(
        memberships__partnership=partnership, memberships__status=Membership.Status.ACTIVE
    )
    if phase:
        schools = schools.filter(phase=phase)
    if trust_id:
        schools = schools.filter(trust_id=trust_id)
    return schools
