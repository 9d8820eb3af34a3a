"""The invitation journey in a real browser, with axe on every page.

A coordinator (not yet enrolled in TOTP) signs in, is sent to set up the authenticator,
invites a school leader; the new leader accepts from the emailed link, creates an
account, and later signs in again and lands on the school's page.
"""

import re
from urllib.parse import unquote

import pytest
from django.core import mail
from factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory, grant
from playwright.sync_api import expect

from browser.helpers import PASSWORD, totp_now
from partnership import services
from partnership.models import Invitation, Role
from wellschools.models import AuditEvent, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
K = Role.Kind

NEW_EMAIL = "new.leader@example.org"
NEW_NAME = "Nia Newleader"
NEW_PASSWORD = "a-new-leaders-pass-phrase"


@pytest.fixture
def world(db):
    partnership = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire"
    )
    school = SchoolFactory(name="Cherwell Primary School")
    MembershipFactory(partnership=partnership, school=school)
    coordinator = UserFactory(email="coordinator@example.org", full_name="Morgan Coordinator")
    grant(coordinator, K.COORDINATOR, partnership=partnership)
    return partnership, school, coordinator


def sign_in(page, base_url, email, password, check_a11y):
    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_a11y(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, check_a11y):
    header = page.get_by_role("navigation", name="Main")
    header.get_by_role("button", name="Sign out").click()
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    check_a11y(page)


def accept_link() -> str:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    return re.search(r"https?://\S+/invitations/[^/\s]+/", message.body).group(0)


def test_coordinator_invites_a_leader_who_accepts_and_signs_in_again(
    page, live_server, settings, world, check_a11y
):
    partnership, school, coordinator = world
    base = live_server.url
    settings.SITE_URL = base  # the emailed link must point at the live server
    school_url = f"{base}{school.get_absolute_url()}"

    # 1. The coordinator signs in through allauth's login page. /home/ sends a person with
    #    one role to their place: here the partnership's page, which is gated until TOTP is
    #    set up. Having just signed in, they are not asked for the password again.
    sign_in(page, base, coordinator.email, PASSWORD, check_a11y)
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("status")).to_contain_text("must set up two-factor authentication")

    # 2. The TOTP set-up page, which will return to the partnership page afterwards.
    assert f"next=/partnership/{partnership.slug}/" in unquote(page.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    check_a11y(page)
    secret = page.get_by_label("Secret (if you cannot scan the code)").input_value()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.get_by_role("button", name="Set up and continue").click()

    # 3. Straight on to the coordinator's page, which offers the recovery codes.
    page.wait_for_url(f"{base}/partnership/{partnership.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(partnership.name)
    offer = page.locator("[data-recovery-codes-offer]")
    expect(offer).to_contain_text("Save your recovery codes")
    check_a11y(page)
    offer.get_by_role("link", name="View and download your recovery codes").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    check_a11y(page)
    expect(page.locator("[data-recovery-codes-offer]")).to_have_count(0)

    # Now the coordinator's pages open: overview, members, the school.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coordinator").click()
    page.wait_for_url(f"{base}/partnership/{partnership.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(partnership.name)
    expect(page.locator("[data-recovery-codes-offer]")).to_have_count(0)
    check_a11y(page)

    page.get_by_role("navigation", name="Coordinator").get_by_role("link", name="Members").click()
    page.wait_for_url(f"{base}/partnership/{partnership.slug}/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Member schools")
    check_a11y(page)

    page.get_by_role("link", name=school.name).click()
    page.wait_for_url(school_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    check_a11y(page)

    # 4. Invite a new school leader.
    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url(f"{school_url}invite/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite someone to {school.name}")
    check_a11y(page)
    page.get_by_label("Their email address").fill(NEW_EMAIL)
    page.get_by_label("School leader").check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(school_url)
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {NEW_EMAIL}")
    check_a11y(page)

    # 5. The email arrives (Celery eager, after commit) with a link to the live server.
    link = accept_link()
    assert link.startswith(f"{base}/invitations/")

    sign_out(page, check_a11y)

    # 6. The new leader opens the link and creates an account.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"You are invited to {school.name}"
    )
    expect(page.get_by_label("Email address")).to_have_value(NEW_EMAIL)
    check_a11y(page)
    page.get_by_label("Your full name").fill(NEW_NAME)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account and accept").click()

    page.wait_for_url(school_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    expect(page.get_by_role("status")).to_contain_text(f"Welcome, {NEW_NAME}")
    people = page.get_by_role("table", name="People and their roles")
    expect(people.get_by_role("row").filter(has_text=NEW_EMAIL)).to_contain_text("School leader")
    check_a11y(page)

    # 7. Later: sign out, sign in again, land on the school's page via /home/.
    sign_out(page, check_a11y)
    sign_in(page, base, NEW_EMAIL, NEW_PASSWORD, check_a11y)
    page.wait_for_url(school_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    check_a11y(page)

    # 8. What the database says.
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name == NEW_NAME
    assert Role.objects.filter(user=user, kind=K.SCHOOL_LEADER, school=school).exists()
    invitation = Invitation.objects.get(email=NEW_EMAIL)
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    actions = set(
        AuditEvent.objects.filter(object_id=str(invitation.pk)).values_list("action", flat=True)
    )
    assert {"invitation.sent", "invitation.accepted"} <= actions


def test_a_mismatched_password_is_explained_next_to_the_field(
    page, live_server, settings, world, check_a11y
):
    partnership, school, coordinator = world
    settings.SITE_URL = live_server.url
    services.invitation_create(
        actor=coordinator, email=NEW_EMAIL, kind=K.SCHOOL_LEADER, school=school
    )
    link = accept_link()

    page.goto(link)
    check_a11y(page)
    page.get_by_label("Your full name").fill(NEW_NAME)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD + "-typo")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account and accept").click()

    assert page.url == link  # the form again, not a redirect
    repeat = page.get_by_label("Type the password again")
    expect(repeat).to_have_attribute("aria-invalid", "true")
    # The message sits right under the field, and the field points to it for screen readers.
    error = repeat.locator("xpath=following-sibling::*[1]")
    expect(error).to_be_visible()
    expect(error).to_have_text("The two passwords do not match.")
    error_id = error.get_attribute("id")
    assert error_id and error_id in (repeat.get_attribute("aria-describedby") or "").split()
    expect(page.get_by_label("Choose a password")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your full name")).to_have_value(NEW_NAME)
    check_a11y(page)
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert Invitation.objects.get(email=NEW_EMAIL).accepted_at is None
