from django.apps import AppConfig


class WellcheckConfig(AppConfig):
    name = "wellcheck"
    default_auto_field = "django.db.models.BigAutoField"
