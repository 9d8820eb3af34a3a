"""The score summary behind results, medians and the partnership table (issue 13): kept by
submit and reopen, equal to the scores added up from the answers; the partnership table is
paginated, filtered and sorted in the database with a fixed query budget."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import MembershipFactory, SchoolFactory, submitted_check
from wellcheck_helpers import this_year

from wellcheck import selectors, services
from wellcheck.models import WellCheck, WellCheckScore

pytestmark = pytest.mark.django_db


def test_submit_writes_the_scores_and_reopen_removes_them(school, leader, coordinator):
    last_year = submitted_check(
        school, leader, year=this_year() - 1, ratings={"lead_well": "limited"}
    )
    score = WellCheckScore.objects.get(well_check=last_year)
    assert score.is_latest and score.percentages["lead_well"] == 33
    assert score.percentages["well_culture"] == 67 and score.overall == 58

    check = submitted_check(school, leader, ratings={"lead_well": "strong"})
    latest = WellCheckScore.objects.get(school=school, is_latest=True)
    assert latest.well_check == check and latest.percentages["lead_well"] == 100
    assert WellCheckScore.objects.filter(school=school).count() == 2

    services.wellcheck_reopen(actor=coordinator, well_check=check, reason="Wrong year's answers.")
    assert not WellCheckScore.objects.filter(well_check=check).exists()
    assert WellCheckScore.objects.get(school=school, is_latest=True).well_check == last_year

    services.wellcheck_submit(actor=leader, well_check=WellCheck.objects.get(pk=check.pk))
    assert WellCheckScore.objects.get(school=school, is_latest=True).well_check == check


def test_summary_equals_the_scores_from_the_answers(school, leader):
    check = submitted_check(school, leader, ratings={"move_well": "strong", "live_well": "limited"})
    outcome = selectors.results(check)
    score = WellCheckScore.objects.get(well_check=check)
    assert score.percentages == {r.pillar.key: r.percent for r in outcome.pillars}
    assert score.overall == outcome.overall


def test_rebuild_fills_checks_written_without_the_service(school, leader):
    check = submitted_check(school, leader)
    WellCheckScore.objects.all().delete()
    assert services.wellcheck_scores_rebuild(school_ids=[school.pk]) == 1
    assert WellCheckScore.objects.get(well_check=check).is_latest


def test_medians_follow_reopen(school, leader, coordinator, partnership):
    checks = [submitted_check(school, leader, ratings={"well_culture": "strong"})]
    for _ in range(5):
        other = SchoolFactory()
        MembershipFactory(partnership=partnership, school=other)
        checks.append(submitted_check(other, leader, ratings={"well_culture": "limited"}))
    medians, schools = selectors.partnership_medians(school=school, year=this_year())
    assert schools == 6 and medians["well_culture"] == 33 and medians["move_well"] == 67
    services.wellcheck_reopen(actor=coordinator, well_check=checks[1], reason="Redo it.")
    medians, schools = selectors.partnership_medians(school=school, year=this_year())
    assert schools == 5 and medians["well_culture"] == 33


def _members(partnership, leader, count, *, offset=0):
    schools = []
    for n in range(count):
        school = SchoolFactory(name=f"School {offset + n:03d}", phase="Primary")
        MembershipFactory(partnership=partnership, school=school)
        if n % 3 == 0:
            submitted_check(
                school, leader, ratings={"move_well": ["limited", "good", "strong"][n % 9 // 3]}
            )
        schools.append(school)
    return schools


def test_scores_table_is_paginated_and_sorted_in_the_database(
    as_user, partnership, coordinator, leader
):
    _members(partnership, leader, 60)
    client = as_user(coordinator)
    url = reverse("wellcheck_partnership:scores", args=[partnership.slug])
    first = client.get(url)
    assert first.status_code == 200
    page = first.context["page"]
    total = first.context["counts"]["total"]
    assert total >= 60 and page.paginator.num_pages == -(-total // 50)
    assert len(first.context["rows"]) == 50
    names = [r.school.name for r in first.context["rows"]]
    assert names == sorted(names)
    second = client.get(url, {"page": 2}).context["rows"]
    assert not {r.school.pk for r in second} & {r.school.pk for r in first.context["rows"]}

    by_move = client.get(url, {"sort": "move_well", "order": "desc"}).context["rows"]
    values = [r.percentages.get("move_well") for r in by_move]
    scored = [v for v in values if v is not None]
    assert scored == sorted(scored, reverse=True) and scored[0] == 100
    assert values.index(None) == len(scored) if None in values else True  # unscored last
    by_overall = client.get(url, {"sort": "overall"}).context["rows"]
    overall = [r.overall for r in by_overall if r.overall is not None]
    assert overall == sorted(overall)


def test_scores_table_and_csv_query_budget_stays_flat(as_user, partnership, coordinator, leader):
    client = as_user(coordinator)
    url = reverse("wellcheck_partnership:scores", args=[partnership.slug])
    csv_url = reverse("wellcheck_partnership:scores_csv", args=[partnership.slug])
    _members(partnership, leader, 4)

    def measure(**params):
        client.get(url, params)
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get(url, params).status_code == 200
        with CaptureQueriesContext(connection) as csv_queries:
            response = client.get(csv_url, params)
            lines = b"".join(response.streaming_content).decode()
        return len(page_queries), len(csv_queries), lines

    small = measure(sort="move_well")
    _members(partnership, leader, 70, offset=100)
    large = measure(sort="move_well")
    assert large[0] == small[0] <= 13
    # The CSV reads the schools 500 at a time: the same count up to 500 schools.
    assert large[1] == small[1]
    rows = list(csv.reader(io.StringIO(large[2])))
    members = selectors.member_schools(partnership=partnership)
    assert len(rows) == 1 + members.count()
    assert {r[0] for r in rows[1:]} == {str(urn) for urn in members.values_list("urn", flat=True)}
