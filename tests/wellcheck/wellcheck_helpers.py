"""Helpers for Well Check tests (imported by module name; tests/ dirs are not packages)."""

from django.utils import timezone

from wellcheck import services
from wellcheck.models import Answer, Question, WellCheck, academic_year_of
from wellcheck.selectors import framework_current


def this_year() -> int:
    return academic_year_of(timezone.localdate())


def answer_all(well_check: WellCheck, actor, rating: str = "good", *, except_keys=()) -> None:
    for question in Question.objects.filter(pillar__framework=well_check.framework):
        if question.key in except_keys:
            continue
        services.answer_save(
            actor=actor,
            well_check=well_check,
            question=question,
            rating=rating,
            expected_version=0,
            force=True,
        )


def submitted_check(school, actor, *, year=None, ratings=None) -> WellCheck:
    """A submitted check; ``ratings`` maps pillar key -> rating (default good). When
    ``actor`` does not lead the school, an invented leader of that school answers."""
    from partnership.permissions import can_lead_school, forget_access

    if not can_lead_school(actor, school):
        from factories import UserFactory, grant

        actor = UserFactory()
        grant(actor, "school_leader", school=school)
        forget_access(actor)
    well_check = WellCheck.objects.create(
        school=school,
        academic_year=year or this_year(),
        framework=framework_current(),
        started_by=actor,
    )
    # Bulk-created for speed; the answering services have their own tests.
    Answer.objects.bulk_create(
        Answer(
            well_check=well_check,
            question=question,
            updated_by=actor,
            rating=(ratings or {}).get(question.pillar.key, "good"),
        )
        for question in Question.objects.filter(
            pillar__framework=well_check.framework
        ).select_related("pillar")
    )
    return services.wellcheck_submit(actor=actor, well_check=well_check)
