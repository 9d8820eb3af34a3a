from django.apps import AppConfig


class WellcheckConfig(AppConfig):
    name = "wellcheck"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wellschools.panels import register_panel

        from . import panels, reminders  # noqa: F401 - registers the reminder scanners

        register_panel("school", "wellcheck/_school_panel.html", panels.school_panel, order=10)
        register_panel("trust", "wellcheck/_trust_panel.html", panels.trust_panel, order=10)
        register_panel(
            "partnership", "wellcheck/_partnership_panel.html", panels.partnership_panel, order=10
        )
