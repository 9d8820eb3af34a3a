"""Insight's reads: every figure is an aggregate in the database over a set of schools (a
partnership's members, filtered, or the part of a trust the person sees), so each page
runs the same few queries for 30 schools or 3,000.

Privacy (DESIGN.md): an aggregate shown to someone outside a school covers at least
``MINIMUM_SCHOOLS`` schools; below that the pages show counts only.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accreditation.models import Application, Award
from events.models import Attendee, Event
from partnership.models import Membership, Partnership, Role, School
from wellcheck.models import (
    RATING_POINTS,
    Action,
    Answer,
    Rating,
    WellCheck,
    WellCheckScore,
    academic_year_label,
    academic_year_of,
)
from wellcheck.selectors import MEDIAN_MINIMUM_SCHOOLS, framework_current, framework_pillars

from .models import Nudge, NudgeClaim

MINIMUM_SCHOOLS = MEDIAN_MINIMUM_SCHOOLS  # the same five as the results page's medians
IDLE_DAYS = 14
EXPIRING_DAYS = 90
ATTENDED = (Attendee.Attendance.ATTENDED, Attendee.Attendance.PARTIAL)
WEAK_RATINGS = (Rating.NOT_STARTED, Rating.LIMITED)
PER_PAGE = 50


def this_year() -> int:
    return academic_year_of(timezone.localdate())


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 9, 1)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# --- the schools a page is about ----------


def partnership_schools(
    *,
    partnership: Partnership,
    status: str = Membership.Status.ACTIVE,
    phase: str = "",
    trust_id: int | None = None,
    la_code: str = "",
) -> QuerySet[School]:
    members = Membership.objects.filter(partnership=partnership, status=status or "active")
    schools = School.objects.filter(pk__in=members.values("school_id"))
    if phase:
        schools = schools.filter(phase=phase)
    if trust_id:
        schools = schools.filter(trust_id=trust_id)
    if la_code:
        schools = schools.filter(la_code=la_code)
    return schools


def local_authorities(*, partnership: Partnership) -> list[tuple[str, str]]:
    return list(
        School.objects.filter(memberships__partnership=partnership)
        .exclude(la_code="")
        .order_by("la_name", "la_code")
        .values_list("la_code", "la_name")
        .distinct()
    )


# --- 1. the overview's funnel ----------


@dataclass
class Funnel:
    members: int
    not_started: int
    in_progress: int
    submitted: int
    pipeline: dict  # status label -> count
    awarded: int
    expiring: int
    places_booked: int
    places_attended: int
    never_attended: int
    shown: bool = field(init=False)  # percentages and charts (five schools or more)

    def __post_init__(self):
        self.shown = self.members >= MINIMUM_SCHOOLS

    @property
    def wellcheck_rows(self) -> list[tuple[str, int, int | None]]:
        return [
            (label, n, percent(n, self.members) if self.shown else None)
            for label, n in (
                ("Not started", self.not_started),
                ("In progress", self.in_progress),
                ("Submitted", self.submitted),
            )
        ]


PIPELINE = (
    (Application.Status.DRAFT, "Draft"),
    (Application.Status.SUBMITTED, "Submitted"),
    (Application.Status.IN_REVIEW, "In review"),
    (Application.Status.CHANGES_REQUESTED, "Changes requested"),
)


def funnel(*, schools: QuerySet[School], year: int) -> Funnel:
    today = timezone.localdate()
    members = schools.count()
    checks = WellCheck.objects.filter(school__in=schools, academic_year=year).aggregate(
        in_progress=Count("pk", filter=Q(status=WellCheck.Status.IN_PROGRESS)),
        submitted=Count("pk", filter=Q(status=WellCheck.Status.SUBMITTED)),
    )
    by_status = dict(
        Application.objects.filter(school__in=schools, status__in=Application.OPEN)
        .values_list("status")
        .annotate(n=Count("school_id", distinct=True))
        .values_list("status", "n")
    )
    # A resubmitted application is waiting with the partnership, as a submitted one is.
    by_status[Application.Status.SUBMITTED] = by_status.get(
        Application.Status.SUBMITTED, 0
    ) + by_status.get(Application.Status.RESUBMITTED, 0)
    awards = Award.objects.filter(school__in=schools, valid_until__gte=today).aggregate(
        awarded=Count("school_id", distinct=True),
        expiring=Count(
            "school_id",
            distinct=True,
            filter=Q(valid_until__lte=today + timedelta(days=EXPIRING_DAYS)),
        ),
    )
    start, end = year_bounds(year)
    places = Attendee.objects.filter(
        booking__school__in=schools,
        booking__event__starts_at__date__gte=start,
        booking__event__starts_at__date__lt=end,
    ).aggregate(
        booked=Count("pk", filter=Q(status=Attendee.Status.ACTIVE)),
        attended=Count("pk", filter=Q(attendance__in=ATTENDED)),
    )
    never = schools.exclude(
        pk__in=Attendee.objects.filter(attendance__in=ATTENDED).values("booking__school_id")
    ).count()
    in_progress, submitted = checks["in_progress"], checks["submitted"]
    return Funnel(
        members=members,
        not_started=members - in_progress - submitted,
        in_progress=in_progress,
        submitted=submitted,
        pipeline={label: by_status.get(status, 0) for status, label in PIPELINE},
        awarded=awards["awarded"],
        expiring=awards["expiring"],
        places_booked=places["booked"],
        places_attended=places["attended"],
        never_attended=never,
    )


# --- 2. the pillar picture ----------


@dataclass
class Spread:
    schools: int
    low: float
    q1: float
    median: float
    q3: float
    high: float


def _quantiles(values: list[int]) -> tuple[float, ...]:
    values = sorted(values)
    if len(values) == 1:
        return (values[0],) * 5
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return (values[0], q1, q2, q3, values[-1])


def pillar_spreads(*, schools: QuerySet[School], years: list[int]) -> dict[tuple[int, str], Spread]:
    """{(year, pillar key): Spread} of the submitted checks' pillar percentages, from the
    score summary: one aggregate query on PostgreSQL (``percentile_cont``: the same
    interpolation as ``statistics.quantiles(method="inclusive")``). Spreads over fewer
    than five schools are left out."""
    scores = WellCheckScore.objects.filter(school__in=schools, academic_year__in=years)
    found: dict[tuple[int, str], Spread] = {}
    if connection.vendor == "postgresql":
        sql, params = scores.values("academic_year", "percentages").query.sql_with_params()
        query = (
            f"WITH s AS ({sql}) SELECT s.academic_year, p.key, count(*), "  # noqa: S608 - Django's own SQL; the values travel as parameters
            "percentile_cont(ARRAY[0, 0.25, 0.5, 0.75, 1]) WITHIN GROUP "
            "(ORDER BY p.value::integer) FROM s, jsonb_each_text(s.percentages) p "
            "GROUP BY s.academic_year, p.key"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for year, key, n, q in cursor.fetchall():
                found[(year, key)] = Spread(n, *[float(v) for v in q])
    else:
        values: dict[tuple[int, str], list[int]] = {}
        for year, percentages in scores.values_list("academic_year", "percentages"):
            for key, value in percentages.items():
                values.setdefault((year, key), []).append(value)
        for k, v in values.items():
            found[k] = Spread(len(v), *[float(x) for x in _quantiles(v)])
    return {k: v for k, v in found.items() if v.schools >= MINIMUM_SCHOOLS}


@dataclass
class PillarRow:
    key: str
    name: str
    this_year: Spread | None
    last_year: Spread | None

    @property
    def change(self) -> float | None:
        if self.this_year is None or self.last_year is None:
            return None
        return round(self.this_year.median - self.last_year.median, 1)


def pillar_picture(*, schools: QuerySet[School], year: int) -> list[PillarRow]:
    framework = framework_current()
    pillars = framework_pillars(framework) if framework else []
    spreads = pillar_spreads(schools=schools, years=[year, year - 1])
    return [
        PillarRow(p.key, p.name, spreads.get((year, p.key)), spreads.get((year - 1, p.key)))
        for p in pillars
    ]


def submitted_count(*, schools: QuerySet[School], year: int) -> int:
    return WellCheckScore.objects.filter(school__in=schools, academic_year=year).count()


# --- 3. the question heatmap ----------


@dataclass
class QuestionRow:
    question: object
    counts: dict  # rating -> schools
    total: int

    @property
    def shares(self) -> list[tuple[str, str, int]]:
        return [
            (rating, label, percent(self.counts.get(rating, 0), self.total) or 0)
            for rating, label in Rating.choices
        ]

    @property
    def weak(self) -> int:
        return sum(self.counts.get(r, 0) for r in WEAK_RATINGS)

    @property
    def weak_share(self) -> int:
        return percent(self.weak, self.total) or 0

    @property
    def mean_points(self) -> float:
        points = sum(RATING_POINTS[Rating(r)] * n for r, n in self.counts.items())
        return points / self.total if self.total else 0.0


def question_heatmap(*, schools: QuerySet[School], year: int) -> list[QuestionRow]:
    """Every question of the current framework with how many submitted schools rated it
    at each level, weakest first (the largest share at Not started or Limited). One
    GROUP BY over the submitted checks' answers; empty below five submitted schools."""
    framework = framework_current()
    if framework is None:
        return []
    submitted = WellCheck.objects.filter(
        school__in=schools, academic_year=year, status=WellCheck.Status.SUBMITTED
    )
    counts: dict[int, dict[str, int]] = {}
    for question_id, rating, n in (
        Answer.objects.filter(well_check__in=submitted)
        .values_list("question_id", "rating")
        .annotate(n=Count("pk"))
        .values_list("question_id", "rating", "n")
    ):
        counts.setdefault(question_id, {})[rating] = n
    rows = []
    for pillar in framework_pillars(framework):
        for question in pillar.questions.all():
            by_rating = counts.get(question.pk, {})
            total = sum(by_rating.values())
            if total >= MINIMUM_SCHOOLS:
                rows.append(QuestionRow(question, by_rating, total))
    rows.sort(key=lambda r: (-r.weak_share, r.mean_points, r.question.pk))
    return rows


def schools_rating_weak(*, schools: QuerySet[School], question, year: int) -> QuerySet[School]:
    """The schools whose submitted check this year rated the question Not started or Limited."""
    answers = Answer.objects.filter(
        question=question,
        rating__in=WEAK_RATINGS,
        well_check__academic_year=year,
        well_check__status=WellCheck.Status.SUBMITTED,
    )
    return schools.filter(pk__in=answers.values("well_check__school_id")).order_by("name")


# --- 4. trends ----------


@dataclass
class YearPoint:
    year: int
    submitted: int
    median: float | None

    @property
    def label(self) -> str:
        return academic_year_label(self.year)


def partnership_trend(*, schools: QuerySet[School], year: int, years: int = 5) -> list[YearPoint]:
    """Submitted checks and the median overall score, per academic year, in one query."""
    first = year - years + 1
    scores = WellCheckScore.objects.filter(
        school__in=schools, academic_year__gte=first, academic_year__lte=year
    )
    found: dict[int, tuple[int, float | None]] = {}
    if connection.vendor == "postgresql":
        sql, params = scores.values("academic_year", "overall").query.sql_with_params()
        query = (
            f"WITH s AS ({sql}) SELECT academic_year, count(*), "  # noqa: S608 - Django's own SQL; the values travel as parameters
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY overall) FROM s GROUP BY academic_year"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for y, n, median in cursor.fetchall():
                found[y] = (n, None if median is None else float(median))
    else:
        values: dict[int, list[int]] = {}
        for y, overall in scores.values_list("academic_year", "overall"):
            values.setdefault(y, []).append(overall)
        for y, v in values.items():
            known = [x for x in v if x is not None]
            found[y] = (len(v), float(statistics.median(known)) if known else None)
    points = []
    for y in range(first, year + 1):
        n, median = found.get(y, (0, None))
        points.append(YearPoint(y, n, median if n >= MINIMUM_SCHOOLS else None))
    return points


def school_trends(*, school_ids: list[int], year: int, years: int = 5) -> dict[int, list]:
    """{school id: [(year, overall)]} for a page of schools, in one query."""
    trends: dict[int, list] = {pk: [] for pk in school_ids}
    for school_id, y, overall in (
        WellCheckScore.objects.filter(
            school_id__in=school_ids, academic_year__gt=year - years, academic_year__lte=year
        )
        .order_by("academic_year")
        .values_list("school_id", "academic_year", "overall")
    ):
        if overall is not None:
            trends[school_id].append((y, overall))
    return trends


# --- 6. the member list with status columns ----------

SORTS = {
    "name": "name",
    "wellcheck": "wellcheck_status",
    "overall": "overall",
    "accreditation": "accreditation_status",
    "expiry": "award_until",
    "attended": "attended",
}


def member_rows(
    *,
    schools: QuerySet[School],
    year: int,
    wellcheck: str = "",
    sort: str = "name",
    descending: bool = False,
) -> QuerySet[School]:
    """The schools with their status columns as subqueries: one query for a page, sortable
    and filterable on any column in the database."""
    attended = (
        Attendee.objects.filter(booking__school=OuterRef("pk"), attendance__in=ATTENDED)
        .order_by()
        .values("booking__school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = schools.select_related("trust").annotate(
        wellcheck_status=Coalesce(
            Subquery(
                WellCheck.objects.filter(school=OuterRef("pk"), academic_year=year).values(
                    "status"
                )[:1]
            ),
            Value("not_started"),
        ),
        overall=Subquery(
            WellCheckScore.objects.filter(school=OuterRef("pk"), academic_year=year).values(
                "overall"
            )[:1]
        ),
        accreditation_status=Subquery(
            Application.objects.filter(school=OuterRef("pk"))
            .exclude(status=Application.Status.WITHDRAWN)
            .order_by("-created_at", "-pk")
            .values("status")[:1]
        ),
        award_until=Subquery(
            Award.objects.filter(school=OuterRef("pk"))
            .order_by("-valid_until")
            .values("valid_until")[:1]
        ),
        attended=Coalesce(Subquery(attended, output_field=IntegerField()), 0),
    )
    if wellcheck:
        rows = rows.filter(wellcheck_status=wellcheck)
    column = F(SORTS.get(sort, "name"))
    expression = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return rows.order_by(expression, "name", "pk")


def member_page(*, rows: QuerySet[School], year: int, page: str | None):
    paginator = Paginator(rows, PER_PAGE)
    current = paginator.get_page(page)
    trends = school_trends(school_ids=[s.pk for s in current.object_list], year=year)
    for school in current.object_list:
        school.trend = trends.get(school.pk, [])
    return current


# --- 5. nudges ----------


def schools_to_nudge(*, partnership: Partnership, reason: str, year: int) -> QuerySet[School]:
    """Active members in the state a reminder is about, each with when it was last nudged
    and whether it has a leader to receive it."""
    schools = partnership_schools(partnership=partnership)
    now = timezone.now()
    if reason == Nudge.Reason.NOT_STARTED:
        schools = schools.exclude(
            pk__in=WellCheck.objects.filter(academic_year=year).values("school_id")
        )
    elif reason == Nudge.Reason.IDLE:
        schools = schools.filter(
            pk__in=WellCheck.objects.filter(
                academic_year=year,
                status=WellCheck.Status.IN_PROGRESS,
                last_activity_at__lt=now - timedelta(days=IDLE_DAYS),
            ).values("school_id")
        )
    elif reason == Nudge.Reason.ACTIONS_OVERDUE:
        schools = schools.filter(
            pk__in=Action.objects.filter(
                well_check__academic_year__in=[year, year - 1],
                due_date__lt=timezone.localdate(),
            )
            .exclude(status=Action.Status.DONE)
            .values("well_check__school_id")
        )
    elif reason == Nudge.Reason.CHANGES_REQUESTED:
        schools = schools.filter(
            pk__in=Application.objects.filter(
                partnership=partnership, status=Application.Status.CHANGES_REQUESTED
            ).values("school_id")
        )
    else:
        return schools.none()
    return schools.annotate(
        last_nudged=Subquery(
            NudgeClaim.objects.filter(partnership=partnership, school=OuterRef("pk")).values(
                "last_sent_at"
            )[:1]
        ),
        has_leader=Exists(
            Role.objects.filter(
                school=OuterRef("pk"), kind=Role.Kind.SCHOOL_LEADER, user__is_active=True
            )
        ),
    ).order_by("name", "pk")


def nudge_counts(*, schools: QuerySet[School], gap: timedelta) -> dict:
    cutoff = timezone.now() - gap
    return schools.aggregate(
        total=Count("pk"),
        recent=Count("pk", filter=Q(last_nudged__gte=cutoff)),
        no_leader=Count("pk", filter=Q(has_leader=False)),
        ready=Count(
            "pk",
            filter=(Q(last_nudged__isnull=True) | Q(last_nudged__lt=cutoff)) & Q(has_leader=True),
        ),
    )


def nudge_details(*, school: School, reason: str, year: int) -> dict:
    """What the reminder to one school says about it (its check, overdue actions, the
    application waiting for changes)."""
    details: dict = {}
    if reason == Nudge.Reason.IDLE:
        check = WellCheck.objects.filter(school=school, academic_year=year).first()
        details["last_activity"] = check.last_activity_at if check else None
    elif reason == Nudge.Reason.ACTIONS_OVERDUE:
        details["actions"] = list(
            Action.objects.filter(
                well_check__school=school,
                well_check__academic_year__in=[year, year - 1],
                due_date__lt=timezone.localdate(),
            ).exclude(status=Action.Status.DONE)[:10]
        )
    return details


def recent_nudges(*, partnership: Partnership, limit: int = 20) -> QuerySet[Nudge]:
    return Nudge.objects.filter(partnership=partnership).select_related("school", "sent_by")[:limit]


def upcoming_events(*, partnership: Partnership) -> QuerySet[Event]:
    return Event.objects.filter(
        partnership=partnership,
        status=Event.Status.PUBLISHED,
        starts_at__gte=timezone.now(),
    ).order_by("starts_at")[:50]


# --- 7. the annual impact report ----------


@dataclass
class Impact:
    partnership: Partnership
    year: int
    funnel: Funnel
    pillars: list[PillarRow]
    weakest: list[QuestionRow]
    strongest: list[QuestionRow]
    awarded_in_year: int
    events_held: int
    schools_attended: int

    @property
    def year_label(self) -> str:
        return academic_year_label(self.year)

    def csv_rows(self) -> list[list]:
        f = self.funnel
        rows: list[list] = [
            ["Academic year", self.year_label],
            ["Member schools", f.members],
            ["Well Check not started", f.not_started],
            ["Well Check in progress", f.in_progress],
            ["Well Check submitted", f.submitted],
            ["Well Check completion (%)", percent(f.submitted, f.members) if f.shown else ""],
            ["Schools accredited (current)", f.awarded],
            ["Accreditations awarded in the year", self.awarded_in_year],
            ["Accreditations expiring in 90 days", f.expiring],
            ["Events held", self.events_held],
            ["Places booked", f.places_booked],
            ["Places attended", f.places_attended],
            ["Schools that attended an event", self.schools_attended],
        ]
        for p in self.pillars:
            rows.append(
                [
                    f"{p.name}: median (%)",
                    "" if p.this_year is None else p.this_year.median,
                ]
            )
            rows.append([f"{p.name}: change since last year", "" if p.change is None else p.change])
        for label, questions in (("Weakest", self.weakest), ("Strongest", self.strongest)):
            for q in questions:
                rows.append(
                    [
                        f"{label} question",
                        q.question.text,
                        f"{q.weak_share}% Not started or Limited",
                    ]
                )
        return rows


def impact(*, partnership: Partnership, year: int) -> Impact:
    schools = partnership_schools(partnership=partnership)
    heat = question_heatmap(schools=schools, year=year)
    start, end = year_bounds(year)
    events = Event.objects.filter(
        partnership=partnership,
        status=Event.Status.PUBLISHED,
        starts_at__date__gte=start,
        starts_at__date__lt=end,
    )
    return Impact(
        partnership=partnership,
        year=year,
        funnel=funnel(schools=schools, year=year),
        pillars=pillar_picture(schools=schools, year=year),
        weakest=heat[:5],
        strongest=list(reversed(heat[-5:])) if len(heat) > 5 else [],
        awarded_in_year=Award.objects.filter(
            school__in=schools, awarded_on__gte=start, awarded_on__lt=end
        ).count(),
        events_held=events.count(),
        schools_attended=schools.filter(
            pk__in=Attendee.objects.filter(
                attendance__in=ATTENDED, booking__event__in=events
            ).values("booking__school_id")
        ).count(),
    )
