from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wellschools.panels import register_panel

        from . import reminders  # noqa: F401 - registers the reminder scanner
        from .views import landing_panel, partnership_panel, school_panel, trust_panel

        register_panel("trust", "events/_trust_panel.html", trust_panel, order=40)
        register_panel("school", "events/_school_panel.html", school_panel, order=40)
        register_panel("partnership", "events/_partnership_panel.html", partnership_panel, order=40)
        register_panel("landing", "events/_landing_panel.html", landing_panel, order=10)
