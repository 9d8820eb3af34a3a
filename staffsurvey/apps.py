from django.apps import AppConfig

from wellschools.extensions import Panel


class StaffsurveyConfig(AppConfig):
    name = "staffsurvey"
    verbose_name = "Staff wellbeing survey"
    default_auto_field = "django.db.models.BigAutoField"
    # Extensions, declared the one way (wellschools.extensions).
    panels = [
        Panel("school", "staffsurvey/_school_panel.html", "staffsurvey.panels.school_panel", 20),
        Panel("trust", "staffsurvey/_trust_panel.html", "staffsurvey.panels.trust_panel", 20),
        Panel(
            "partnership",
            "staffsurvey/_partnership_panel.html",
            "staffsurvey.panels.partnership_panel",
            20,
        ),
        # Beside the Well Check's Lead Well pillar and in its action plan (the Well Check
        # renders these without knowing this app).
        Panel(
            "wellcheck_pillar", "staffsurvey/_pillar_panel.html", "staffsurvey.panels.pillar_panel"
        ),
        Panel("wellcheck_plan", "staffsurvey/_plan_panel.html", "staffsurvey.panels.plan_panel"),
    ]
    documents = [
        "staffsurvey.documents.SURVEY_REPORT",
        "staffsurvey.documents.SURVEY_REPORT_FULL",
        "staffsurvey.documents.SURVEY_POSTER",
    ]
    reminder_scanners = [
        "staffsurvey.reminders.remind_survey_halfway",
        "staffsurvey.reminders.notify_survey_threshold",
        "staffsurvey.reminders.close_ended_surveys",
    ]

    demo_data = ["staffsurvey.demo.seed_demo"]

    def ready(self):
        from . import checks  # noqa: F401 - registers the system check
