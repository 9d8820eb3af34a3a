from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "WELLSCHOOLS_SIGNUP_OPEN", True)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed sign-ins per client address (10 a minute) and per key; its
        key is the email address alone, so five wrong passwords from anywhere locked that
        person out everywhere for five minutes. The key here is the email address *and* the
        client's address: an attacker locks only their own attempts, never a school leader
        at school on the morning of a deadline (who can also still sign in by emailed
        code). A successful password reset clears the count for that client too."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"
