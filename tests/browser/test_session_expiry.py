"""Defect 4 of issue 14: work is not lost at the 30-minute idle timeout.

* The page warns before the session ends (static/js/session.js, no inline script), "Stay
  signed in" extends it, and the page says so when it has ended.
* A school leader writing a long accreditation statement whose session ends before "Save"
  is sent to sign in with a message, and after signing in comes back to the same page with
  the text put back; saving then stores it.
axe runs on every page visited, also at 375 px.
"""

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import PillarStatement
from accreditation.services.school import application_start
from wellcheck.models import WellCheck, academic_year_of
from wellcheck.selectors import framework_current

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"  # what UserFactory sets
STATEMENT = (
    "Every class has a daily movement break, planned with pupils. " * 12
    + "Staff wellbeing is a standing item at every governors' meeting."
)


@pytest.fixture
def application(school, leader):
    WellCheck.objects.create(
        school=school,
        academic_year=academic_year_of(timezone.localdate()),
        framework=framework_current(),
        status=WellCheck.Status.SUBMITTED,
        started_by=leader,
        submitted_by=leader,
        submitted_at=timezone.now() - timedelta(days=7),
    )
    return application_start(actor=leader, school=school)


def sign_in(page, base, email, check_a11y, *, expect_notice=False):
    if not page.url.startswith(f"{base}/accounts/login/"):
        page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    notice = page.locator("[data-signin-return]")
    if expect_notice:
        expect(notice).to_contain_text("You will come back to the page you were on")
        expect(notice).to_contain_text("30 minutes")
    check_a11y(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def end_session(context):
    """What 30 idle minutes do on the server: the session is gone (whatever the engine)."""
    engine = import_module(django_settings.SESSION_ENGINE)
    for cookie in context.cookies():
        if cookie["name"] == django_settings.SESSION_COOKIE_NAME:
            engine.SessionStore(session_key=cookie["value"]).delete()
            return
    raise AssertionError("no session cookie")


@pytest.mark.parametrize(
    "viewport", [None, {"width": 375, "height": 812}], ids=["desktop", "375px"]
)
def test_statement_typed_when_the_session_ends_comes_back_after_signing_in(
    browser, live_server, settings, leader, application, check_a11y, viewport
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    context = browser.new_context(**({"viewport": viewport} if viewport else {}))
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, base, leader.email, check_a11y)
        page.wait_for_url(re.compile(r"/schools/"))
        pillar_url = f"{base}{application.get_absolute_url()}pillars/move_well/"
        page.goto(pillar_url)
        statement = page.get_by_label("Statement of the school's practice")
        statement.fill(STATEMENT)
        check_a11y(page)

        # Thirty idle minutes pass; then the leader presses Save.
        end_session(context)
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        sign_in(page, base, leader.email, check_a11y, expect_notice=True)

        # Back where they were, with their text put back and a word about it.
        page.wait_for_url(pillar_url)
        statement = page.get_by_label("Statement of the school's practice")
        expect(statement).to_have_value(STATEMENT)
        expect(page.locator("[data-draft-restored]")).to_contain_text(
            "We have put back text you typed here that had not been saved"
        )
        check_a11y(page)
        assert not PillarStatement.objects.filter(
            application=application, text__contains="daily movement break"
        ).exists()

        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_load_state()
        assert PillarStatement.objects.filter(application=application, text=STATEMENT).exists()
        # Saved: the kept copy is dropped, so a later visit shows no "put back" notice.
        page.goto(pillar_url)
        expect(page.get_by_label("Statement of the school's practice")).to_have_value(STATEMENT)
        expect(page.locator("[data-draft-restored]")).to_have_count(0)
        check_a11y(page)
    finally:
        context.close()


def test_the_page_warns_before_the_session_ends_and_can_extend_it(
    browser, live_server, settings, leader, school, check_a11y
):
    # A short idle timeout stands in for 30 minutes: the warning comes 4 s before the end.
    settings.SESSION_COOKIE_AGE = 8
    settings.WELLSCHOOLS_SESSION_WARNING_SECONDS = 4
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, base, leader.email, check_a11y)
        page.wait_for_url(f"{base}{school.get_absolute_url()}")
        dialog = page.locator("dialog#session-timeout")
        expect(dialog).to_be_hidden()
        assert page.locator("script:not([src])").count() == 0  # no inline script

        expect(dialog).to_be_visible(timeout=8_000)
        expect(dialog.get_by_role("heading")).to_have_text("You will be signed out soon")
        stay = dialog.get_by_role("button", name="Stay signed in")
        expect(stay).to_be_focused()
        check_a11y(page)
        stay.click()
        expect(dialog).to_be_hidden()
        # The session was extended: a page that needs it still opens.
        response = page.request.get(f"{base}{school.get_absolute_url()}", max_redirects=0)
        assert response.status == 200

        # Left alone, the page says when the session has ended and offers to sign in again.
        ended = dialog.locator("[data-session-ended]")
        expect(ended).to_be_visible(timeout=12_000)
        expect(ended).to_contain_text("You have been signed out")
        check_a11y(page)
        link = ended.get_by_role("link", name="Sign in again")
        assert "next=" in link.get_attribute("href")
        link.click()
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        expect(page.locator("[data-signin-return]")).to_be_visible()
        check_a11y(page)
    finally:
        context.close()
