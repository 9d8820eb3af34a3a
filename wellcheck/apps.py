from django.apps import AppConfig

from wellschools.extensions import Panel


class WellcheckConfig(AppConfig):
    name = "wellcheck"
    default_auto_field = "django.db.models.BigAutoField"
    # Extensions, declared the one way (wellschools.extensions).
    panels = [
        Panel("school", "wellcheck/_school_panel.html", "wellcheck.panels.school_panel", 10),
        Panel("trust", "wellcheck/_trust_panel.html", "wellcheck.panels.trust_panel", 10),
        Panel(
            "partnership",
            "wellcheck/_partnership_panel.html",
            "wellcheck.panels.partnership_panel",
            10,
        ),
    ]
    documents = ["wellcheck.documents.WELLCHECK_REPORT", "wellcheck.documents.TRUST_SUMMARY"]
    reminder_scanners = [
        "wellcheck.reminders.remind_idle_wellchecks",
        "wellcheck.reminders.remind_annual_wellcheck",
        "wellcheck.reminders.remind_actions",
    ]
    demo_data = ["wellcheck.demo.seed_demo"]
