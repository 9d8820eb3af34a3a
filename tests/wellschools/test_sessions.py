"""Sessions end after 30 idle minutes, but are written at most once a minute (issue 13)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under the test's control (session expiry and the touch use it)."""
    now = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


def _expiry(client):
    return Session.objects.get(pk=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_signed_in_request_does_not_write_the_session_every_time(client, leader, clock):
    url = reverse("email_preferences")
    client.force_login(leader)
    assert client.get(url).status_code == 200
    first = _expiry(client)
    clock[0] += timedelta(seconds=30)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert _session_writes(queries) == []
    assert _expiry(client) == first


def test_session_is_touched_after_a_minute_and_ends_after_thirty_idle_minutes(
    client, leader, clock
):
    url = reverse("email_preferences")
    client.force_login(leader)
    assert client.get(url).status_code == 200
    clock[0] += timedelta(seconds=70)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert _session_writes(queries)  # saved again: a new expiry
    touched = clock[0]
    assert _expiry(client) == touched + timedelta(minutes=30)

    # Busy for 29 minutes more, a request every 50 seconds: still signed in, and never
    # more than one write a minute.
    writes = 0
    for _ in range(35):
        clock[0] += timedelta(seconds=50)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        writes += bool(_session_writes(queries))
    assert 0 < writes <= 35 * 50 // 60 + 1

    # Then 30 idle minutes (Redis drops the cached copy at its expiry too).
    last_request = clock[0]
    clock[0] = last_request + timedelta(minutes=30)
    cache.clear()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_requests_create_no_session(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("events:list")).status_code == 200
    assert _session_writes(queries) == []
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_expired_sessions_are_cleared_by_the_periodic_task(client, leader, clock):
    from django.test import Client

    from wellschools.tasks import clear_expired_sessions

    client.force_login(leader)
    idle = client.cookies[settings.SESSION_COOKIE_NAME].value
    other = Client()
    other.force_login(leader)  # a second, live session
    live = other.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=idle).update(expire_date=clock[0] - timedelta(seconds=1))
    clear_expired_sessions()
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert "clear-expired-sessions" in settings.CELERY_BEAT_SCHEDULE
