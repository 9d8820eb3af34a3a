from django.apps import AppConfig


class WellschoolsConfig(AppConfig):
    name = "wellschools"
    verbose_name = "Platform"
