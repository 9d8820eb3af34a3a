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
