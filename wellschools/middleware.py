class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class SessionTouchMiddleware:
    """Sessions end ``SESSION_COOKIE_AGE`` (30 minutes) after the last request, without
    writing the session on every request: a signed-in session is saved again — which sets
    its new expiry in the database, the cache and the cookie — only when its last save is
    at least ``SESSION_TOUCH_SECONDS`` old. So a session idle for 30 minutes has always
    expired (it may end up to a minute sooner), and a busy one costs one write a minute
    instead of one per request. Goes right after SessionMiddleware."""

    KEY = "_touched_at"

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.interval = getattr(settings, "SESSION_TOUCH_SECONDS", 60)

    def __call__(self, request):
        from django.utils import timezone

        session = request.session
        if session.session_key is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            if now - session.get(self.KEY, 0) >= self.interval:
                session[self.KEY] = now
        return self.get_response(request)
