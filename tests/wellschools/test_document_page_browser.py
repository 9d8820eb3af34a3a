"""The document page in a real browser: under the strict Content-Security-Policy and the
htmx configuration of base.html, "being prepared" turns into a download link by itself,
with no CSP violation and nothing for axe to report."""

import os
import re

import pytest
from browser.helpers import AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS
from django.db import connection
from django.test import Client

from wellschools.documents import document_render
from wellschools.models import GeneratedDocument

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright


def _axe_clean(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def chromium(request):
    """Debian's Chromium through Playwright: pytest-playwright's session when that plugin
    runs (one sync Playwright per thread), else a Playwright of our own."""
    if request.config.pluginmanager.hasplugin("playwright"):
        browser = request.getfixturevalue("playwright").chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pending_page_turns_into_a_download_link_by_itself(
    live_server, settings, tmp_path, partnership, school, coordinator, chromium
):
    settings.MEDIA_ROOT = str(tmp_path)
    document = GeneratedDocument.objects.create(
        kind="member_list",
        object_type="partnership.partnership",
        object_id=str(partnership.pk),
        object_label=str(partnership),
        requested_by=coordinator,
    )
    client = Client()
    client.force_login(coordinator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(accept_downloads=True)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    problems, polls = [], []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} {message.location}")
            if message.type == "error"
            # The site has no favicon; Chromium asks for one anyway.
            and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.on(
        "request",
        lambda request: polls.append(request.url) if request.headers.get("hx-request") else None,
    )

    page.goto(live_server.url + document.get_absolute_url())
    page.get_by_text("is being prepared").wait_for()
    _axe_clean(page)
    page.wait_for_timeout(2500)
    assert polls, "htmx did not poll the document's status"

    assert document_render(document_id=document.pk) is True  # the worker's part

    link = page.get_by_role("link", name=re.compile(r"^Download"))
    link.wait_for(timeout=10_000)
    _axe_clean(page)
    count = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == count, "polling went on after the document was ready"
    with page.expect_download() as download:
        link.click()
    document.refresh_from_db()
    assert download.value.suggested_filename == document.filename
    assert problems == [], problems  # a CSP violation is logged as a console error
    context.close()
    # Sync Playwright runs an event loop in this thread, and Django keeps connections per
    # async context: close the one this test opened inside it, or it outlives the test
    # database.
    connection.close()
