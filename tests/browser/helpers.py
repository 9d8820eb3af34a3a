"""What every browser test shares: the browser, the hosts it may reach, axe's rules, the
test password and the authenticator code. Imported as ``browser.helpers``."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PASSWORD = "a-long-test-password"  # what UserFactory sets

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# WCAG 2.2 AA plus axe's best practices; without the 2.2 tags axe skips e.g. target size.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22a",
            "wcag22aa",
            "best-practice",
        ],
    }
}


def totp_now(secret: str) -> str:
    """The current code, as an authenticator app shows it, computed with allauth's own
    RFC 6238 helper. The browser tests accept one time step of drift
    (``MFA_TOTP_TOLERANCE = 1``, as most servers do), so a code computed at the end of a
    step is still good when the server checks it: no waiting for the next step."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
