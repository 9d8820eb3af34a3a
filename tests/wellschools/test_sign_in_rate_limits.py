"""Failed sign-ins are limited per client address and per address-and-client, so an
attacker cannot lock a known person out for everyone (tenancy issue, finding 6)."""

import pytest
from django.urls import reverse
from factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
SCHOOL = "198.51.100.7"


@pytest.fixture
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {}  # allauth's defaults: 10/m per IP, 5/5 min per key
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sign-in-rate-limits",
        }
    }
    from django.core.cache import cache

    cache.clear()


def _sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_from_one_client_do_not_lock_the_person_out_elsewhere(rate_limits, client):
    leader = UserFactory(email="deadline.leader@example.org")
    for _ in range(6):
        _sign_in(client, leader.email, "not-the-password", ATTACKER)
    # The attacker's client is locked, even with the right password ...
    response = _sign_in(client, leader.email, "a-long-test-password", ATTACKER)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    # ... while the leader, at school, signs in at once.
    from django.test import Client

    at_school = Client()
    response = _sign_in(at_school, leader.email, "a-long-test-password", SCHOOL)
    assert response.status_code == 302
    assert at_school.session.get("_auth_user_id") == str(leader.pk)


def test_one_client_is_still_limited(rate_limits, client):
    """The per-client limit still stops guessing from one place."""
    leader = UserFactory(email="guarded.leader@example.org")
    for _ in range(5):
        _sign_in(client, leader.email, "not-the-password", ATTACKER)
    response = _sign_in(client, leader.email, "not-the-password", ATTACKER)
    assert "Too many failed login attempts" in response.content.decode()
