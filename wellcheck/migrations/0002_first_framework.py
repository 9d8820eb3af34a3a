"""Load the first framework version (wellcheck/frameworks/v1.json), published."""

from django.db import migrations


def load_first_framework(apps, schema_editor):
    from wellcheck.framework import framework_file, load_into

    FrameworkVersion = apps.get_model("wellcheck", "FrameworkVersion")
    if FrameworkVersion.objects.filter(number=1).exists():
        return
    models = {name: apps.get_model("wellcheck", name) for name in ("FrameworkVersion", "Pillar", "Question", "DataQuestion")}
    load_into(framework_file(1), models=models, publish=True)


class Migration(migrations.Migration):
    dependencies = [("wellcheck", "0001_initial")]

    operations = [migrations.RunPython(load_first_framework, migrations.RunPython.noop)]
