from django.conf import settings


def page(request):
    """What base.html needs on every page: the idle timeout for the session warning."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    return {
        "offer_recovery_codes": bool(session and session.get(RECOVERY_CODES_OFFER_KEY)),
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": min(
            settings.WELLSCHOOLS_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2
        ),
    }


# Set when TOTP set-up ends; every page then offers the new recovery codes until viewed.
RECOVERY_CODES_OFFER_KEY = "wellschools_offer_recovery_codes"
