from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Partnership network"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wellschools.panels import register_panel

        from . import panels, reminders  # noqa: F401 - registers the digest scanner

        register_panel("school", "network/_school_panel.html", panels.school_panel, order=50)
        register_panel("wellcheck_growth", "network/_peer_panel.html", panels.peer_panel, order=50)
        register_panel(
            "accreditation_pillar",
            "network/_accreditation_pillar_panel.html",
            panels.accreditation_pillar_panel,
            order=50,
        )
