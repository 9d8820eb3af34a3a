"""The persona trio on every Well Check page: allowed, member without the right (403),
outsider (404)."""

import pytest
from django.urls import reverse
from factories import submitted_check

from wellcheck.services import action_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(school, leader):
    return submitted_check(school, leader)


def _pages(wc, action):
    urn, year = wc.school.urn, wc.academic_year
    return {
        "overview": reverse("wellcheck:overview", args=[urn]),
        "check": reverse("wellcheck:check", args=[urn, year]),
        "pillar": reverse("wellcheck:pillar", args=[urn, year, "move_well"]),
        "data": reverse("wellcheck:data", args=[urn, year]),
        "results": reverse("wellcheck:results", args=[urn, year]),
        "plan": reverse("wellcheck:plan", args=[urn, year]),
        "summary": reverse("wellcheck:plan_summary", args=[urn, year]),
        "action": reverse("wellcheck:action", args=[urn, year, action.pk]),
    }


@pytest.fixture
def pages(check, leader):
    from django.utils import timezone

    action = action_create(
        actor=leader,
        well_check=check,
        pillar=check.framework.pillars.first(),
        title="Walking bus",
        success_measure="m",
        due_date=timezone.localdate(),
    )
    return _pages(check, action)


@pytest.mark.parametrize(
    "persona", ["leader", "colleague", "governor", "trust_staff", "coordinator"]
)
def test_school_people_trust_and_coordinator_read_every_page(request, as_user, pages, persona):
    client = as_user(request.getfixturevalue(persona))
    for name, url in pages.items():
        assert client.get(url).status_code == 200, name


def test_another_schools_leader_gets_403_everywhere(as_user, pages, other_leader):
    client = as_user(other_leader)
    for name, url in pages.items():
        assert client.get(url).status_code == 403, name


def test_an_outsider_gets_404_everywhere(as_user, pages, outsider):
    client = as_user(outsider)
    for name, url in pages.items():
        assert client.get(url).status_code == 404, name


@pytest.mark.parametrize(
    "persona,status",
    [
        ("colleague", 403),
        ("trust_staff", 403),
        ("coordinator", 403),
        ("other_leader", 403),
        ("outsider", 404),
    ],
)
def test_only_leaders_change_anything(request, as_user, school, leader, persona, status):
    from wellcheck.models import Answer, Question, WellCheck
    from wellcheck.services import wellcheck_start

    wc = wellcheck_start(actor=leader, school=school)
    question = Question.objects.filter(pillar__framework=wc.framework).first()
    client = as_user(request.getfixturevalue(persona))
    urn, year = school.urn, wc.academic_year
    posts = [
        (
            reverse("wellcheck:answer", args=[urn, year, question.pk]),
            {f"rating_{question.pk}": "good"},
        ),
        (
            reverse("wellcheck:pillar", args=[urn, year, question.pillar.key]),
            {f"rating_{question.pk}": "good"},
        ),
        (reverse("wellcheck:submit", args=[urn, year]), {}),
        (reverse("wellcheck:start", args=[urn]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == status, url
    assert not Answer.objects.exists()
    assert WellCheck.objects.get().status == "in_progress"


def test_trust_scores_trio(as_user, trust, school, trust_staff, leader, outsider):
    url = reverse("wellcheck:trust", args=[trust.group_uid])
    assert as_user(trust_staff).get(url).status_code == 200
    assert as_user(leader).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_partnership_scores_trio(as_user, partnership, school, coordinator, leader, outsider):
    for name in ["scores", "scores_csv"]:
        url = reverse(f"wellcheck_partnership:{name}", args=[partnership.slug])
        assert as_user(coordinator).get(url).status_code == 200
        assert as_user(leader).get(url).status_code == 403
        assert as_user(outsider).get(url).status_code == 404
