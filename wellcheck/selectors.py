"""Read side of the Well Check: progress, scores, results, tables for trusts and partnerships."""

import statistics
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Sum, Value, When

from partnership.models import Membership, School

from .framework import PILLAR_KEYS
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
)

MEDIAN_MINIMUM_SCHOOLS = 5


def framework_current() -> FrameworkVersion | None:
    return (
        FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def framework_pillars(framework: FrameworkVersion) -> list[Pillar]:
    return list(
        framework.pillars.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        )
    )


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


def progress(well_check: WellCheck) -> list[PillarProgress]:
    answered = dict(
        Answer.objects.filter(well_check=well_check)
        .values_list("question__pillar_id")
        .annotate(n=Count("pk"))
        .values_list("question__pillar_id", "n")
    )
    return [
        PillarProgress(pillar=p, answered=answered.get(p.pk, 0), total=p.n)
        for p in well_check.framework.pillars.annotate(n=Count("questions")).order_by("order")
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


def partnership_medians(*, school: School, year: int) -> tuple[dict[str, float], int]:
    """Median pillar percentages of the partnership's submitted checks this year."""
    partnership_ids = Membership.objects.filter(school=school).values("partnership_id")
    member_schools = Membership.objects.filter(
        partnership_id__in=partnership_ids, status=Membership.Status.ACTIVE
    ).values("school_id")
    check_ids = list(
        WellCheck.objects.filter(
            school_id__in=member_schools, academic_year=year, status=WellCheck.Status.SUBMITTED
        ).values_list("pk", flat=True)
    )
    if len(check_ids) < MEDIAN_MINIMUM_SCHOOLS:
        return {}, len(check_ids)
    by_pillar: dict[str, list[int]] = {}
    for percentages in pillar_percentages(check_ids).values():
        for key, value in percentages.items():
            by_pillar.setdefault(key, []).append(value)
    return {k: statistics.median(v) for k, v in by_pillar.items()}, len(check_ids)


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
    previous_pct = pillar_percentages([previous.pk])[previous.pk] if previous else {}
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
    current: WellCheck | None
    latest_submitted: WellCheck | None
    percentages: dict[str, int]
    overall: int | None


def pillar_columns() -> list[tuple[str, str]]:
    """(key, name) of each pillar of the current framework, in order: the table columns.
    The names come from the framework's data, never from code."""
    framework = framework_current()
    if framework is None:
        return []
    return list(framework.pillars.order_by("order", "pk").values_list("key", "name"))


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


def school_rows(*, schools: QuerySet[School], year: int) -> list[SchoolRow]:
    """Each school with this year's status and its latest submitted scores — a fixed
    number of queries whatever the number of schools."""
    schools = list(schools.select_related("trust").order_by("name"))
    ids = [s.pk for s in schools]
    current = {
        c.school_id: c for c in WellCheck.objects.filter(school_id__in=ids, academic_year=year)
    }
    latest: dict[int, WellCheck] = {}
    for check in WellCheck.objects.filter(
        school_id__in=ids, status=WellCheck.Status.SUBMITTED
    ).order_by("school_id", "-academic_year"):
        latest.setdefault(check.school_id, check)
    percentages = pillar_percentages([c.pk for c in latest.values()])
    keys = list(PILLAR_KEYS)
    rows = []
    for school in schools:
        check = current.get(school.pk)
        submitted = latest.get(school.pk)
        pct = percentages.get(submitted.pk, {}) if submitted else {}
        rows.append(
            SchoolRow(
                school=school,
                status=check.status if check else "not_started",
                current=check,
                latest_submitted=submitted,
                percentages=pct,
                overall=overall_percentage(pct, keys) if submitted else None,
            )
        )
    return rows


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
