"""Sign-in pages in the product's voice, no password prompt straight after signing in, TOTP
set-up that ends on the person's page with the recovery codes offered, and the idle-session
warning's plumbing (issue 14)."""

import re
import time

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from factories import UserFactory, grant

from partnership.models import Role
from wellschools.context_processors import RECOVERY_CODES_OFFER_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"

# Two or more capitalised words in a row inside visible text: "Sign In", "Email Address".
TITLE_CASE = re.compile(
    r">[^<]*\b(?!Well\b|Schools\b|Partnership\b)[A-Z][a-z]+ (?!Well\b)[A-Z][a-z]+"
)


def visible_title_case(html: str) -> list[str]:
    main = html[html.index("<main") : html.index("</main>")]
    return [m.group(0) for m in TITLE_CASE.finditer(main)]


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/login/code/"],
)
def test_signed_out_account_pages_speak_in_sentence_case(client, url):
    html = client.get(url).content.decode()
    assert not visible_title_case(html), visible_title_case(html)
    assert 'class="col-md-9 col-lg-7 account-entrance"' in html  # the product's layout


@pytest.mark.parametrize(
    "url", ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]
)
def test_account_pages_speak_in_sentence_case_with_the_account_navigation(as_user, leader, url):
    html = as_user(leader).get(url).content.decode()
    assert not visible_title_case(html), visible_title_case(html)
    assert 'aria-label="Your account"' in html


def test_the_sign_in_page_says_what_it_is_for_and_about_returning(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<h1>Sign in</h1>" in html
    assert "For staff and governors of member schools and trusts" in html
    assert "data-signin-return" not in html
    html = client.get("/accounts/login/?next=/schools/100001/").content.decode()
    assert "data-signin-return" in html
    assert "You will come back to the page you were on" in html
    assert 'name="next" value="/schools/100001/"' in html


def test_no_password_prompt_straight_after_signing_in(client, leader):
    sign_in(client, leader)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200  # not a redirect to /accounts/reauthenticate/
    records = client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    assert records[-1]["method"] == "password" and records[-1]["reauthenticated"] is True


def test_the_password_is_asked_again_once_the_sign_in_is_no_longer_recent(client, leader):
    sign_in(client, leader)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    records[-1]["at"] = time.time() - account_settings.REAUTHENTICATION_TIMEOUT - 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def totp_code(secret: str) -> str:
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def test_totp_set_up_ends_where_the_person_was_going_with_recovery_codes_offered(
    client, partnership
):
    coordinator = UserFactory(email="new.coordinator@example.org")
    grant(coordinator, Role.Kind.COORDINATOR, partnership=partnership)
    sign_in(client, coordinator)
    target = f"/partnership/{partnership.slug}/"
    response = client.get(target)
    assert response.url == f"{reverse('mfa_activate_totp')}?next={target}"
    page = client.get(response.url)
    html = page.content.decode()
    assert "<h1>Set up two-factor authentication</h1>" in html
    assert f'name="next" value="{target}"' in html
    secret = page.context["form"].secret
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(secret), "next": target}
    )
    assert response.status_code == 302 and response.url == target
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    html = client.get(target).content.decode()
    assert "Save your recovery codes" in html
    assert reverse("mfa_view_recovery_codes") in html
    assert client.session.get(RECOVERY_CODES_OFFER_KEY) is True
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert RECOVERY_CODES_OFFER_KEY not in client.session
    assert "Save your recovery codes" not in client.get(target).content.decode()


def test_totp_set_up_never_sends_the_person_to_another_site(client, leader):
    sign_in(client, leader)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(
        reverse("mfa_activate_totp"),
        {"code": totp_code(secret), "next": "https://evil.example.net/"},
    )
    assert response.status_code == 302 and response.url == reverse("home")


# --- the idle-session warning ------------------------------------------------------------


def test_keepalive_extends_a_live_session_and_reports_an_ended_one(client, leader):
    url = reverse("session_keepalive")
    assert client.post(url).status_code == 401
    client.force_login(leader)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 204
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_signed_in_pages_carry_the_warning_dialog_and_signed_out_pages_do_not(
    client, leader, school
):
    html = client.get("/").content.decode()
    assert 'id="session-timeout"' not in html and "js/session.js" not in html
    client.force_login(leader)
    html = client.get(school.get_absolute_url()).content.decode()
    assert 'data-session-seconds="1800"' in html
    assert 'data-warning-seconds="300"' in html
    assert '<script src="/static/js/session.js" defer></script>' in html
    assert "signed out after 30 minutes without activity" in html
