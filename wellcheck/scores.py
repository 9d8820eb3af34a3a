"""Scores of submitted Well Checks from their answers: the one calculation behind the
``WellCheckScore`` summary (the services keep it; the migration that created it filled it
with the same function, on its historical models)."""

from django.db.models import Case, Count, IntegerField, Sum, Value, When

from .models import RATING_POINTS


def _points():
    return Case(
        *[When(rating=rating, then=Value(points)) for rating, points in RATING_POINTS.items()],
        output_field=IntegerField(),
    )


def overall_of(percentages: dict[str, int], pillar_keys: list[str]) -> int | None:
    """The mean of the pillar percentages, once every pillar has one."""
    if not pillar_keys or any(k not in percentages for k in pillar_keys):
        return None
    return round(sum(percentages[k] for k in pillar_keys) / len(pillar_keys))


def score_rows_for(check_ids: list[int], *, WellCheck, Answer, Question) -> list[dict]:  # noqa: N803
    """One row of ``WellCheckScore`` fields per check, in three queries for any number."""
    checks = list(
        WellCheck.objects.filter(pk__in=check_ids).values(
            "pk", "school_id", "academic_year", "framework_id"
        )
    )
    questions: dict[int, dict[str, int]] = {}
    for row in (
        Question.objects.filter(pillar__framework_id__in={c["framework_id"] for c in checks})
        .values("pillar__framework_id", "pillar__key", "pillar__order")
        .annotate(n=Count("pk"))
        .order_by("pillar__framework_id", "pillar__order")
    ):
        questions.setdefault(row["pillar__framework_id"], {})[row["pillar__key"]] = row["n"]
    points: dict[int, dict[str, int]] = {}
    for row in (
        Answer.objects.filter(well_check_id__in=check_ids)
        .values("well_check_id", "question__pillar__key")
        .annotate(points=Sum(_points()))
        .order_by()
    ):
        points.setdefault(row["well_check_id"], {})[row["question__pillar__key"]] = row["points"]
    rows = []
    for check in checks:
        totals = questions.get(check["framework_id"], {})
        percentages = {
            key: round(100 * value / (3 * totals[key]))
            for key, value in points.get(check["pk"], {}).items()
            if totals.get(key)
        }
        rows.append(
            {
                "well_check_id": check["pk"],
                "school_id": check["school_id"],
                "academic_year": check["academic_year"],
                "percentages": percentages,
                "overall": overall_of(percentages, list(totals)),
            }
        )
    return rows
