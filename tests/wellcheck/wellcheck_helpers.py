"""Helpers for Well Check tests (imported by module name; tests/ dirs are not packages)."""

from django.utils import timezone

from wellcheck import services
from wellcheck.models import Question, WellCheck, academic_year_of
from wellcheck.selectors import framework_current


def this_year() -> int:
    return academic_year_of(timezone.localdate())


def answer_all(well_check: WellCheck, actor, rating: str = "good", *, except_keys=()) -> None:
    for question in Question.objects.filter(pillar__framework=well_check.framework):
        if question.key in except_keys:
            continue
        services.answer_save(
            actor=actor, well_check=well_check, question=question, rating=rating,
            expected_version=0, force=True,
        )


def submitted_check(school, actor, *, year=None, ratings=None) -> WellCheck:
    """A submitted check; ``ratings`` maps pillar key -> rating (default good)."""
    well_check = WellCheck.objects.create(
        school=school, academic_year=year or this_year(), framework=framework_current(),
        started_by=actor,
    )
    for question in Question.objects.filter(pillar__framework=well_check.framework).select_related("pillar"):
        rating = (ratings or {}).get(question.pillar.key, "good")
        services.answer_save(
            actor=actor, well_check=well_check, question=question, rating=rating,
            expected_version=0, force=True,
        )
    return services.wellcheck_submit(actor=actor, well_check=well_check)
