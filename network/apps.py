from django.apps import AppConfig

from wellschools.extensions import Panel


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Partnership network"
    default_auto_field = "django.db.models.BigAutoField"
    # Extensions, declared the one way (wellschools.extensions). "wellcheck_growth" and
    # "accreditation_pillar" are rendered by those apps' pages with {% panels %}, so they
    # show the network's matches and stories without importing this app.
    panels = [
        Panel("school", "network/_school_panel.html", "network.panels.school_panel", 50),
        Panel("wellcheck_growth", "network/_peer_panel.html", "network.panels.peer_panel", 50),
        Panel(
            "email_preferences",
            "network/_digest_preference_panel.html",
            "network.panels.digest_preference_panel",
            50,
        ),
        Panel(
            "accreditation_pillar",
            "network/_accreditation_pillar_panel.html",
            "network.panels.accreditation_pillar_panel",
            50,
        ),
    ]
    reminder_scanners = ["network.reminders.send_weekly_digests"]
    demo_data = ["network.demo.seed_demo"]
