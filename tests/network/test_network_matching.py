"""Peer matching on a school's results and action plan: only opted-in schools, only Strong
on that question in their latest submitted Well Check, never the school itself, never
another partnership's school; at most three per growth area, with their published practice."""

import pytest
from django.urls import reverse
from network_helpers import member_school, opt_in, question, story, submitted_check

from network import selectors
from wellcheck.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def growing(school, leader):
    """The school's submitted check: Move Well limited (growth), the rest good."""
    return submitted_check(school, ratings={"move_well": "limited"})


def _peers(check, partnership):
    questions = selectors.growth_areas(check)
    matches = selectors.peer_matches(
        school=check.school, partnership=partnership, questions=questions
    )
    return {m.question.key: [p.school.name for p in m.peers] for m in matches}


def test_only_opted_in_strong_schools_of_the_same_partnership(
    growing, partnership, school, outsider
):
    q = question("move_well")
    strong_in, _ = member_school(partnership, "A Strong Opted In", "a@example.org")
    strong_out, _ = member_school(partnership, "B Strong Not Opted In", "b@example.org")
    good_in, _ = member_school(partnership, "C Good Opted In", "c@example.org")
    wrong_pillar, _ = member_school(partnership, "D Strong Opted In Elsewhere", "d@example.org")
    for s in (strong_in, strong_out, wrong_pillar):
        submitted_check(s, ratings={"move_well": "strong"})
    submitted_check(good_in, ratings={"move_well": "good"})
    opt_in(strong_in, "move_well")
    opt_in(good_in, "move_well")
    opt_in(wrong_pillar, "lead_well")
    # Another partnership's school, Strong and opted in: never suggested.
    surrey = outsider.roles.get().school
    submitted_check(surrey, ratings={"move_well": "strong"})
    opt_in(surrey, "move_well")
    # The school itself, were it Strong and opted in, is never its own peer.
    opt_in(school, "move_well")

    assert _peers(growing, partnership)[q.key] == ["A Strong Opted In"]


def test_only_the_latest_submitted_check_counts(growing, partnership):
    q = question("move_well")
    was_strong, _ = member_school(partnership, "Was Strong Primary", "w@example.org")
    now_strong, _ = member_school(partnership, "Now Strong Primary", "n@example.org")
    opt_in(was_strong, "move_well")
    opt_in(now_strong, "move_well")
    year = growing.academic_year
    submitted_check(was_strong, ratings={"move_well": "strong"}, year=year - 1)
    submitted_check(was_strong, ratings={"move_well": "limited"}, year=year)
    submitted_check(now_strong, ratings={"move_well": "limited"}, year=year - 1)
    submitted_check(now_strong, ratings={"move_well": "strong"}, year=year)
    # A Strong check still in progress is not a result yet.
    draft, _ = member_school(partnership, "Draft Strong Primary", "dr@example.org")
    opt_in(draft, "move_well")
    submitted_check(draft, ratings={"move_well": "strong"}, submit=False)
    assert _peers(growing, partnership)[q.key] == ["Now Strong Primary"]


def test_at_most_three_with_their_published_practice(growing, partnership, coordinator):
    q = question("move_well")
    peers = []
    for n in range(5):
        s, lead = member_school(partnership, f"Peer {n} Primary", f"p{n}@example.org")
        opt_in(s, "move_well")
        submitted_check(s, ratings={"move_well": "strong"})
        peers.append((s, lead))
    published = story(*peers[0], title="Our daily mile", questions=[q], publish_by=coordinator)
    story(*peers[0], title="Still a draft", questions=[q])
    matches = selectors.peer_matches(school=growing.school, partnership=partnership, questions=[q])
    assert len(matches[0].peers) == 3
    first = matches[0].peers[0]
    assert first.school == peers[0][0]
    assert first.stories == [published]


def test_lapsed_member_is_not_suggested(growing, partnership):
    q = question("move_well")
    lapsed, _ = member_school(partnership, "Lapsed Primary", "l@example.org")
    lapsed.memberships.update(status="lapsed")
    opt_in(lapsed, "move_well")
    submitted_check(lapsed, ratings={"move_well": "strong"})
    assert _peers(growing, partnership)[q.key] == []


def test_action_plan_questions_are_growth_areas_too(school, leader, partnership):
    check = submitted_check(school)  # all good: no rated growth area
    q = question("lead_well", 1)
    Action.objects.create(
        well_check=check,
        pillar=q.pillar,
        question=q,
        title="Staff voice",
        success_measure="Survey",
        due_date="2099-01-01",
    )
    assert selectors.growth_areas(check) == [q]


def test_results_and_plan_pages_show_peers_and_ask_link(
    as_user, growing, school, leader, partnership, trust_lead
):
    q = question("move_well")
    peer, _ = member_school(partnership, "Strong Peer Primary", "sp@example.org")
    opt_in(peer, "move_well")
    submitted_check(peer, ratings={"move_well": "strong"})
    ask = reverse("network:ask", args=[school.urn, peer.urn, q.pk])
    for name in ("wellcheck:results", "wellcheck:plan"):
        page = as_user(leader).get(reverse(name, args=[school.urn, growing.academic_year]))
        body = page.content.decode()
        assert "Schools to learn from" in body and "Strong Peer Primary" in body
        assert ask in body
    # The trust reads the results and sees the peers, but asks only for its own school.
    body = (
        as_user(trust_lead)
        .get(reverse("wellcheck:results", args=[school.urn, growing.academic_year]))
        .content.decode()
    )
    assert "Strong Peer Primary" in body and ask not in body


def test_peer_panel_query_count_is_constant(as_user, growing, school, leader, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnership.permissions import forget_access

    url = reverse("wellcheck:results", args=[school.urn, growing.academic_year])
    client = as_user(leader)

    def count():
        forget_access(leader)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    # Five submitted checks first, so the results page already shows partnership medians.
    for n in range(4):
        s, _ = member_school(partnership, f"Peer Zero {n}", f"z{n}@example.org")
        opt_in(s, "move_well")
        submitted_check(s, ratings={"move_well": "strong"})
    count()  # warm: one-off lookups (session, caches) out of the way
    small = count()
    for n in range(6):
        s, _ = member_school(partnership, f"Peer More {n}", f"m{n}@example.org")
        opt_in(s, "move_well")
        submitted_check(s, ratings={"move_well": "strong"})
    assert count() == small
