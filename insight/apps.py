from django.apps import AppConfig

from wellschools.extensions import Panel


class InsightConfig(AppConfig):
    """Coordinator and trust insight: reads every app, owns no workflow, nothing imports it."""

    name = "insight"
    default_auto_field = "django.db.models.BigAutoField"
    documents = ["insight.documents.IMPACT_REPORT"]
    panels = [Panel("trust", "insight/_trust_panel.html", "insight.panels.trust_panel", 15)]
