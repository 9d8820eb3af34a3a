"""People control their email: preferences and the signed one-click unsubscribe link.

Essential email (sign-in codes, invitations, booking confirmations, decisions) always goes
out. Reminders are non-essential: ``email_send(..., essential=False)`` drops recipients who
turned them off, adds a footer with the unsubscribe link and the ``List-Unsubscribe`` /
``List-Unsubscribe-Post`` headers (RFC 8058), and a reminder scanner can ask
``reminders_wanted(email)`` (or ``reminders_unwanted(emails)`` for many) before claiming.

The link carries the address signed with the project's secret key and a salt of its own,
so it works without signing in, cannot be made for another address, and no token from
another part of the platform is accepted.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .errors import DomainError
from .models import EmailPreference

UNSUBSCRIBE_SALT = "wellschools.email.unsubscribe"


def _normalise(email: str) -> str:
    return email.strip().lower()


# --- selectors ------------------------------------------------------------------------


def email_preference_for(email: str) -> EmailPreference:
    """The stored preference, or the defaults (unsaved) when there is none."""
    email = _normalise(email)
    return EmailPreference.objects.filter(email=email).first() or EmailPreference(email=email)


def reminders_wanted(email: str) -> bool:
    return not EmailPreference.objects.filter(email=_normalise(email), reminders=False).exists()


def reminders_unwanted(emails: Iterable[str]) -> set[str]:
    """The addresses among these that turned reminders off (one query, for scanners)."""
    wanted = {_normalise(e) for e in emails}
    return set(
        EmailPreference.objects.filter(email__in=wanted, reminders=False).values_list(
            "email", flat=True
        )
    )


# --- the signed link --------------------------------------------------------------------


def unsubscribe_token(email: str) -> str:
    # sign_object: URL-safe base64, whatever characters the address holds.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"email": _normalise(email)})


def unsubscribe_url(email: str) -> str:
    path = reverse("email_unsubscribe", kwargs={"token": unsubscribe_token(email)})
    return f"{settings.SITE_URL}{path}"


def unsubscribe_email_from_token(token: str) -> str:
    """The address a link was made for; DomainError if it was tampered with or foreign."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise DomainError("This unsubscribe link is not valid.") from None
    email = value.get("email") if isinstance(value, dict) else None
    if not isinstance(email, str) or "@" not in email:
        raise DomainError("This unsubscribe link is not valid.")
    return email


# --- services ---------------------------------------------------------------------------


def email_preference_update(
    *, email: str, reminders: bool, via: str = EmailPreference.Via.PAGE
) -> EmailPreference:
    existing = EmailPreference.objects.filter(email=_normalise(email)).first()
    if existing is not None and existing.reminders == reminders:
        return existing  # unchanged: keep when and how it was last changed
    preference, _ = EmailPreference.objects.update_or_create(
        email=_normalise(email),
        defaults={"reminders": reminders, "changed_at": timezone.now(), "changed_via": via},
    )
    return preference


def email_unsubscribe(*, token: str, via: str = EmailPreference.Via.LINK) -> EmailPreference:
    """Turn reminders off for the address the signed token names."""
    return email_preference_update(
        email=unsubscribe_email_from_token(token), reminders=False, via=via
    )
