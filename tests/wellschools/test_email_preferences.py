"""People control their email: the preferences page and the signed one-click unsubscribe
link, which works without signing in and refuses tampered or foreign tokens."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from wellschools.email import email_send
from wellschools.models import EmailPreference
from wellschools.preferences import (
    UNSUBSCRIBE_SALT,
    email_preference_update,
    reminders_unwanted,
    reminders_wanted,
    unsubscribe_token,
)

pytestmark = pytest.mark.django_db

PREFERENCES = "/account/email-preferences/"


def _unsubscribe(token: str) -> str:
    return reverse("email_unsubscribe", args=[token])


def test_the_preferences_page_needs_signing_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_reminders_are_on_until_turned_off_on_the_page(as_user, leader):
    client = as_user(leader)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="reminders"[^>]*checked', page.content.decode())
    assert reminders_wanted(leader.email)

    response = client.post(PREFERENCES, {})  # the box unticked
    assert response.status_code == 302
    assert not reminders_wanted(leader.email)
    preference = EmailPreference.objects.get(email=leader.email)
    assert preference.changed_via == EmailPreference.Via.PAGE
    assert not re.search(
        r'<input[^>]*name="reminders"[^>]*checked', client.get(PREFERENCES).content.decode()
    )

    client.post(PREFERENCES, {"reminders": "on"})
    assert reminders_wanted(leader.email)


def test_reminders_wanted_ignores_case_and_answers_in_bulk():
    email_preference_update(email=" Head@School.Example ", reminders=False)
    assert not reminders_wanted("head@school.example")
    assert not reminders_wanted("HEAD@SCHOOL.EXAMPLE")
    assert reminders_wanted("someone.else@school.example")
    assert reminders_unwanted(["HEAD@school.example", "other@school.example"]) == {
        "head@school.example"
    }


def test_the_link_asks_before_unsubscribing_without_signing_in(client):
    url = _unsubscribe(unsubscribe_token("head@school.example"))
    page = client.get(url)
    assert page.status_code == 200
    assert "head@school.example" in page.content.decode()
    assert reminders_wanted("head@school.example")  # a link scanner's GET changes nothing

    done = client.post(url, {"action": "unsubscribe"})
    assert done.status_code == 200
    assert "Reminders turned off" in done.content.decode()
    assert not reminders_wanted("head@school.example")
    assert EmailPreference.objects.get().changed_via == EmailPreference.Via.LINK

    undo = client.post(url, {"action": "resubscribe"})
    assert "Reminders turned on" in undo.content.decode()
    assert reminders_wanted("head@school.example")


def test_one_click_unsubscribe_from_a_mail_program_rfc_8058():
    # Mail programs POST without a CSRF token or a session.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _unsubscribe(unsubscribe_token("head@school.example")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not reminders_wanted("head@school.example")
    assert EmailPreference.objects.get().changed_via == EmailPreference.Via.ONE_CLICK


def _tampered_tokens() -> dict[str, str]:
    good = unsubscribe_token("head@school.example")
    value, signature = good.rsplit(":", 1)
    other_value = unsubscribe_token("other@school.example").rsplit(":", 1)[0]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    ours = signing.Signer(salt=UNSUBSCRIBE_SALT)
    return {
        "signature changed": f"{value}:{flipped}",
        "address changed": f"{other_value}:{signature}",
        "no signature": value,
        "another salt": signing.Signer(salt="wellschools.other").sign_object(
            {"email": "head@school.example"}
        ),
        "no salt": signing.Signer().sign_object({"email": "head@school.example"}),
        "signing.dumps": signing.dumps({"email": "head@school.example"}),
        "another key": signing.Signer(key="x" * 50, salt=UNSUBSCRIBE_SALT).sign_object(
            {"email": "head@school.example"}
        ),
        "plain signed address": ours.sign("head@school.example"),
        "not an address": ours.sign_object({"email": "nobody"}),
        "not an object": ours.sign_object(["head@school.example"]),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize("case", list(_tampered_tokens()))
def test_tampered_or_foreign_tokens_are_refused(case):
    client = Client(enforce_csrf_checks=True)
    url = _unsubscribe(_tampered_tokens()[case])
    page = client.get(url)
    assert page.status_code == 400
    assert "This link is not valid" in page.content.decode()
    assert "Nothing has been changed" in page.content.decode()
    one_click = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 400
    assert not EmailPreference.objects.exists()


def test_the_link_in_a_reminder_works(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to="head@school.example",
            template="reminder",
            context={"subject": "Reminder", "lines": ["Something is due."]},
            essential=False,
        )
    link = re.search(r"http://testserver(/email/unsubscribe/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    client.post(link, {"action": "unsubscribe"})
    assert not reminders_wanted("head@school.example")

    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to="head@school.example",
            template="reminder",
            context={"subject": "Reminder", "lines": ["Something else is due."]},
            essential=False,
        )
    assert len(mail.outbox) == 1
