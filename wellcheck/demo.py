"""The Well Check's demo data, added by ``manage.py seed_demo`` (declared in apps.py)."""

from django.utils import timezone

from .framework import framework_ensure_first
from .models import Answer, Question, WellCheck, WellCheckHistory, academic_year_of


def seed_demo(*, partnership, members, leader_school) -> None:
    """Submitted Well Checks for some schools (enough for partnership medians), and last
    year's for the demo leader's school so "change since" shows once they submit."""
    framework = framework_ensure_first()
    year = academic_year_of(timezone.localdate())
    questions = list(Question.objects.filter(pillar__framework=framework))
    ratings = ["not_started", "limited", "good", "strong"]
    plan = [(school, year) for school in members[:8] if school != leader_school]
    plan.append((leader_school, year - 1))
    for index, (school, check_year) in enumerate(plan):
        check, created = WellCheck.objects.get_or_create(
            school=school,
            academic_year=check_year,
            defaults={
                "framework": framework,
                "status": "submitted",
                "submitted_at": timezone.now(),
            },
        )
        if not created:
            continue
        Answer.objects.bulk_create(
            Answer(
                well_check=check,
                question=q,
                rating=ratings[(index + n * 3 + q.pillar.order) % 7 % 4],
            )
            for n, q in enumerate(questions)
        )
        WellCheckHistory.objects.create(
            well_check=check, from_status="in_progress", to_status="submitted"
        )
    from .services import wellcheck_scores_rebuild

    wellcheck_scores_rebuild(school_ids=[school.pk for school, _ in plan])
