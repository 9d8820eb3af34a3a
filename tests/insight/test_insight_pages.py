"""Insight pages: who may open them, what they show, the five-school threshold, and the
member list's filters and CSV."""

import csv
import io

import pytest
from django.urls import reverse
from factories import TrustFactory, submitted_check
from insight_helpers import member_with_leader, submitted_members

from wellcheck.models import Question
from wellcheck.selectors import framework_current

pytestmark = pytest.mark.django_db

PARTNERSHIP_PAGES = [
    "insight:overview",
    "insight:pillars",
    "insight:questions",
    "insight:trends",
    "insight:schools",
    "insight:schools_csv",
    "insight:nudges",
    "insight:report",
    "insight:report_csv",
]


def _weak_question():
    return Question.objects.filter(
        pillar__framework=framework_current(), pillar__key="move_well"
    ).first()


def _url(name, partnership):
    if name == "insight:question_invite":
        return reverse(name, args=[partnership.slug, _weak_question().pk])
    return reverse(name, args=[partnership.slug])


@pytest.mark.parametrize("name", [*PARTNERSHIP_PAGES, "insight:question_invite"])
def test_partnership_pages_persona_trio(
    name, as_user, partnership, school, leader, coordinator, coordinator_b, leader_b, trust_staff
):
    url = _url(name, partnership)
    assert as_user(coordinator).get(url).status_code == 200
    assert as_user(leader).get(url).status_code == 403
    assert as_user(trust_staff).get(url).status_code == 403
    for outsider in (coordinator_b, leader_b):
        assert as_user(outsider).get(url).status_code == 404


def test_trust_page_persona_trio_and_tenancy(
    as_user,
    partnership,
    partnership_b,
    trust,
    school,
    school_b,
    leader,
    trust_staff,
    coordinator,
    coordinator_b,
    trust_staff_b,
):
    """The trust spans A and B: its staff see all its schools; A's coordinator only A's."""
    for n in range(5):
        member, head = member_with_leader(partnership, name=f"Trust A School {n}", trust=trust)
        submitted_check(member, head)
    url = reverse("insight_trust:overview", args=[trust.group_uid])
    staff_page = as_user(trust_staff).get(url)
    assert staff_page.status_code == 200
    assert staff_page.context["funnel"].members == 7  # school, school_b and five more
    coordinator_page = as_user(coordinator).get(url)
    assert coordinator_page.context["funnel"].members == 6  # not B's school_b
    assert as_user(leader).get(url).status_code == 403
    # A trust with schools only in A: B's people are outsiders (404).
    only_a = TrustFactory(name="Thames Only Trust")
    member_with_leader(partnership, name="Thames School", trust=only_a)
    only_a_url = reverse("insight_trust:overview", args=[only_a.group_uid])
    for outsider in (coordinator_b, trust_staff_b):
        assert as_user(outsider).get(only_a_url).status_code == 404
    assert as_user(coordinator).get(only_a_url).status_code == 200


def test_overview_funnel_counts_and_percentages(as_user, partnership, coordinator):
    submitted_members(partnership, 3)
    for n in range(2):
        member_with_leader(partnership, name=f"Waiting School {n}")
    page = as_user(coordinator).get(reverse("insight:overview", args=[partnership.slug]))
    funnel = page.context["funnel"]
    assert (funnel.members, funnel.submitted, funnel.not_started) == (5, 3, 2)
    assert funnel.wellcheck_rows[2] == ("Submitted", 3, 60)
    body = page.content.decode()
    assert "<svg" in body and "60%" in body
    assert "Remind every school that has not started" in body


def test_fewer_than_five_schools_show_counts_only(as_user, partnership, coordinator):
    submitted_members(partnership, 4)
    client = as_user(coordinator)
    overview = client.get(reverse("insight:overview", args=[partnership.slug]))
    assert not overview.context["funnel"].shown
    assert "wellcheck_chart" not in overview.context
    assert "only counts are shown" in overview.content.decode()
    pillars = client.get(reverse("insight:pillars", args=[partnership.slug]))
    assert all(r.this_year is None for r in pillars.context["pillar_rows"])
    assert pillars.context["chart"] == ""
    questions = client.get(reverse("insight:questions", args=[partnership.slug]))
    assert questions.context["question_rows"] == []


def test_a_filter_narrower_than_five_shows_counts_only(as_user, partnership, coordinator):
    submitted_members(partnership, 5)
    member_with_leader(partnership, name="Lone Secondary", phase="Secondary")
    client = as_user(coordinator)
    url = reverse("insight:overview", args=[partnership.slug])
    assert client.get(url).context["funnel"].shown
    narrow = client.get(url, {"phase": "Secondary"})
    assert narrow.context["funnel"].members == 1
    assert not narrow.context["funnel"].shown
    assert "%" not in "".join(
        str(pct) for _l, _n, pct in narrow.context["funnel"].wellcheck_rows if pct is not None
    )


def test_pillar_spread_and_heatmap_weakest_first(as_user, partnership, coordinator):
    submitted_members(
        partnership, 6, ratings=lambda n: {"move_well": "limited" if n < 4 else "strong"}
    )
    client = as_user(coordinator)
    pillars = client.get(reverse("insight:pillars", args=[partnership.slug])).context["pillar_rows"]
    move = next(r for r in pillars if r.key == "move_well")
    good = next(r for r in pillars if r.key == "well_culture")
    assert move.this_year.schools == 6
    assert move.this_year.low == pytest.approx(33.0, abs=1)  # every answer Limited
    assert move.this_year.high == 100
    assert good.this_year.median == pytest.approx(67.0, abs=1)
    rows = client.get(reverse("insight:questions", args=[partnership.slug])).context[
        "question_rows"
    ]
    assert rows[0].question.pillar.key == "move_well"
    assert rows[0].weak_share == 67
    assert rows[-1].weak_share == 0


def test_invalid_filters_are_a_form_error_not_a_500(as_user, partnership, coordinator):
    page = as_user(coordinator).get(
        reverse("insight:schools", args=[partnership.slug]), {"trust": "x", "sort": "nope"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors


def test_member_list_filters_sorts_and_csv_is_what_is_filtered(as_user, partnership, coordinator):
    submitted_members(
        partnership, 3, ratings=lambda n: {"move_well": ["limited", "good", "strong"][n]}
    )
    member_with_leader(partnership, name="Aardvark Not Started")
    client = as_user(coordinator)
    url = reverse("insight:schools", args=[partnership.slug])
    page = client.get(url, {"sort": "overall", "order": "desc"})
    rows = list(page.context["member_rows"])
    assert [r.name for r in rows][:3] == ["Member School 2", "Member School 1", "Member School 0"]
    assert rows[-1].name == "Aardvark Not Started" and rows[-1].overall is None
    filtered = client.get(url, {"wellcheck": "not_started"})
    assert [r.name for r in filtered.context["member_rows"]] == ["Aardvark Not Started"]
    response = client.get(
        reverse("insight:schools_csv", args=[partnership.slug]), {"wellcheck": "submitted"}
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [line[1] for line in lines[1:]] == [
        "Member School 0",
        "Member School 1",
        "Member School 2",
    ]
    assert lines[1][5] == "submitted"


def test_report_csv_has_the_numbers(as_user, partnership, coordinator):
    submitted_members(partnership, 5)
    response = as_user(coordinator).get(reverse("insight:report_csv", args=[partnership.slug]))
    rows = {
        line[0]: line[1]
        for line in csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    }
    assert rows["Member schools"] == "5"
    assert rows["Well Check submitted"] == "5"
    assert rows["Well Check completion (%)"] == "100"


def test_event_create_is_prefilled_from_a_question(as_user, partnership, coordinator):
    question = _weak_question()
    invite = as_user(coordinator).get(
        reverse("insight:question_invite", args=[partnership.slug, question.pk])
    )
    link = (
        reverse("events_manage:create", args=[partnership.slug])
        + "?"
        + invite.context["event_query"]
    )
    form = as_user(coordinator).get(link).context["form"]
    assert question.text in form.initial["title"]
    assert question.pillar.name in form.initial["description"]


def test_coordinator_navigation_and_trust_page_link(
    as_user, partnership, trust, school, coordinator, trust_staff
):
    home = as_user(coordinator).get(reverse("partnership:home", args=[partnership.slug]))
    assert reverse("insight:overview", args=[partnership.slug]) in home.content.decode()
    trust_home = as_user(trust_staff).get(reverse("trust_detail", args=[trust.group_uid]))
    assert reverse("insight_trust:overview", args=[trust.group_uid]) in trust_home.content.decode()
