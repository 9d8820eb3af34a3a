"""Real-browser journeys: Debian's Chromium driven by Playwright, checked with axe.

Never `playwright install`: the browser is /usr/bin/chromium (see RECIPES.md). Every test
here is marked `browser`, so with REQUIRE_SERVICES=1 a missing Chromium is a failure.
"""

import os
from urllib.parse import urlsplit

import pytest

from browser.helpers import AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS

# Django's live_server and Playwright's sync API share the test thread's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here + os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _totp_tolerates_one_step(settings):
    """See ``browser.helpers.totp_now``."""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture
def context(context):
    """pytest-playwright's context, allowed to talk to this machine only."""

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    context.set_default_timeout(10_000)
    return context


def run_axe(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} accessibility violation(s) on {page.url}:\n"
        + results.generate_report()
    )
    return results


@pytest.fixture
def check_a11y():
    """check_a11y(page): axe (WCAG 2.2 AA + best practice) finds nothing on the page."""
    return run_axe


# --- journeys at two widths ------------------------------------------------------------------

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "375px": {"width": 375, "height": 740},
}


def assert_no_horizontal_overflow(page):
    """Nothing on the page makes it scroll sideways (tables scroll inside their region)."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{page.url} scrolls sideways at {inner_width} px: the page is {scroll_width} px wide"
    )


@pytest.fixture
def check_page():
    """check_page(page): axe finds nothing and the page does not scroll sideways."""

    def check(page):
        run_axe(page)
        assert_no_horizontal_overflow(page)

    return check


@pytest.fixture(params=list(VIEWPORTS))
def sized_context(request, browser):
    """A browser context at desktop width and again at 375 px (the test runs twice),
    allowed to talk to this machine only."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", only_local)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def sign_in_as(context, base_url: str, user):
    """Sign a browser context in through Django's session (journeys that are not about
    signing in need not type a password; coordinators must still have TOTP enrolled)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
