from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "WELLSCHOOLS_SIGNUP_OPEN", True)

    def post_login(self, request, user, **kwargs):
        """Signing in is itself a fresh proof of identity: mark it as such, so the TOTP
        set-up that coordinators meet straight after signing in does not ask for the
        password again (allauth otherwise counts only an explicit re-authentication)."""
        response = super().post_login(request, user, **kwargs)
        mark_sign_in_as_recent_authentication(request)
        return response


def mark_sign_in_as_recent_authentication(request) -> None:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list) or not records:
        return
    latest = records[-1]
    if isinstance(latest, dict) and latest.get("method") in SIGN_IN_METHODS:
        records[-1] = {**latest, "reauthenticated": True}
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records


# The ways of signing in that prove the person is at the keyboard now.
SIGN_IN_METHODS = {"password", "code", "mfa", "password_reset"}
