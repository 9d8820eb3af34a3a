"""Two-factor authentication follows the person, not the URL.

Someone whose roles require it (coordinators, platform admins; see
``permissions.requires_two_factor``) opens no page at all until they have enrolled TOTP,
and then only in a session that was signed in with the second factor: allauth records the
methods used to sign in in the session (``account_authentication_methods``). A password
alone, or an authenticator added in another session, is not enough. Allowed meanwhile: the
TOTP set-up page, the re-authentication pages, signing out and static files."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import requires_two_factor

# What a person who must use two-factor may open before they have.
ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def _allowed_paths(self) -> tuple[str, ...]:
        if self._allowed is None:
            self._allowed = tuple(reverse(name) for name in ALLOWED_URL_NAMES)
        return self._allowed

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in self._allowed_paths()
            and requires_two_factor(user)
        ):
            if not has_totp(user):
                messages.warning(
                    request,
                    "Coordinators and administrators must set up two-factor authentication "
                    "before any page opens. Scan the code with an authenticator app to "
                    "continue.",
                )
                return redirect(_with_next("mfa_activate_totp", request))
            if not session_used_second_factor(request):
                messages.warning(
                    request,
                    "Enter the code from your authenticator app to continue: this session "
                    "was not signed in with it.",
                )
                return redirect(_with_next("mfa_reauthenticate", request))
        return self.get_response(request)


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?next={quote(request.get_full_path(), safe='/')}"


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request) -> bool:
    from allauth.account.internal.flows.login import get_authentication_records

    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def record_enrolment_as_second_factor(sender, request, user, authenticator, **kwargs) -> None:
    """Activating TOTP proves a code from the new authenticator, so the session that
    enrolled counts as signed in with the second factor."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type="totp")
