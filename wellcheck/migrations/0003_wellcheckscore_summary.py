"""The maintained summary of submitted Well Checks' scores (issue 13), filled for the
checks submitted before it existed."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from wellcheck.scores import score_rows_for

    WellCheck = apps.get_model("wellcheck", "WellCheck")
    WellCheckScore = apps.get_model("wellcheck", "WellCheckScore")
    Answer = apps.get_model("wellcheck", "Answer")
    Question = apps.get_model("wellcheck", "Question")
    submitted = WellCheck.objects.filter(status="submitted")
    latest = {}
    for check in submitted.order_by("school_id", "-academic_year").values(
        "pk", "school_id", "academic_year"
    ):
        latest.setdefault(check["school_id"], check["pk"])
    ids = list(submitted.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        WellCheckScore.objects.bulk_create(
            WellCheckScore(**row, is_latest=latest.get(row["school_id"]) == row["well_check_id"])
            for row in score_rows_for(
                chunk, WellCheck=WellCheck, Answer=Answer, Question=Question
            )
        )


class Migration(migrations.Migration):
    dependencies = [("wellcheck", "0002_first_framework")]

    operations = [
        migrations.CreateModel(
            name="WellCheckScore",
            fields=[
                (
                    "well_check",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="score",
                        serialize=False,
                        to="wellcheck.wellcheck",
                    ),
                ),
                ("academic_year", models.PositiveSmallIntegerField()),
                ("percentages", models.JSONField(default=dict)),
                ("overall", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("is_latest", models.BooleanField(default=False)),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="well_check_scores",
                        to="partnership.school",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["academic_year", "school"], name="wellcheckscore_year_school"
                    ),
                    models.Index(
                        condition=models.Q(("is_latest", True)),
                        fields=["school"],
                        name="wellcheckscore_latest",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
