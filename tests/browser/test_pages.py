"""The page patterns of issue 14, checked in a real browser on the demo partnership.

* The main pages of every role at 375 px: no sideways scrolling of the page (a table may
  scroll inside its own labelled region), axe finds nothing — and the same at desktop width.
* Non-text contrast: every form control's border against what is behind it is at least
  3:1 (axe does not check this), computed from the browser's own styles.
* The error summary: at the top, focused, each link moves to its field.
* The landing page says what the service is and who it is for.
"""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from factories import UserFactory, grant
from playwright.sync_api import expect

from accreditation.dates import award_valid_until
from accreditation.models import Application, Award
from accreditation.services.school import application_start
from events.models import Event
from partnership.models import Partnership, Role, Trust
from wellcheck.models import Action, WellCheck, academic_year_of
from wellcheck.selectors import framework_current
from wellschools.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
K = Role.Kind
PASSWORD = "a-long-test-password"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# Sideways overflow of the page itself, and the elements sticking out (outside a table's
# own scrolling region) so a failure names them.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-responsive, dialog:not([open])')) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 8)};
}"""

# WCAG 1.4.11 for form controls: border colour against the first opaque background behind
# the control, by the WCAG relative-luminance formula.
CONTROL_CONTRAST = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const lum = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const rows = [];
  const selector = "input:not([type=hidden]):not([type=submit]):not([type=button])" +
    ":not([type=image]), select, textarea";
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    const border = parse(style.borderTopColor);
    const width = parseFloat(style.borderTopWidth);
    const bg = behind(el);
    rows.push({
      control: (el.id || el.name) + ' (' + el.type + ')',
      border: style.borderTopColor,
      width,
      ratio: Math.round(ratio(border, bg) * 100) / 100,
    });
  }
  return rows;
}"""


@pytest.fixture
def demo(settings, tmp_path):
    """The demo partnership of `scripts/dev`, plus an accreditation application, an award
    and an action, so every main page has something on it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    partnership = Partnership.objects.get(slug="oxfordshire")
    year = academic_year_of(timezone.localdate())
    framework = framework_current()
    submitted = list(
        WellCheck.objects.filter(academic_year=year, status=WellCheck.Status.SUBMITTED)
        .select_related("school")
        .order_by("school__urn")
    )
    applicant_school, awarded_school = submitted[0].school, submitted[1].school
    head = UserFactory(email="head@example.org", full_name="Dana Head")
    grant(head, K.SCHOOL_LEADER, school=applicant_school)
    application = application_start(actor=head, school=applicant_school)
    awarded_on = timezone.localdate() - timedelta(days=100)
    earlier = Application.objects.create(
        partnership=partnership,
        school=awarded_school,
        framework=framework,
        status=Application.Status.AWARDED,
        submitted_at=timezone.now() - timedelta(days=130),
    )
    award = Award.objects.create(
        application=earlier,
        partnership=partnership,
        school=awarded_school,
        awarded_on=awarded_on,
        valid_until=award_valid_until(awarded_on),
    )
    Action.objects.create(
        well_check=submitted[0],
        pillar=framework.pillars.order_by("order").first(),
        title="Daily movement breaks in every class",
        success_measure="Pupils say they feel ready to learn.",
        due_date=timezone.localdate() + timedelta(days=40),
        created_by=head,
    )
    leader = User.objects.get(email="leader@example.org")
    leader_school = leader.roles.get().school
    WellCheck.objects.create(
        school=leader_school,
        academic_year=year,
        framework=framework,
        status=WellCheck.Status.IN_PROGRESS,
        started_by=leader,
    )
    return {
        "partnership": partnership,
        "year": year,
        "leader": leader,
        "leader_school": leader_school,
        "head": head,
        "application": application,
        "results_school": applicant_school,
        "award": award,
        "trust": Trust.objects.get(pk=leader_school.trust_id),
        "event": Event.objects.get(partnership=partnership),
    }


def signed_in(browser, live_server, user, viewport):
    """A browser context with a session for `user` (made by Django's test client against
    the same database), talking to this machine only."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((live_server.url, "data:", "blob:", "about:"))
            else route.abort("blockedbyclient")
        ),
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def main_pages(demo, role):
    d = demo
    slug = d["partnership"].slug
    year = d["year"]
    results = d["results_school"]
    leader_school = d["leader_school"]
    event = d["event"]
    if role == "public":
        return [
            "/",
            "/events/",
            f"/events/{event.pk}/",
            "/accredited/",
            "/verify/",
            f"/verify/{d['award'].code}/",
            "/accounts/login/",
            "/accounts/signup/",
        ]
    if role == "leader":
        return [
            "/home/",
            f"/schools/{leader_school.urn}/",
            f"/schools/{leader_school.urn}/wellcheck/",
            f"/schools/{leader_school.urn}/wellcheck/{year}/",
            f"/schools/{leader_school.urn}/wellcheck/{year - 1}/results/",
            f"/schools/{leader_school.urn}/accreditation/",
            f"/events/{event.pk}/book/",
            "/events/bookings/",
            "/accounts/email/",
            "/account/email-preferences/",
        ]
    if role == "head":
        application = d["application"]
        return [
            f"/schools/{results.urn}/",
            f"/schools/{results.urn}/wellcheck/{year}/results/",
            f"/schools/{results.urn}/wellcheck/{year}/plan/",
            application.get_absolute_url(),
            f"{application.get_absolute_url()}pillars/move_well/",
        ]
    if role == "trust":
        return [
            f"/trusts/{d['trust'].group_uid}/",
            f"/trusts/{d['trust'].group_uid}/wellcheck/",
        ]
    if role == "coordinator":
        return [
            f"/partnership/{slug}/",
            f"/partnership/{slug}/members/",
            f"/partnership/{slug}/applications/",
            f"/partnership/{slug}/import/",
            f"/partnership/{slug}/audit/",
            f"/partnership/{slug}/wellchecks/",
            f"/partnership/{slug}/events/",
            f"/partnership/{slug}/events/{event.pk}/",
            f"/partnership/{slug}/events/{event.pk}/edit/",
            f"/partnership/{slug}/accreditation/",
            f"/schools/{results.urn}/",
            f"/schools/{results.urn}/wellcheck/{year}/results/",
        ]
    raise ValueError(role)


def user_for(demo, role):
    if role == "public":
        return None
    if role == "leader":
        return demo["leader"]
    if role == "head":
        return demo["head"]
    if role == "trust":
        return User.objects.get(email="truststaff@example.org")
    user = User.objects.get(email="coordinator@example.org")
    from conftest import enrol_totp

    enrol_totp(user)
    return user


@pytest.mark.parametrize("role", ["public", "leader", "head", "trust", "coordinator"])
def test_main_pages_fit_375px_without_sideways_scrolling(
    browser, live_server, settings, demo, role, check_a11y
):
    settings.SITE_URL = live_server.url
    context = signed_in(browser, live_server, user_for(demo, role), PHONE)
    page = context.new_page()
    try:
        for path in main_pages(demo, role):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{path}: {response.status}"
            # The pillar page is the one with the long statement: it must not sprawl.
            found = page.evaluate(OVERFLOW)
            assert found["scroll"] <= found["width"], (
                f"{path} scrolls sideways at 375 px ({found['scroll']} > {found['width']}): "
                f"{found['culprits']}"
            )
            # A table wider than the screen scrolls inside its own region, which a keyboard
            # can reach and a screen reader can name.
            for region in page.locator(".table-responsive").all():
                assert region.get_attribute("role") == "region", path
                assert region.get_attribute("tabindex") == "0", path
                assert region.get_attribute("aria-label"), path
            check_a11y(page)
    finally:
        context.close()


@pytest.mark.parametrize("role", ["public", "head", "coordinator"])
def test_form_controls_have_borders_of_at_least_3_to_1(
    browser, live_server, settings, demo, role, check_a11y
):
    settings.SITE_URL = live_server.url
    d = demo
    pages = {
        "public": ["/accounts/login/", "/accounts/signup/", "/verify/"],
        "head": [
            f"/schools/{d['results_school'].urn}/wellcheck/{d['year']}/plan/",
            f"{d['application'].get_absolute_url()}pillars/move_well/",
            "/account/email-preferences/",
            f"/events/{d['event'].pk}/book/",
        ],
        "coordinator": [
            f"/partnership/{d['partnership'].slug}/members/",
            f"/partnership/{d['partnership'].slug}/events/new/",
            f"/partnership/{d['partnership'].slug}/import/",
        ],
    }[role]
    if role == "head":
        # The Well Check's radio buttons: the leader's school has one in progress.
        context = signed_in(browser, live_server, d["leader"], DESKTOP)
        page = context.new_page()
        page.goto(f"{live_server.url}/schools/{d['leader_school'].urn}/wellcheck/{d['year']}/")
        page.locator("main a[href*='/pillars/']").first.click()
        page.wait_for_load_state()
        rows = page.evaluate(CONTROL_CONTRAST)
        assert any(row["control"].endswith("(radio)") for row in rows), rows
        _assert_contrast(page.url, rows)
        check_a11y(page)
        context.close()
    context = signed_in(browser, live_server, user_for(d, role), DESKTOP)
    page = context.new_page()
    try:
        for path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{path}: {response.status}"
            rows = page.evaluate(CONTROL_CONTRAST)
            assert rows, f"{path} has no form controls to check"
            _assert_contrast(path, rows)
            check_a11y(page)
    finally:
        context.close()


def _assert_contrast(where, rows):
    weak = [row for row in rows if row["width"] <= 0 or row["ratio"] < 3]
    assert not weak, f"form controls on {where} with borders under 3:1: {weak}"


def test_error_summary_is_focused_and_links_to_each_field(
    browser, live_server, settings, demo, check_a11y
):
    settings.SITE_URL = live_server.url
    context = signed_in(browser, live_server, demo["head"], DESKTOP)
    page = context.new_page()
    try:
        # A person without a usable email address: the form comes back with the summary on
        # top, and what was typed is still there.
        page.goto(f"{live_server.url}/events/{demo['event'].pk}/book/")
        first = page.get_by_role("group", name="Person 1")
        first.get_by_label("Full name").fill("Sam Staff")
        first.get_by_label("Email address").fill("sam.staff at example.org")
        page.get_by_role("button", name="Book places").click()
        page.wait_for_load_state()
        expect(page.get_by_role("group", name="Person 1").get_by_label("Full name")).to_have_value(
            "Sam Staff"
        )
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_visible()
        expect(summary.get_by_role("heading")).to_have_text("There is a problem")
        assert page.title().startswith("Error: ")
        expect(summary).to_be_focused()
        links = summary.locator("a")
        assert links.count() >= 1
        check_a11y(page)
        for index in range(links.count()):
            target = links.nth(index).get_attribute("href")
            assert re.fullmatch(r"#[\w-]+", target), target
            assert page.locator(target).count() == 1, f"{target} names no field on the page"
        first = links.first
        target = first.get_attribute("href")
        first.click()
        expect(page.locator(target)).to_be_focused()
        # The message is next to the field as well.
        field = page.locator(target)
        described = field.get_attribute("aria-describedby") or ""
        assert (
            any(
                page.locator(f"#{name}").count()
                and "invalid-feedback" in (page.locator(f"#{name}").get_attribute("class") or "")
                for name in described.split()
            )
            or page.locator(f"{target} ~ .invalid-feedback, {target} + .invalid-feedback").count()
        )
    finally:
        context.close()


def test_landing_page_says_what_the_service_is_with_events_and_accredited_schools(
    browser, live_server, settings, demo, check_a11y
):
    context = signed_in(browser, live_server, None, PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Well Schools Partnership")
        main = page.locator("main")
        expect(main).to_contain_text("Well Check")
        expect(main).to_contain_text("school leaders")
        expect(main.get_by_role("link", name="Sign in")).to_be_visible()
        expect(main.get_by_role("link", name=demo["event"].title)).to_be_visible()
        expect(main.get_by_role("link", name=demo["award"].school.name)).to_be_visible()
        check_a11y(page)
        main.get_by_role("link", name=demo["event"].title).click()
        page.wait_for_url(f"{live_server.url}/events/{demo['event'].pk}/")
        check_a11y(page)
    finally:
        context.close()
