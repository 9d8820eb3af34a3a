from django.apps import AppConfig


class StaffsurveyConfig(AppConfig):
    name = "staffsurvey"
    verbose_name = "Staff wellbeing survey"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wellschools.panels import register_panel

        from . import checks, panels, reminders  # noqa: F401 - registers checks and scanners

        register_panel("school", "staffsurvey/_school_panel.html", panels.school_panel, order=20)
        register_panel("trust", "staffsurvey/_trust_panel.html", panels.trust_panel, order=20)
        register_panel(
            "partnership",
            "staffsurvey/_partnership_panel.html",
            panels.partnership_panel,
            order=20,
        )
        # Beside the Well Check's Lead Well pillar and in its action plan (the Well Check
        # renders these pages without knowing this app).
        register_panel("wellcheck_pillar", "staffsurvey/_pillar_panel.html", panels.pillar_panel)
        register_panel("wellcheck_plan", "staffsurvey/_plan_panel.html", panels.plan_panel)
