"""Read side of accreditation: eligibility, applications, the review queue, awards."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from partnership.models import Membership, Partnership, Role, School
from wellcheck.models import Pillar, WellCheck
from wellschools.dates import format_date

from .dates import RENEWAL_OPENS_DAYS, TARGET_WORKING_DAYS, working_days_between, year_before
from .models import Application, Award, Evidence, PillarJudgement, PillarStatement

S = Application.Status


# --- eligibility ---------------------------------------------------------------------------


@dataclass
class Eligibility:
    school: School
    partnership: Partnership | None
    membership: Membership | None = None
    well_check: WellCheck | None = None
    open_application: Application | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.missing and self.open_application is None


def eligibility(*, school: School, today: date | None = None) -> Eligibility:
    """Can the school start an application now? ``missing`` says exactly what is not there."""
    today = today or timezone.localdate()
    membership = (
        Membership.objects.filter(school=school, status=Membership.Status.ACTIVE)
        .select_related("partnership")
        .order_by("pk")
        .first()
    )
    result = Eligibility(school=school, partnership=membership.partnership if membership else None)
    result.membership = membership
    if membership is None:
        result.missing.append(
            "The school is not an active member of a partnership. Membership must be active "
            "before it can apply for accreditation."
        )
    if school.status == School.Status.CLOSED:
        result.missing.append("The school is closed.")
    since = year_before(today)
    # The latest submitted check, in one query: if it is older than a year, so are all.
    latest = (
        WellCheck.objects.filter(school=school, status=WellCheck.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    if latest is not None and timezone.localdate(latest.submitted_at) > since:
        result.well_check = latest
    if result.well_check is None:
        if latest is None:
            result.missing.append(
                "The school has not submitted a Well Check yet. Complete and submit this "
                "year's Well Check first."
            )
        else:
            result.missing.append(
                f"The school's last Well Check was submitted on "
                f"{format_date(latest.submitted_at)}, more than 12 months ago. "
                "Submit this year's Well Check first."
            )
    held = current_awards(today=today).filter(school=school).order_by("-valid_until").first()
    if held is not None and held.valid_until > today + timedelta(days=RENEWAL_OPENS_DAYS):
        opens = held.valid_until - timedelta(days=RENEWAL_OPENS_DAYS)
        result.missing.append(
            f"The school is accredited until {held.valid_until.day} "
            f"{held.valid_until:%B %Y}. Renewal opens on {opens.day} {opens:%B %Y}, "
            f"{RENEWAL_OPENS_DAYS} days before the award ends."
        )
    if membership is not None:
        result.open_application = (
            Application.objects.filter(
                school=school, partnership=membership.partnership, status__in=Application.OPEN
            )
            .order_by("-pk")
            .first()
        )
    return result


# --- applications ----------------------------------------------------------------------------


def applications_of_school(*, school: School) -> QuerySet[Application]:
    return (
        Application.objects.filter(school=school)
        .select_related("partnership", "award", "reviewer")
        .order_by("-created_at", "-pk")
    )


def application_of_school(*, school: School, pk: int) -> Application | None:
    return (
        Application.objects.filter(school=school, pk=pk)
        .select_related("partnership", "school", "school__trust", "framework", "reviewer")
        .first()
    )


def previous_application(*, school: School, partnership: Partnership) -> Application | None:
    """The school's latest application that went beyond a draft (for a renewal, the one
    that was awarded), to start a new one from."""
    applications = Application.objects.filter(school=school, partnership=partnership).exclude(
        status__in=[S.DRAFT]
    )
    return (
        applications.filter(status=S.AWARDED).order_by("-decided_at", "-pk").first()
        or applications.exclude(status=S.WITHDRAWN).order_by("-created_at", "-pk").first()
    )


@dataclass
class PillarSection:
    pillar: Pillar
    statement: PillarStatement | None
    evidence: list[Evidence]
    judgement: PillarJudgement | None = None  # the current round's
    earlier_judgements: list[PillarJudgement] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.statement and self.statement.text.strip()) and bool(self.evidence)

    @property
    def old_evidence(self) -> int:
        return sum(1 for item in self.evidence if item.is_old)


def pillar_sections(application: Application) -> list[PillarSection]:
    """Every pillar of the application's framework with its statement, evidence and
    judgements, in four queries whatever the size."""
    pillars = list(application.framework.pillars.order_by("order", "pk"))
    statements = {s.pillar_id: s for s in application.statements.select_related("updated_by")}
    evidence: dict[int, list[Evidence]] = {}
    for item in application.evidence.select_related("added_by").order_by("added_at", "pk"):
        evidence.setdefault(item.pillar_id, []).append(item)
    current: dict[int, PillarJudgement] = {}
    earlier: dict[int, list[PillarJudgement]] = {}
    for judgement in application.judgements.select_related("judged_by", "replied_by"):
        if judgement.round == application.review_round:
            current[judgement.pillar_id] = judgement
        else:
            earlier.setdefault(judgement.pillar_id, []).append(judgement)
    return [
        PillarSection(
            pillar=p,
            statement=statements.get(p.pk),
            evidence=evidence.get(p.pk, []),
            judgement=current.get(p.pk),
            earlier_judgements=earlier.get(p.pk, []),
        )
        for p in pillars
    ]


def submission_gaps(application: Application) -> list[str]:
    """What is still missing before the application can be submitted."""
    gaps = []
    for section in pillar_sections(application):
        if not (section.statement and section.statement.text.strip()):
            gaps.append(f"{section.pillar.name}: write a statement of the school's practice.")
        if not section.evidence:
            gaps.append(f"{section.pillar.name}: add at least one evidence item.")
    return gaps


def replies_missing(application: Application) -> list[Pillar]:
    """Pillars judged partly met or not met in this round that the school has not answered."""
    return [
        j.pillar
        for j in application.judgements.filter(
            round=application.review_round,
            judgement__in=[PillarJudgement.Judgement.PARTLY_MET, PillarJudgement.Judgement.NOT_MET],
            reply="",
        ).select_related("pillar")
    ]


def reusable_evidence(*, application: Application, pillar: Pillar) -> list[Evidence]:
    """Evidence of the school's earlier applications for the same pillar (by its key) that
    this application has not reused yet."""
    already = set(
        application.evidence.exclude(reused_from__isnull=True).values_list(
            "reused_from_id", flat=True
        )
    )
    earlier = (
        Evidence.objects.filter(
            application__school_id=application.school_id,
            application__partnership_id=application.partnership_id,
            pillar__key=pillar.key,
        )
        .exclude(application=application)
        .exclude(pk__in=already)
        .select_related("application")
        .order_by("-application__created_at", "added_at", "pk")
    )
    if application.previous_id:
        earlier = earlier.filter(application_id=application.previous_id)
    return list(earlier[:50])


def application_history(application: Application):
    return application.history.select_related("actor").order_by("at", "pk")


# --- the review queue ----------------------------------------------------------------------

QUEUE_STATUSES = (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED)


@dataclass
class QueueRow:
    application: Application
    days_waiting: int | None  # working days the partnership has held it; None: not with us

    @property
    def target(self) -> int:
        return TARGET_WORKING_DAYS

    @property
    def overdue(self) -> bool:
        return self.days_waiting is not None and self.days_waiting > TARGET_WORKING_DAYS


def days_waiting(application: Application, today: date | None = None) -> int | None:
    """Working days the partnership has held the application since it was first submitted
    (time with the school, after changes were requested, does not count)."""
    if application.submitted_at is None or application.status in Application.FINAL:
        return None
    today = today or timezone.localdate()
    days = application.working_days_used
    if application.is_with_partnership and application.waiting_since:
        days += working_days_between(timezone.localdate(application.waiting_since), today)
    return days


def review_queue(
    *,
    partnership: Partnership,
    status: str = "",
    reviewer: str = "",
    search: str = "",
    actor=None,
) -> QuerySet[Application]:
    """The coordinator's queue: submitted applications (never drafts), oldest first.

    ``status``: one status, "open" (default: everything not decided) or "decided";
    ``reviewer``: "none" (unassigned), "me" or a user id."""
    applications = Application.objects.filter(partnership=partnership).exclude(status=S.DRAFT)
    if status == "decided":
        applications = applications.filter(status__in=Application.FINAL).exclude(
            submitted_at__isnull=True
        )
    elif status in S.values:
        applications = applications.filter(status=status)
    else:
        applications = applications.filter(status__in=QUEUE_STATUSES)
    if reviewer == "none":
        applications = applications.filter(reviewer__isnull=True)
    elif reviewer == "me" and actor is not None:
        applications = applications.filter(reviewer=actor)
    elif reviewer.isascii() and reviewer.isdigit():
        applications = applications.filter(reviewer_id=int(reviewer))
    search = search.strip()
    if search:
        condition = Q(school__name__icontains=search) | Q(school__town__icontains=search)
        if search.isascii() and search.isdigit():
            condition |= Q(school__urn=int(search))
        applications = applications.filter(condition)
    return applications.select_related(
        "partnership", "school", "school__trust", "reviewer"
    ).order_by("submitted_at", "pk")


def queue_rows(applications, today: date | None = None) -> list[QueueRow]:
    today = today or timezone.localdate()
    return [QueueRow(a, days_waiting(a, today)) for a in applications]


def queue_reviewers(*, partnership: Partnership):
    """People who review at least one of the partnership's applications (for the filter)."""
    from wellschools.models import User

    return (
        User.objects.filter(accreditation_reviews__partnership=partnership)
        .distinct()
        .order_by("full_name", "email")
    )


def queue_summary(*, partnership: Partnership, today: date | None = None) -> dict:
    """Counts for the coordinator's dashboard panel."""
    waiting = list(
        Application.objects.filter(partnership=partnership, status__in=QUEUE_STATUSES).only(
            "status", "submitted_at", "waiting_since", "working_days_used", "reviewer_id"
        )
    )
    rows = queue_rows(waiting, today)
    return {
        "open": len(rows),
        "unassigned": sum(1 for r in rows if r.application.reviewer_id is None),
        "overdue": sum(1 for r in rows if r.overdue),
        "current_awards": current_awards(partnership=partnership, today=today).count(),
    }


# --- reviewers ------------------------------------------------------------------------------


def accredited_school_ids(*, partnership: Partnership, today: date | None = None) -> set[int]:
    return set(
        current_awards(partnership=partnership, today=today).values_list("school_id", flat=True)
    )


def reviewer_candidates(*, partnership: Partnership, today: date | None = None) -> list:
    """The partnership's coordinators and the leaders and staff of currently accredited
    schools, each with a description ("Coordinator", "School leader at …")."""
    from wellschools.models import User

    accredited = accredited_school_ids(partnership=partnership, today=today)
    roles = (
        Role.objects.filter(
            Q(kind=Role.Kind.COORDINATOR, partnership=partnership)
            | Q(
                kind__in=[Role.Kind.SCHOOL_LEADER, Role.Kind.SCHOOL_STAFF],
                school_id__in=accredited,
            ),
            user__is_active=True,
        )
        .select_related("school")
        .order_by("kind", "pk")
    )
    described: dict[int, list[str]] = {}
    for role in roles:
        if role.kind == Role.Kind.COORDINATOR:
            described.setdefault(role.user_id, []).insert(0, "Coordinator")
        else:
            described.setdefault(role.user_id, []).append(
                f"{role.get_kind_display()} at {role.school.name} (accredited)"
            )
    people = list(User.objects.filter(pk__in=described).order_by("full_name", "email"))
    for person in people:
        person.reviewer_description = "; ".join(described[person.pk])
    return people


def partnership_people(*, partnership: Partnership):
    """Everyone with a role in the partnership: its coordinators and the people of its
    member schools and their trusts."""
    from wellschools.models import User

    return User.objects.filter(
        Q(roles__partnership=partnership)
        | Q(roles__school__memberships__partnership=partnership)
        | Q(roles__trust__schools__memberships__partnership=partnership)
    ).distinct()


def reviews_assigned_to(*, user) -> QuerySet[Application]:
    return (
        Application.objects.filter(reviewer=user, status__in=QUEUE_STATUSES)
        .select_related("school", "partnership")
        .order_by("submitted_at", "pk")
    )


# --- awards ---------------------------------------------------------------------------------


def current_awards(*, partnership: Partnership | None = None, today: date | None = None):
    today = today or timezone.localdate()
    awards = Award.objects.filter(awarded_on__lte=today, valid_until__gte=today)
    if partnership is not None:
        awards = awards.filter(partnership=partnership)
    return awards


def accredited_schools_public(*, today: date | None = None) -> list[dict]:
    """Every partnership's currently accredited schools, for the public list. A school with
    two current awards (a renewal before expiry) appears once, with the later expiry."""
    awards = (
        current_awards(today=today)
        .select_related("school", "partnership")
        .order_by("partnership__name", "school__name", "-valid_until")
    )
    groups: dict[int, dict] = {}
    for award in awards:
        group = groups.setdefault(
            award.partnership_id, {"partnership": award.partnership, "awards": [], "seen": set()}
        )
        if award.school_id not in group["seen"]:
            group["seen"].add(award.school_id)
            group["awards"].append(award)
    return list(groups.values())


def award_by_code(code: str) -> Award | None:
    return Award.objects.filter(code=code).select_related("school", "partnership").first()


def latest_award(*, school: School) -> Award | None:
    return Award.objects.filter(school=school).order_by("-valid_until", "-pk").first()


def awards_due_for_renewal(*, today: date, within_days: int):
    """Current awards that expire within ``within_days`` days."""
    return current_awards(today=today).filter(valid_until__lte=today + timedelta(days=within_days))
