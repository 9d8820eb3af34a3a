from django.apps import AppConfig

from wellschools.extensions import Panel


class AccreditationConfig(AppConfig):
    name = "accreditation"
    default_auto_field = "django.db.models.BigAutoField"
    # Extensions, declared the one way (wellschools.extensions).
    panels = [
        Panel(
            "school", "accreditation/_school_panel.html", "accreditation.panels.school_panel", 20
        ),
        Panel(
            "landing", "accreditation/_landing_panel.html", "accreditation.panels.landing_panel", 20
        ),
        Panel(
            "partnership",
            "accreditation/_partnership_panel.html",
            "accreditation.panels.partnership_panel",
            20,
        ),
    ]
    documents = ["accreditation.documents.CERTIFICATE"]
    reminder_scanners = ["accreditation.reminders.remind_renewals"]
