"""Coordinators and platform admins enrol TOTP before any page opens, and use it in the
session (RequireTwoFactorMiddleware decides by the person, not by the URL)."""

import pytest
from conftest import enrol_totp, totp_code
from django.urls import reverse
from factories import UserFactory, grant

from partnership.models import Role

pytestmark = pytest.mark.django_db


def test_coordinator_without_totp_is_sent_to_enrol(as_user, partnership):
    user = UserFactory()
    grant(user, Role.Kind.COORDINATOR, partnership=partnership)
    client = as_user(user)
    for name in ["home", "members", "applications", "audit", "import"]:
        url = reverse(f"partnership:{name}", args=[partnership.slug])
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('mfa_activate_totp')}?next={url}"
    enrol_totp(user)
    # An authenticator added outside this session does not make the session two-factor.
    members = reverse("partnership:members", args=[partnership.slug])
    assert client.get(members).url.startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(user)})
    assert client.get(members).status_code == 200


def test_platform_admin_without_totp_cannot_open_the_admin(as_user):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = as_user(admin)
    assert client.get("/admin/").url.startswith(reverse("mfa_activate_totp"))
    enrol_totp(admin)
    assert client.get("/admin/").url.startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(admin)})
    assert client.get("/admin/").status_code == 200


def test_school_people_are_not_asked_for_totp(as_user, school, leader):
    assert as_user(leader).get(school.get_absolute_url()).status_code == 200


def test_a_coordinator_signing_in_with_a_password_lands_on_enrolment(client, partnership):
    user = UserFactory(email="new.coordinator@example.org")
    grant(user, Role.Kind.COORDINATOR, partnership=partnership)
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "a-long-test-password"},
        follow=True,
    )
    # Signing in lands on the partnership home, which sends them to set up TOTP first;
    # having just signed in, they are not asked for the password again.
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    assert all(
        not url.startswith(reverse("account_reauthenticate")) for url, _ in response.redirect_chain
    )
    assert response.status_code == 200
    assert response.context["form"].secret in response.content.decode()


def _pages_of_a_school(school, year):
    return [
        reverse("home"),
        school.get_absolute_url(),
        reverse("school_invite", args=[school.urn]),
        reverse("wellcheck:overview", args=[school.urn]),
        reverse("wellcheck:check", args=[school.urn, year]),
        reverse("accreditation:overview", args=[school.urn]),
        reverse("events:bookings"),
        reverse("email_preferences"),
    ]


@pytest.mark.parametrize("who", ["coordinator_without_totp", "platform_admin"])
def test_every_page_sends_a_person_without_totp_to_set_it_up(request, as_user, school, leader, who):
    """Finding 2: with a password alone a coordinator or platform admin opened school
    pages, Well Checks and invitations; now every page leads to the TOTP set-up."""
    from factories import submitted_check

    well_check = submitted_check(school, leader)
    user = (
        UserFactory(is_staff=True, is_superuser=True)
        if who == "platform_admin"
        else request.getfixturevalue(who)
    )
    client = as_user(user)
    for url in _pages_of_a_school(school, well_check.academic_year):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("mfa_activate_totp")), url
    # POST-only actions too: reopening a submitted check, inviting a leader, removing a role.
    reopen = reverse("wellcheck:reopen", args=[school.urn, well_check.academic_year])
    response = client.post(reopen, {"reason": "Try again"})
    assert response.url.startswith(reverse("mfa_activate_totp"))
    well_check.refresh_from_db()
    assert well_check.is_submitted
    invite = reverse("school_invite", args=[school.urn])
    response = client.post(invite, {"email": "me@example.org", "kind": Role.Kind.SCHOOL_LEADER})
    assert response.url.startswith(reverse("mfa_activate_totp"))
    role = leader.roles.get()
    assert client.post(reverse("role_remove", args=[role.pk])).status_code == 302
    assert Role.objects.filter(pk=role.pk).exists()
    from partnership.models import Invitation

    assert not Invitation.objects.exists()


def test_set_up_sign_out_and_static_files_stay_open(as_user, coordinator_without_totp):
    client = as_user(coordinator_without_totp)
    response = client.get(reverse("mfa_activate_totp"))
    # allauth itself asks for the password again first; that page is open too.
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get("/static/css/app.css").status_code in (200, 404)  # never a redirect
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and not response.url.startswith("/accounts/2fa/")


def test_a_session_signed_in_with_a_password_alone_must_enter_a_code(client, partnership, school):
    """The person enrolled TOTP elsewhere (or it was added for them) after this session
    signed in with a password: the session is asked for a code before anything opens."""
    user = UserFactory(email="late.enrolment@example.org")
    client.post(reverse("account_login"), {"login": user.email, "password": "a-long-test-password"})
    grant(user, Role.Kind.COORDINATOR, partnership=partnership)
    enrol_totp(user)
    response = client.get(school.get_absolute_url())
    assert response.url.startswith(reverse("mfa_reauthenticate"))
    response = client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert client.get(school.get_absolute_url()).status_code == 302  # a wrong code opens nothing
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(user)})
    assert client.get(school.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_enrolling_on_the_set_up_page_opens_the_pages(as_user, partnership, school):
    # A transactional test: allauth announces the new authenticator on commit, which in a
    # request (autocommit) is at once, while the session can still record it.
    user = UserFactory(email="enrols.now@example.org")
    grant(user, Role.Kind.COORDINATOR, partnership=partnership)
    client = as_user(user)
    # allauth asks for the password again before an authenticator is added.
    client.post(reverse("account_reauthenticate"), {"password": "a-long-test-password"})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret=secret)})
    assert response.status_code == 302
    assert client.get(school.get_absolute_url()).status_code == 200
