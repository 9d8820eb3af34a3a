"""A system check: the survey threshold may be raised, never lowered below five."""

from django.conf import settings
from django.core.checks import Error, register

from .models import MINIMUM_THRESHOLD


@register()
def threshold_not_below_minimum(app_configs, **kwargs):
    value = getattr(settings, "STAFFSURVEY_THRESHOLD", MINIMUM_THRESHOLD)
    if int(value) < MINIMUM_THRESHOLD:
        return [
            Error(
                f"STAFFSURVEY_THRESHOLD is {value}; it can only be raised, never below "
                f"{MINIMUM_THRESHOLD}.",
                id="staffsurvey.E001",
            )
        ]
    return []
