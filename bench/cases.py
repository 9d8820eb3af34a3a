"""What the PDF benchmark renders: one case per document kind of the registry.

``bench/pdf_bench.py`` benchmarks every registered document kind that has a case here
(``wellschools.documents.document_kinds()``). A case builds realistic data in the bench's
throwaway database and returns the document's subject. To add a kind, write a builder and
add it to ``BENCH_CASES`` under the kind's registered name, e.g.::

    BENCH_CASES["wellcheck_report"] = BenchCase(
        build=build_full_wellcheck,          # () -> WellCheck, every answer and action
        goal_seconds=1.0,
        description="a full Well Check report",
    )
    BENCH_CASES["trust_summary"] = BenchCase(
        build=build_trust_of_50_schools,     # () -> Trust with 50 schools' Well Checks
        goal_seconds=5.0,
        description="the summary of a 50-school trust",
    )

``worker_kind`` names the kind rendered 100 times in a row to watch a worker's memory;
the first of these that is registered and has a case is used.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class BenchCase:
    build: Callable[[], models.Model]
    goal_seconds: float | None = None
    description: str = ""


def build_member_list() -> models.Model:
    """A partnership of 300 schools (Oxfordshire has about that many) in 12 trusts."""
    from partnership.models import Membership, Partnership, School, Trust

    partnership = Partnership.objects.create(
        name="Bench Well Schools Partnership", slug="bench", la_codes=["931"]
    )
    trusts = Trust.objects.bulk_create(
        Trust(group_uid=str(90000 + n), name=f"Bench Valley Learning Trust {n}") for n in range(12)
    )
    phases = ["Primary", "Secondary", "All-through", "Nursery", "16 plus"]
    towns = ["Oxford", "Banbury", "Bicester", "Witney", "Abingdon", "Didcot", "Thame"]
    schools = School.objects.bulk_create(
        School(
            urn=800000 + n,
            name=f"{towns[n % len(towns)]} {['St Mary’s', 'Church', 'Community', 'Park'][n % 4]} "
            f"{phases[n % len(phases)]} School {n}",
            phase=phases[n % len(phases)],
            establishment_type="Academy converter",
            la_code="931",
            la_name="Oxfordshire",
            town=towns[n % len(towns)],
            postcode=f"OX{n % 30} {n % 9}AB",
            pupils=120 + (n * 37) % 1400,
            trust=trusts[n % len(trusts)] if n % 3 else None,
        )
        for n in range(300)
    )
    S = Membership.Status
    statuses = [S.ACTIVE] * 270 + [S.APPLIED] * 15 + [S.LAPSED] * 10 + [S.LEFT] * 5
    Membership.objects.bulk_create(
        Membership(
            partnership=partnership,
            school=school,
            status=status,
            joined_on="2025-09-01" if status != S.APPLIED else None,
            ended_on="2026-07-31" if status in (S.LAPSED, S.LEFT) else None,
        )
        for school, status in zip(schools, statuses, strict=True)
    )
    return partnership


def _framework_and_leader():
    from wellcheck.framework import framework_ensure_first
    from wellschools.models import User

    leader, _ = User.objects.get_or_create(
        email="bench.leader@example.org", defaults={"full_name": "Bench Leader"}
    )
    return framework_ensure_first(), leader


def _submitted_check(school, year, framework, leader, offset=0):
    from wellcheck.models import Answer, Question, WellCheck

    check = WellCheck.objects.create(
        school=school,
        academic_year=year,
        framework=framework,
        status="submitted",
        submitted_by=leader,
        submitted_at="2026-10-01T12:00:00Z",
    )
    ratings = ["not_started", "limited", "good", "strong"]
    Answer.objects.bulk_create(
        Answer(
            well_check=check,
            question=q,
            rating=ratings[(n + offset) % 4],
            comment="We have made a start with a weekly club run by Year 6 sports leaders."
            if n % 3 == 0
            else "",
        )
        for n, q in enumerate(Question.objects.filter(pillar__framework=framework))
    )
    from wellcheck.services import wellcheck_scores_rebuild

    wellcheck_scores_rebuild(school_ids=[school.pk])  # written directly, not submitted
    return check


def build_full_wellcheck() -> models.Model:
    """A complete report: every answer (a third with comments), every data answer, last
    year's check for the comparison, and a full action plan (3 per pillar, with updates)."""
    from datetime import date, timedelta

    from partnership.models import Role, School
    from wellcheck.models import Action, ActionUpdate, DataAnswer

    framework, leader = _framework_and_leader()
    school = School.objects.create(
        urn=860001, name="Bench Church of England Primary School", la_code="931", town="Oxford"
    )
    Role.objects.create(user=leader, kind="school_leader", school=school)
    _submitted_check(school, 2025, framework, leader, offset=1)
    check = _submitted_check(school, 2026, framework, leader)
    DataAnswer.objects.bulk_create(
        DataAnswer(well_check=check, question=q, value=q.minimum + (q.maximum - q.minimum) / 2)
        for q in framework.data_questions.all()
    )
    for pillar in framework.pillars.all():
        for n in range(3):
            action = Action.objects.create(
                well_check=check,
                pillar=pillar,
                owner=leader,
                due_date=date(2027, 3, 1) + timedelta(n),
                title=f"{pillar.name}: a priority the school chose ({n + 1})",
                success_measure="A measurable change the governors will see by the spring term.",
            )
            ActionUpdate.objects.create(
                action=action, note="Started with the staff team.", author=leader
            )
    return check


def build_trust_of_50_schools() -> models.Model:
    """A trust of 50 schools, most with a submitted Well Check."""
    from partnership.models import School, Trust

    framework, leader = _framework_and_leader()
    trust = Trust.objects.create(group_uid="95000", name="Bench Fifty Schools Trust")
    for n in range(50):
        school = School.objects.create(
            urn=870000 + n, name=f"Bench Trust School {n:02d}", la_code="931", trust=trust
        )
        if n % 5:
            _submitted_check(school, 2026, framework, leader, offset=n)
    return trust


BENCH_CASES: dict[str, BenchCase] = {
    "wellcheck_report": BenchCase(
        build=build_full_wellcheck,
        goal_seconds=1.0,
        description="a full Well Check report",
    ),
    "trust_summary": BenchCase(
        build=build_trust_of_50_schools,
        goal_seconds=5.0,
        description="the summary of a 50-school trust",
    ),
    "member_list": BenchCase(
        build=build_member_list,
        goal_seconds=None,
        description="a 300-school partnership member list",
    ),
}

# Rendered 100 times in a row by one worker; the first registered one with a case wins.
WORKER_KINDS = ["wellcheck_report", "trust_summary", "member_list"]


def build_impact_report() -> models.Model:
    """The impact report of a 50-school partnership, most with a submitted Well Check."""
    from insight.models import AnnualReport
    from partnership.models import Membership, Partnership, School

    framework, leader = _framework_and_leader()
    partnership = Partnership.objects.create(
        name="Bench Impact Partnership", slug="bench-impact", la_codes=["931"]
    )
    for n in range(50):
        school = School.objects.create(
            urn=880000 + n, name=f"Bench Impact School {n:02d}", la_code="931"
        )
        Membership.objects.create(partnership=partnership, school=school, status="active")
        if n % 5:
            _submitted_check(school, 2026, framework, leader, offset=n)
    return AnnualReport.objects.create(partnership=partnership, academic_year=2026)


BENCH_CASES["insight_impact_report"] = BenchCase(
    build=build_impact_report,
    goal_seconds=5.0,
    description="the annual impact report of a 50-school partnership",
)
