"""The persona trio on every leader, trust and coordinator page (two partnerships in the
world: `outsider` leads a school in Surrey): allowed, member without the right 403,
outsider 404."""

import pytest
from django.urls import reverse
from survey_helpers import answer_many, end, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(school, leader):
    return make_survey(school, leader)


@pytest.fixture
def closed_survey(school, leader):
    survey = make_survey(school, leader, title="Last term", staff_count=8)
    answer_many(survey, {"teaching": 5})
    end(survey)
    return survey


def _leader_pages(survey):
    urn = survey.school.urn
    return {
        "create": reverse("staffsurvey:create", args=[urn]),
        "edit": reverse("staffsurvey:edit", args=[urn, survey.pk]),
        "invite": reverse("staffsurvey:invite", args=[urn, survey.pk]),
        "close": reverse("staffsurvey:close", args=[urn, survey.pk]),
        "qr": reverse("staffsurvey:qr", args=[urn, survey.pk]),
    }


def _reader_pages(survey):
    urn = survey.school.urn
    return {
        "overview": reverse("staffsurvey:overview", args=[urn]),
        "detail": reverse("staffsurvey:detail", args=[urn, survey.pk]),
        "results": reverse("staffsurvey:results", args=[urn, survey.pk]),
    }


def test_the_leader_opens_every_page(as_user, survey, leader):
    client = as_user(leader)
    for name, url in {**_leader_pages(survey), **_reader_pages(survey)}.items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", ["colleague", "governor", "trust_staff", "coordinator"])
def test_readers_open_the_reading_pages_but_not_the_leaders(request, as_user, survey, persona):
    client = as_user(request.getfixturevalue(persona))
    for name, url in _reader_pages(survey).items():
        assert client.get(url).status_code == 200, (persona, name)
    for name, url in _leader_pages(survey).items():
        assert client.get(url).status_code == 403, (persona, name)


def test_another_schools_leader_gets_403_everywhere(as_user, survey, other_leader):
    client = as_user(other_leader)
    for name, url in {**_leader_pages(survey), **_reader_pages(survey)}.items():
        assert client.get(url).status_code == 403, name


def test_an_outsider_gets_404_everywhere(as_user, survey, outsider):
    client = as_user(outsider)
    for name, url in {**_leader_pages(survey), **_reader_pages(survey)}.items():
        assert client.get(url).status_code == 404, name


def test_a_survey_of_another_school_is_404_under_this_school(as_user, survey, other_school, leader):
    url = reverse("staffsurvey:detail", args=[other_school.urn, survey.pk])
    assert as_user(leader).get(url).status_code == 403  # not their school, same partnership
    assert (
        as_user(leader)
        .get(reverse("staffsurvey:detail", args=[survey.school.urn, 99999]))
        .status_code
        == 404
    )


def test_posting_actions_follow_the_same_rules(as_user, closed_survey, leader, colleague, outsider):
    urn = closed_survey.school.urn
    poster = reverse("staffsurvey:poster", args=[urn, closed_survey.pk])
    report = reverse("staffsurvey:report", args=[urn, closed_survey.pk])
    assert as_user(colleague).post(poster).status_code == 403
    assert as_user(outsider).post(poster).status_code == 404
    assert as_user(outsider).post(report).status_code == 404
    assert as_user(colleague).post(report).status_code == 302  # figures only: school people
    assert as_user(colleague).post(report, {"with_comments": "1"}).status_code == 403


def test_trust_page_trio(as_user, trust, trust_staff, coordinator, other_leader, outsider, school):
    url = reverse("staffsurvey:trust", args=[trust.group_uid])
    assert as_user(trust_staff).get(url).status_code == 200
    assert as_user(coordinator).get(url).status_code == 200
    assert as_user(other_leader).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_partnership_page_trio(as_user, partnership, coordinator, leader, outsider):
    url = reverse("staffsurvey_partnership:overview", args=[partnership.slug])
    assert as_user(coordinator).get(url).status_code == 200
    assert as_user(leader).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_a_coordinator_of_the_other_partnership_is_an_outsider(as_user, survey, partnership):
    from conftest import enrol_totp
    from factories import PartnershipFactory, UserFactory, grant

    somerset = PartnershipFactory(name="Somerset Well Schools", slug="somerset", la_codes=["933"])
    other = UserFactory(email="somerset.coordinator@example.org")
    grant(other, "coordinator", partnership=somerset)
    enrol_totp(other)
    client = as_user(other)
    for name, url in _reader_pages(survey).items():
        assert client.get(url).status_code == 404, name
    url = reverse("staffsurvey_partnership:overview", args=[partnership.slug])
    assert client.get(url).status_code == 404


def test_a_coordinator_sees_only_their_partnerships_schools_of_a_spanning_trust(
    as_user, trust, school, leader, coordinator, trust_staff
):
    from factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory, grant
    from survey_helpers import answer_many, end, make_survey

    somerset = PartnershipFactory(name="Somerset Well Schools", slug="somerset", la_codes=["933"])
    far = SchoolFactory(name="Somerset Levels Academy", trust=trust, la_code="933")
    MembershipFactory(partnership=somerset, school=far)
    far_leader = UserFactory()
    grant(far_leader, "school_leader", school=far)
    for s, person in ((school, leader), (far, far_leader)):
        survey = make_survey(s, person)
        answer_many(survey, {"teaching": 5})
        end(survey)
    url = reverse("staffsurvey:trust", args=[trust.group_uid])
    seen_by_coordinator = as_user(coordinator).get(url).content.decode()
    assert school.name in seen_by_coordinator and far.name not in seen_by_coordinator
    seen_by_trust = as_user(trust_staff).get(url).content.decode()
    assert school.name in seen_by_trust and far.name in seen_by_trust
