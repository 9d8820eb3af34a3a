"""Results: nothing while open or below the threshold; per-area scores and spread;
groups only past suppression; written answers never by group; the partnership median from
five schools; the previous survey; areas to act on into the Well Check."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory, UserFactory, grant
from survey_helpers import answer, answer_many, end, make_survey

from staffsurvey import selectors
from staffsurvey.models import Survey

pytestmark = pytest.mark.django_db


def test_nothing_is_shown_while_open_even_above_the_threshold(as_user, school, leader):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 6})
    assert not selectors.survey_results(survey).visible
    page = as_user(leader).get(reverse("staffsurvey:results", args=[school.urn, survey.pk]))
    assert "No results can be shown yet" in page.content.decode()
    assert 'id="area-scores"' not in page.content.decode()


def test_nothing_is_shown_below_the_threshold_after_closing(as_user, school, leader):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 4})
    end(survey)
    page = as_user(leader).get(reverse("staffsurvey:results", args=[school.urn, survey.pk]))
    assert "No results can be shown yet" in page.content.decode()
    assert "4 did" in page.content.decode()


def test_a_raised_threshold_holds_results_back(school, leader):
    survey = make_survey(school, leader, threshold=8)
    answer_many(survey, {"teaching": 7})
    end(survey)
    assert not selectors.survey_results(survey).visible


def test_scores_and_distribution_per_area(school, leader):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 3}, value=2, by_area={"role": 5})
    answer_many(survey, {"teaching": 2}, value=5, by_area={"role": 5})
    end(survey)
    results = selectors.survey_results(survey)
    assert results.visible and results.responses == 5
    demands = next(r for r in results.areas if r.area.key == "demands")
    assert demands.score == pytest.approx((3 * 2 + 2 * 5) / 5)
    assert demands.distribution == [0.0, 60.0, 0.0, 0.0, 40.0]
    role = next(r for r in results.areas if r.area.key == "role")
    assert role.score == 5.0
    assert [r.area.key for r in results.act_on][0] != "role"
    assert "role" not in [r.area.key for r in results.act_on]


def test_group_breakdown_hides_a_group_that_subtraction_would_reveal(as_user, school, leader):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 10, "support": 6}, value=4)
    answer_many(survey, {"leadership": 2}, value=1)
    end(survey)
    results = selectors.survey_results(survey)
    assert [g for g, _label, _n in results.groups] == ["teaching"]
    page = as_user(leader).get(reverse("staffsurvey:results", args=[school.urn, survey.pk]))
    html = page.content.decode()
    assert "Teaching staff (10)" in html
    assert "Support staff (6)" not in html and "Leadership team" not in html


def test_written_answers_only_above_threshold_never_by_group_and_withheld(
    as_user, school, leader, trust_staff, coordinator, colleague
):
    survey = make_survey(school, leader, withhold_comments=True)
    for n in range(5):
        answer(survey, comment=f"Comment {n}" if n % 2 == 0 else "")
    end(survey)
    url = reverse("staffsurvey:results", args=[school.urn, survey.pk])
    html = as_user(leader).get(url).content.decode()
    assert all(f"Comment {n}" in html for n in (0, 2, 4))
    for person in (trust_staff, coordinator, colleague):
        html = as_user(person).get(url).content.decode()
        assert 'id="area-scores"' in html
        assert "Comment 0" not in html, person
    Survey.objects.filter(pk=survey.pk).update(withhold_comments=False)
    assert "Comment 0" in as_user(trust_staff).get(url).content.decode()


def _partnership_school(partnership, n):
    school = SchoolFactory(name=f"Benchmark School {n}")
    MembershipFactory(partnership=partnership, school=school)
    leader = UserFactory()
    grant(leader, "school_leader", school=school)
    return school, leader


def test_partnership_median_appears_only_from_five_schools(partnership, school, leader):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 5}, value=2)
    end(survey)
    others = []
    for n, value in enumerate([3, 4, 5]):
        other, other_leader = _partnership_school(partnership, n)
        s = make_survey(other, other_leader)
        answer_many(s, {"support": 5}, value=value)
        others.append(end(s))
    results = selectors.survey_results(survey)
    assert results.benchmark_schools == 4
    assert all(r.benchmark is None for r in results.areas)
    other, other_leader = _partnership_school(partnership, 9)
    s = make_survey(other, other_leader)
    answer_many(s, {"support": 4}, value=5)  # below threshold: does not count
    end(s)
    assert selectors.survey_results(survey).benchmark_schools == 4
    other, other_leader = _partnership_school(partnership, 10)
    s = make_survey(other, other_leader)
    answer_many(s, {"support": 5}, value=1)
    end(s)
    results = selectors.survey_results(survey)
    assert results.benchmark_schools == 5
    assert {r.benchmark for r in results.areas} == {3.0}  # median of 2, 3, 4, 5, 1


def test_previous_survey_is_compared(school, leader):
    first = make_survey(school, leader)
    answer_many(first, {"teaching": 5}, value=2)
    end(first)
    Survey.objects.filter(pk=first.pk).update(
        opens_on=timezone.localdate() - timedelta(days=200),
        closes_on=timezone.localdate() - timedelta(days=190),
    )
    second = make_survey(school, leader)
    answer_many(second, {"teaching": 5}, value=4)
    end(second)
    results = selectors.survey_results(second)
    assert results.previous_survey.pk == first.pk
    assert {r.change for r in results.areas} == {2.0}


def test_areas_to_act_on_appear_beside_lead_well_and_join_the_plan(as_user, school, leader):
    from wellcheck.models import Action, WellCheck, academic_year_of
    from wellcheck.services import wellcheck_start

    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 5}, value=4, by_area={"demands": 1, "change": 2})
    end(survey)
    well_check = wellcheck_start(actor=leader, school=school)
    client = as_user(leader)
    year = well_check.academic_year
    pillar = client.get(reverse("wellcheck:pillar", args=[school.urn, year, "lead_well"]))
    html = pillar.content.decode()
    assert "What staff told you" in html and "Demands: 1.0 out of 5" in html
    other = client.get(reverse("wellcheck:pillar", args=[school.urn, year, "move_well"]))
    assert "What staff told you" not in other.content.decode()
    plan = client.get(reverse("wellcheck:plan", args=[school.urn, year])).content.decode()
    assert "Suggested priorities from the staff survey" in plan
    response = client.post(
        reverse("staffsurvey:add_priority", args=[school.urn]), {"area": "demands"}
    )
    assert response.status_code == 302
    action = Action.objects.get(well_check=well_check)
    assert action.pillar.key == "lead_well"
    assert "Demands" in action.title
    assert WellCheck.objects.get(pk=well_check.pk).academic_year == academic_year_of(
        timezone.localdate()
    )


def test_only_a_leader_adds_a_priority(as_user, school, leader, colleague, other_leader):
    url = reverse("staffsurvey:add_priority", args=[school.urn])
    assert as_user(colleague).post(url, {"area": "demands"}).status_code == 403
    assert as_user(other_leader).post(url, {"area": "demands"}).status_code == 403


def test_trust_compares_only_schools_above_threshold(as_user, trust, school, leader, trust_staff):
    second = SchoolFactory(name="Banbury Road Academy", trust=trust)
    second_leader = UserFactory()
    grant(second_leader, "school_leader", school=second)
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 5}, value=3)
    end(survey)
    small = make_survey(second, second_leader)
    answer_many(small, {"teaching": 3}, value=5)
    end(small)
    html = as_user(trust_staff).get(reverse("staffsurvey:trust", args=[trust.group_uid]))
    html = html.content.decode()
    assert "Cherwell Primary School</a>" in html and "3.0" in html
    assert "Banbury Road Academy" in html and "No results to show" in html
    assert "5.0" not in html


def test_coordinators_see_completion_and_figures(as_user, partnership, school, leader, coordinator):
    survey = make_survey(school, leader, staff_count=10)
    answer_many(survey, {"teaching": 6})
    end(survey)
    page = as_user(coordinator).get(
        reverse("staffsurvey_partnership:overview", args=[partnership.slug])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 of 1 member schools ran a staff survey" in html
    assert "60%" in html
    assert "appear once at least 5 schools" in html


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_results_page_queries_do_not_grow_with_responses(as_user, school, other_school, leader):
    small = make_survey(school, leader)
    answer_many(small, {"teaching": 5, "support": 5})
    end(small)
    other_leader = UserFactory()
    grant(other_leader, "school_leader", school=other_school)
    large = make_survey(other_school, other_leader)
    answer_many(large, {"teaching": 30, "support": 20, "leadership": 6, "not_stated": 4})
    end(large)
    few = _queries(as_user(leader), reverse("staffsurvey:results", args=[school.urn, small.pk]))
    many = _queries(
        as_user(other_leader), reverse("staffsurvey:results", args=[other_school.urn, large.pk])
    )
    assert few == many


def test_trust_page_queries_do_not_grow_with_schools(as_user, trust, school, leader, trust_staff):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 5})
    end(survey)
    url = reverse("staffsurvey:trust", args=[trust.group_uid])
    client = as_user(trust_staff)
    one = _queries(client, url)
    for n in range(6):
        extra = SchoolFactory(name=f"Trust school {n}", trust=trust)
        extra_leader = UserFactory()
        grant(extra_leader, "school_leader", school=extra)
        s = make_survey(extra, extra_leader)
        answer_many(s, {"teaching": 5})
        end(s)
    assert _queries(client, url) == one
