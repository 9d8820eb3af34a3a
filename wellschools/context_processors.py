from django.conf import settings
from django.utils import timezone

from .middleware import SessionTouchMiddleware

# Set when TOTP set-up ends; every page then offers the new recovery codes until viewed.
RECOVERY_CODES_OFFER_KEY = "wellschools_offer_recovery_codes"


def page(request):
    """What base.html needs on every page: the idle-session warning's timing and the offer
    of new recovery codes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    age = settings.SESSION_COOKIE_AGE
    return {
        "offer_recovery_codes": bool(session and session.get(RECOVERY_CODES_OFFER_KEY)),
        "session_seconds": session_seconds_left(session),
        "session_idle_minutes": max(1, round(age / 60)),
        "session_warning_seconds": min(settings.WELLSCHOOLS_SESSION_WARNING_SECONDS, age // 2),
    }


def session_seconds_left(session) -> int:
    """Seconds until this session ends if nothing more happens. A session is saved (and its
    expiry moved) at most once every SESSION_TOUCH_SECONDS, so the end is counted from that
    save, not from this request; without a record of it, assume the earliest end."""
    age = settings.SESSION_COOKIE_AGE
    touched = session.get(SessionTouchMiddleware.KEY) if session is not None else None
    if isinstance(touched, int):
        left = touched + age - int(timezone.now().timestamp())
    else:
        left = age - min(getattr(settings, "SESSION_TOUCH_SECONDS", 0), age // 10)
    return max(1, min(age, left))
