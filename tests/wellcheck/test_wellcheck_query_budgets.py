"""Query budgets of the pages used most (issue 13): the school's home page and one
autosave stay within a small, fixed number of queries whatever the partnership's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import MembershipFactory, SchoolFactory, UserFactory, grant, submitted_check
from wellcheck_helpers import this_year

from wellcheck import services
from wellcheck.models import Answer, Question

pytestmark = pytest.mark.django_db

SCHOOL_HOME_BUDGET = 18  # was 21 before issue 13; +1: the staff survey panel (issue 16)
AUTOSAVE_BUDGET = 13  # was 16 (two are the test transaction's savepoint)


def _grow(partnership, trust, leader, count):
    """More schools, people, checks and bookings around the school: nothing on its pages."""
    for _ in range(count):
        other = SchoolFactory(trust=trust)
        MembershipFactory(partnership=partnership, school=other)
        grant(UserFactory(), "school_staff", school=other)
        submitted_check(other, leader)


def _queries(client, method, url, **kwargs):
    getattr(client, method)(url, **kwargs)  # warm: first-request caches
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return queries


def test_school_home_query_budget(as_user, partnership, trust, school, leader):
    client = as_user(leader)
    services.wellcheck_start(actor=leader, school=school)
    url = reverse("school_detail", args=[school.urn])
    small = _queries(client, "get", url)
    _grow(partnership, trust, leader, 8)
    large = _queries(client, "get", url)
    sql = "\n".join(q["sql"] for q in large.captured_queries)
    assert len(large) == len(small), sql
    assert len(large) <= SCHOOL_HOME_BUDGET, sql


def test_autosave_query_budget(as_user, partnership, trust, school, leader):
    client = as_user(leader)
    check = services.wellcheck_start(actor=leader, school=school)
    questions = list(Question.objects.filter(pillar__framework=check.framework)[:2])

    def save(question, rating):
        version = Answer.objects.filter(well_check=check, question=question).first()
        url = reverse("wellcheck:answer", args=[school.urn, this_year(), question.pk])
        data = {
            f"rating_{question.pk}": rating,
            f"version_{question.pk}": str(version.version if version else 0),
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "Saved" in response.content.decode()
        return queries

    save(questions[0], "good")  # warm
    small = save(questions[0], "strong")
    _grow(partnership, trust, leader, 8)
    large = save(questions[0], "limited")
    sql = "\n".join(q["sql"] for q in large.captured_queries)
    assert len(large) == len(small), sql
    assert len(large) <= AUTOSAVE_BUDGET, sql
    assert Answer.objects.get(well_check=check, question=questions[0]).rating == "limited"
