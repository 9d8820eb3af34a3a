from django.apps import AppConfig


class WellschoolsConfig(AppConfig):
    name = "wellschools"
    verbose_name = "Platform"

    def ready(self) -> None:
        from . import site  # noqa: F401 - registers the SITE_URL deploy check
