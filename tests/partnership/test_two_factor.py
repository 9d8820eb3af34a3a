"""Coordinators and platform admins enrol TOTP before any coordinator page opens."""

import pytest
from conftest import enrol_totp
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
    assert client.get(reverse("partnership:members", args=[partnership.slug])).status_code == 200


def test_platform_admin_without_totp_cannot_open_the_admin(as_user):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = as_user(admin)
    assert client.get("/admin/").url.startswith(reverse("mfa_activate_totp"))
    enrol_totp(admin)
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
