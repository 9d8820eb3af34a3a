from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wellschools.panels import register_panel

        from . import panels, reminders  # noqa: F401 - registers the reminder scanner

        register_panel("school", "accreditation/_school_panel.html", panels.school_panel, order=20)
        register_panel(
            "landing", "accreditation/_landing_panel.html", panels.landing_panel, order=20
        )
        register_panel(
            "partnership",
            "accreditation/_partnership_panel.html",
            panels.partnership_panel,
            order=20,
        )
