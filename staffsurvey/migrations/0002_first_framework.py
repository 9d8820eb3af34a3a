"""Load the first survey framework version (staffsurvey/frameworks/v1.json), published."""

from django.db import migrations


def load_first_framework(apps, schema_editor):
    from staffsurvey.framework import framework_file, load_into

    SurveyFramework = apps.get_model("staffsurvey", "SurveyFramework")
    if SurveyFramework.objects.filter(number=1).exists():
        return
    models = {name: apps.get_model("staffsurvey", name) for name in ("SurveyFramework", "Area", "Item")}
    load_into(framework_file(1), models=models, publish=True)


class Migration(migrations.Migration):
    dependencies = [("staffsurvey", "0001_initial")]

    operations = [migrations.RunPython(load_first_framework, migrations.RunPython.noop)]
