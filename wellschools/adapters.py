from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return super().get_login_redirect_url(request)

    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "WELLSCHOOLS_SIGNUP_OPEN", True)
