from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import requires_two_factor

# Pages of coordinators and platform admins; they open only after TOTP enrolment.
GATED_PREFIXES = ("/partnership/", "/admin/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            path.startswith(GATED_PREFIXES)
            and request.user.is_authenticated
            and requires_two_factor(request.user)
            and not _has_totp(request.user)
        ):
            messages.warning(
                request,
                "Coordinators and administrators must set up two-factor authentication "
                "before their pages open. Scan the code with an authenticator app to continue.",
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={path}")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
