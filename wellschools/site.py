"""The site's public address (SITE_URL), the one base of every absolute link: emails, the
.ics files and the certificate's QR code. Unset in development it follows PORT (settings);
in production it must be set to the public address, which a deploy check and the
certificate renderer enforce — a certificate whose QR code points at localhost is useless
on paper and cannot be recalled."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

from .errors import DomainError


def site_url_problem(url: str, *, was_set: bool = True) -> str | None:
    """Why `url` cannot be the public address of a production site, or None."""
    if not was_set:
        return "SITE_URL is not set"
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return f"SITE_URL ({url!r}) is not an http(s) address"
    if (
        host in {"localhost", "0.0.0.0", "::1", "testserver"}  # noqa: S104 - a name, no socket
        or host.startswith("127.")
        or host.endswith((".localhost", ".local"))
    ):
        return f"SITE_URL ({url}) is a local address"
    return None


def is_production() -> bool:
    """A deployment behind HTTPS without debug (DJANGO_SECURE=1, DJANGO_DEBUG=0)."""
    return not settings.DEBUG and getattr(settings, "SECURE", False)


def require_public_site_url(*, purpose: str) -> None:
    """In production, refuse to make `purpose` with links to a local or unset SITE_URL."""
    if not is_production():
        return
    problem = site_url_problem(settings.SITE_URL, was_set=getattr(settings, "SITE_URL_SET", True))
    if problem:
        raise DomainError(
            f"{purpose} cannot be made: {problem}. Set SITE_URL to the site's public address "
            "(e.g. https://wellschools.example.org) and try again."
        )


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    problem = site_url_problem(settings.SITE_URL, was_set=getattr(settings, "SITE_URL_SET", True))
    if problem is None:
        return []
    return [
        Error(
            f"{problem}: links in emails, calendar files and certificates' QR codes would "
            "point at the wrong place.",
            hint="Set SITE_URL to the public address, e.g. https://wellschools.example.org.",
            id="wellschools.E001",
        )
    ]
