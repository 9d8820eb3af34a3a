"""Sign-in with django-allauth: email identity, mandatory verification, code, reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from factories import UserFactory

from wellschools.models import User

pytestmark = pytest.mark.django_db


def test_signup_needs_the_email_address_verified_before_signing_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Head@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.head@example.org")
    assert not user.emailaddress_set.get().verified
    assert mail.outbox and "new.head@example.org" in mail.outbox[-1].to
    # Not signed in until the address is confirmed.
    assert client.get(reverse("home")).status_code == 302

    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    client.post(path)
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("home")).status_code == 200


def test_there_are_no_usernames(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="username"' not in page and 'name="email"' in page


def test_sign_in_by_an_emailed_code(client, school, leader):
    client.post(reverse("account_request_login_code"), {"email": leader.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == school.get_absolute_url()


def test_a_wrong_code_does_not_sign_in(client, leader):
    client.post(reverse("account_request_login_code"), {"email": leader.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_password_sign_in_lands_on_the_role_home(client, school, leader):
    response = client.post(
        reverse("account_login"),
        {"login": leader.email, "password": "a-long-test-password"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == school.get_absolute_url()


def test_a_wrong_password_says_so_next_to_the_form_and_keeps_the_email(client, leader):
    response = client.post(
        reverse("account_login"), {"login": leader.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert f'value="{leader.email}"' in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    body = mail.outbox[-1].body
    path = re.search(r"(/accounts/password/reset/key/\S+/)", body).group(1)
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    client.post(form_path, {"password1": "a-brand-new-phrase", "password2": "a-brand-new-phrase"})
    user.refresh_from_db()
    assert user.check_password("a-brand-new-phrase")


def test_failed_sign_ins_are_rate_limited(client, leader, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}
    for _ in range(3):
        client.post(reverse("account_login"), {"login": leader.email, "password": "wrong-guess"})
    response = client.post(
        reverse("account_login"), {"login": leader.email, "password": "a-long-test-password"}
    )
    # Even the right password is refused once the limit is reached.
    assert response.status_code in (200, 429)
    assert client.get(reverse("home")).status_code == 302
    cache.clear()


def test_rate_limits_are_on_in_the_real_settings():
    from wellschools import settings as real

    assert real.ACCOUNT_RATE_LIMITS_ENABLED is True
    assert not hasattr(real, "ACCOUNT_RATE_LIMITS")
