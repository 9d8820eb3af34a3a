"""Helpers for Well Check tests (imported by module name; tests/ dirs are not packages)."""

from django.utils import timezone
from factories import submitted_check  # noqa: F401 - the one helper; importable here too

from wellcheck import services
from wellcheck.models import Question, WellCheck, academic_year_of


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
