"""Every insight page runs the same number of queries whatever the partnership's size:
the figures are aggregates in the database, the lists are pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import EventFactory
from insight_helpers import member_with_leader, submitted_members

from events.models import Attendee, Booking
from wellcheck.models import Question
from wellcheck.selectors import framework_current

pytestmark = pytest.mark.django_db

BUDGET = 25  # the most any insight page may run (sign-in, roles, page)


def _grow(partnership, trust, count, start):
    """More member schools: half submitted (with mixed ratings), half not started, and
    bookings with attendance at an event."""
    submitted = submitted_members(
        partnership,
        count // 2,
        trust=trust,
        prefix=f"Grown {start}",
        ratings=lambda n: {"move_well": ["not_started", "limited", "good", "strong"][n % 4]},
    )
    for n in range(count - count // 2):
        member_with_leader(partnership, name=f"Grown {start} Waiting {n}", trust=trust)
    event = EventFactory(partnership=partnership)
    for school in submitted:
        booking = Booking.objects.create(
            event=event, school=school, organisation=school.name, status="confirmed"
        )
        Attendee.objects.create(
            booking=booking, name="Pat Example", email="pat@example.org", attendance="attended"
        )


def _pages(partnership, trust):
    slug = partnership.slug
    question = Question.objects.filter(pillar__framework=framework_current()).first()
    return [
        reverse("insight:overview", args=[slug]),
        reverse("insight:pillars", args=[slug]),
        reverse("insight:questions", args=[slug]),
        reverse("insight:question_invite", args=[slug, question.pk]),
        reverse("insight:trends", args=[slug]),
        reverse("insight:schools", args=[slug]) + "?sort=overall&order=desc",
        reverse("insight:nudges", args=[slug]) + "?reason=not_started",
        reverse("insight:report", args=[slug]),
        reverse("insight_trust:overview", args=[trust.group_uid]),
    ]


def _count(client, url):
    client.get(url)  # warm: first-request caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


def test_insight_pages_query_count_is_constant(as_user, partnership, trust, school, coordinator):
    client = as_user(coordinator)
    _grow(partnership, trust, 6, 1)
    small = {url: _count(client, url) for url in _pages(partnership, trust)}
    _grow(partnership, trust, 14, 2)
    for url in _pages(partnership, trust):
        large, sql = _count(client, url)
        assert large == small[url][0], (url, small[url][0], large, sql)
        assert large <= BUDGET, (url, large, sql)
