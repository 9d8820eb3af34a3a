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

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed sign-ins per client address (10 a minute) and per key; its
        key is the email address alone, so five wrong passwords from anywhere locked that
        person out everywhere for five minutes. The key here is the email address *and* the
        client's address: an attacker locks only their own attempts, never a school leader
        at school on the morning of a deadline (who can also still sign in by emailed
        code). A successful password reset clears the count for that client too."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"


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
