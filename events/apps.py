from django.apps import AppConfig

from wellschools.extensions import Panel


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"
    # Extensions, declared the one way (wellschools.extensions).
    panels = [
        Panel("trust", "events/_trust_panel.html", "events.panels.trust_panel", 40),
        Panel("school", "events/_school_panel.html", "events.panels.school_panel", 40),
        Panel(
            "partnership", "events/_partnership_panel.html", "events.panels.partnership_panel", 40
        ),
        Panel("landing", "events/_landing_panel.html", "events.panels.landing_panel", 10),
    ]
    reminder_scanners = ["events.reminders.send_event_reminders"]
    demo_data = ["events.demo.seed_demo"]
