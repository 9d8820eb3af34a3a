"""Results, medians, reopening, the action plan, and the trust and partnership views."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory, submitted_check
from wellcheck_helpers import this_year

from wellcheck import selectors, services
from wellcheck.models import Action, Pillar, WellCheck
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


def _results(client, wc):
    return client.get(reverse("wellcheck:results", args=[wc.school.urn, wc.academic_year]))


def test_scores_are_points_as_a_percentage_of_the_maximum(as_user, school, leader):
    wc = submitted_check(
        school,
        leader,
        ratings={
            "well_culture": "strong",
            "lead_well": "good",
            "move_well": "limited",
            "live_well": "not_started",
        },
    )
    outcome = selectors.results(wc)
    assert [(r.pillar.key, r.percent) for r in outcome.pillars] == [
        ("well_culture", 100),
        ("lead_well", 67),
        ("move_well", 33),
        ("live_well", 0),
    ]
    assert outcome.overall == 50
    assert len(outcome.pillars[0].strengths) == 7 and not outcome.pillars[0].growth
    assert len(outcome.pillars[2].growth) == 7 and len(outcome.pillars[3].growth) == 7
    page = _results(as_user(leader), wc).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "Well Culture 100%" in page  # the chart's text alternative
    assert "Not started 0, Limited 1, Good 2, Strong 3" in page  # the method is on the page


def test_change_since_the_previous_check(as_user, school, leader):
    submitted_check(school, leader, year=this_year() - 1, ratings={"move_well": "limited"})
    wc = submitted_check(school, leader, ratings={"move_well": "strong"})
    move = next(r for r in selectors.results(wc).pillars if r.pillar.key == "move_well")
    assert (move.previous, move.percent, move.change) == (33, 100, 67)
    assert "+67 points" in _results(as_user(leader), wc).content.decode()


def test_partnership_medians_need_five_schools(as_user, partnership, school, leader):
    wc = submitted_check(school, leader, ratings={"well_culture": "strong"})
    others = []
    for n in range(3):
        other = SchoolFactory()
        MembershipFactory(partnership=partnership, school=other)
        others.append(other)
        submitted_check(other, leader, ratings={"well_culture": "limited"})
    outcome = selectors.results(wc)
    assert outcome.median_schools == 4 and not outcome.medians_shown
    assert all(r.median is None for r in outcome.pillars)
    page = _results(as_user(leader), wc).content.decode()
    assert "at least five schools" in page
    fifth = SchoolFactory()
    MembershipFactory(partnership=partnership, school=fifth)
    submitted_check(fifth, leader, ratings={"well_culture": "limited"})
    outcome = selectors.results(wc)
    assert outcome.medians_shown and outcome.median_schools == 5
    assert outcome.pillars[0].median == 33  # four schools at 33, one at 100


def test_coordinator_reopens_with_a_reason(as_user, on_commit, school, leader, coordinator):
    wc = submitted_check(school, leader)
    url = reverse("wellcheck:reopen", args=[school.urn, wc.academic_year])
    response = as_user(coordinator).post(url, {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["reopen_form"].errors
    with on_commit():
        response = as_user(coordinator).post(
            url, {"reason": "Move Well answers were for last year."}
        )
    wc.refresh_from_db()
    assert wc.status == WellCheck.Status.IN_PROGRESS and wc.submitted_at is None
    assert wc.history.last().comment == "Move Well answers were for last year."
    assert AuditEvent.objects.filter(
        action="wellcheck.reopened", data__reason__startswith="Move Well"
    ).exists()
    assert mail.outbox[-1].to == [leader.email] and "reopened" in mail.outbox[-1].subject


def test_reopen_trio(as_user, school, leader, colleague, outsider, coordinator):
    wc = submitted_check(school, leader)
    url = reverse("wellcheck:reopen", args=[school.urn, wc.academic_year])
    assert as_user(leader).post(url, {"reason": "x"}).status_code == 403
    assert as_user(colleague).post(url, {"reason": "x"}).status_code == 403
    assert as_user(outsider).post(url, {"reason": "x"}).status_code == 404
    wc.refresh_from_db()
    assert wc.is_submitted


def _plan_url(wc):
    return reverse("wellcheck:plan", args=[wc.school.urn, wc.academic_year])


def test_a_growth_area_becomes_an_action(as_user, school, leader, colleague):
    wc = submitted_check(school, leader, ratings={"live_well": "limited"})
    client = as_user(leader)
    page = _results(client, wc).content.decode()
    assert "Make this a priority" in page
    question = wc.framework.pillars.get(key="live_well").questions.first()
    form_page = client.get(_plan_url(wc), {"question": question.pk})
    assert form_page.context["form"].initial["title"] == question.text
    due = timezone.localdate() + timedelta(days=10)
    response = client.post(
        _plan_url(wc),
        {
            "pillar": question.pillar.pk,
            "question": question.pk,
            "title": "Cooking club for Year 5",
            "owner": colleague.pk,
            "success_measure": "Half of Year 5 attend",
            "due_date": due.isoformat(),
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.owner, action.question, action.is_due_soon, action.is_overdue) == (
        colleague,
        question,
        True,
        False,
    )
    plan_page = client.get(_plan_url(wc)).content.decode()
    assert "Due within 14 days" in plan_page
    assert "in the plan" in _results(client, wc).content.decode()


def test_action_form_errors_keep_what_was_typed(as_user, school, leader, outsider):
    wc = submitted_check(school, leader)
    pillar = wc.framework.pillars.first()
    response = as_user(leader).post(
        _plan_url(wc),
        {
            "pillar": pillar.pk,
            "title": "Walking bus",
            "success_measure": "",
            "due_date": "31/02/2027",
            "status": "not_started",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "success_measure" in form.errors and "due_date" in form.errors
    assert 'value="Walking bus"' in response.content.decode()
    assert not Action.objects.exists()


def test_at_most_three_priorities_per_pillar(school, leader):
    wc = submitted_check(school, leader)
    pillar = wc.framework.pillars.first()
    due = timezone.localdate() + timedelta(days=60)
    for n in range(3):
        services.action_create(
            actor=leader,
            well_check=wc,
            pillar=pillar,
            title=f"Action {n}",
            success_measure="m",
            due_date=due,
        )
    with pytest.raises(services.WellCheckError, match="already has 3 priorities"):
        services.action_create(
            actor=leader,
            well_check=wc,
            pillar=pillar,
            title="Fourth",
            success_measure="m",
            due_date=due,
        )


def test_the_owner_must_be_at_the_school(school, leader, other_leader):
    wc = submitted_check(school, leader)
    with pytest.raises(services.WellCheckError, match="someone at the school"):
        services.action_create(
            actor=leader,
            well_check=wc,
            pillar=wc.framework.pillars.first(),
            title="x",
            success_measure="m",
            due_date=timezone.localdate(),
            owner=other_leader,
        )


def test_progress_updates_and_overdue_flag(as_user, school, leader, governor):
    wc = submitted_check(school, leader)
    action = services.action_create(
        actor=leader,
        well_check=wc,
        pillar=wc.framework.pillars.first(),
        title="Staff survey",
        success_measure="80% respond",
        due_date=timezone.localdate() - timedelta(days=1),
    )
    url = reverse("wellcheck:action", args=[school.urn, wc.academic_year, action.pk])
    as_user(leader).post(
        url, {"on": timezone.localdate().isoformat(), "note": "Survey sent to all staff"}
    )
    assert action.updates.get().note == "Survey sent to all staff"
    summary = as_user(governor).get(
        reverse("wellcheck:plan_summary", args=[school.urn, wc.academic_year])
    )
    assert "Staff survey" in summary.content.decode() and "Overdue" in summary.content.decode()
    # Governors read but cannot change.
    assert as_user(governor).post(url, {"on": "2026-01-01", "note": "x"}).status_code == 403
    assert action.updates.count() == 1


def _build_trust_schools(trust, partnership, leader, count):
    for n in range(count):
        school = SchoolFactory(trust=trust)
        MembershipFactory(partnership=partnership, school=school)
        if n % 2:
            submitted_check(school, leader)
        else:
            WellCheck.objects.create(
                school=school, academic_year=this_year(), framework=selectors.framework_current()
            )


def test_trust_table_shows_each_school_and_who_has_not_submitted(
    as_user, trust, school, school_b, trust_staff, leader
):
    submitted_check(school, leader, ratings={"move_well": "strong"})
    not_started = SchoolFactory(trust=trust, name="Aardvark Primary")
    home = as_user(trust_staff).get(trust.get_absolute_url()).content.decode()
    # The trust's home page summarises; the table has its own page.
    assert "Well Check across the trust" in home
    # The trust's own people see all its schools, the academy in partnership B too.
    assert "1 of the trust's 3 schools submitted, 0 in progress, 2 not started" in home
    page = as_user(trust_staff).get(reverse("wellcheck:trust", args=[trust.group_uid]))
    page = page.content.decode()
    assert "Aardvark Primary" in page and "Not started" in page
    assert '100% <span class="small">(Strong)</span>' in page  # text label, not colour alone
    rows = selectors.school_rows(schools=trust.schools.all(), year=this_year())
    assert {r.school.name: r.status for r in rows} == {
        school.name: "submitted",
        not_started.name: "not_started",
        school_b.name: "not_started",  # the trust's academy in partnership B
    }


@pytest.mark.parametrize("view", ["trust", "partnership"])
def test_score_tables_have_a_fixed_query_budget(
    as_user, trust, partnership, leader, coordinator, trust_staff, view
):
    if view == "trust":
        client, url = as_user(trust_staff), reverse("wellcheck:trust", args=[trust.group_uid])
    else:
        client, url = (
            as_user(coordinator),
            reverse("wellcheck_partnership:scores", args=[partnership.slug]),
        )
    _build_trust_schools(trust, partnership, leader, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _build_trust_schools(trust, partnership, leader, 45)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["rows"]) >= 50
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_partnership_scores_filter_and_csv(
    as_user, partnership, trust, school, other_school, leader, coordinator
):
    submitted_check(school, leader, ratings={"well_culture": "strong"})
    client = as_user(coordinator)
    url = reverse("wellcheck_partnership:scores", args=[partnership.slug])
    in_trust = client.get(url, {"trust": trust.pk}).context["rows"]
    assert [r.school for r in in_trust] == [school]
    response = client.get(reverse("wellcheck_partnership:scores_csv", args=[partnership.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-5:] == ["Well Culture", "Lead Well", "Move Well", "Live Well", "Overall"]
    by_urn = {row[0]: row for row in rows[1:]}
    assert by_urn[str(school.urn)][-5:] == ["100", "67", "67", "67", "75"]
    assert by_urn[str(other_school.urn)][4] == "not started"


def test_published_framework_is_loaded_with_four_pillars():
    from wellcheck.framework import framework_problems

    framework = selectors.framework_current()
    assert framework.is_published
    assert list(Pillar.objects.filter(framework=framework).values_list("key", flat=True)) == [
        "well_culture",
        "lead_well",
        "move_well",
        "live_well",
    ]
    assert framework.data_questions.count() == 5
    assert framework_problems(framework) == []


def test_a_new_version_is_drafted_then_published_and_old_checks_keep_theirs(school, leader):
    from wellcheck.framework import framework_draft_from, framework_publish
    from wellschools.errors import DomainError

    old = selectors.framework_current()
    wc = services.wellcheck_start(actor=leader, school=school)
    draft = framework_draft_from(actor=None, version=old)
    assert draft.number == old.number + 1 and not draft.is_published
    assert selectors.framework_current() == old  # drafts are invisible
    framework_publish(actor=None, version=draft)
    with pytest.raises(DomainError, match="already published"):
        framework_publish(actor=None, version=draft)
    assert selectors.framework_current() == draft
    wc.refresh_from_db()
    assert wc.framework == old


def test_publishing_refuses_a_malformed_draft():
    from wellcheck.framework import framework_draft_from, framework_publish
    from wellschools.errors import DomainError

    draft = framework_draft_from(actor=None, version=selectors.framework_current())
    draft.pillars.get(key="move_well").questions.all()[0].delete()
    for q in list(draft.pillars.get(key="move_well").questions.all())[:1]:
        q.delete()
    with pytest.raises(DomainError, match="Move Well has 5 questions"):
        framework_publish(actor=None, version=draft)


def test_admin_publishes_a_draft_and_cannot_edit_a_published_version(client):
    from conftest import enrol_totp
    from factories import UserFactory

    from wellcheck.models import FrameworkVersion

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin_user)
    client.force_login(admin_user)
    published = selectors.framework_current()
    changelist = reverse("admin:wellcheck_frameworkversion_changelist")
    client.post(changelist, {"action": "copy_into_draft", "_selected_action": [published.pk]})
    draft = FrameworkVersion.objects.get(status="draft")
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published
    response = client.post(
        reverse("admin:wellcheck_frameworkversion_change", args=[published.pk]),
        {"title": "Changed"},
    )
    assert response.status_code in (302, 403) or "Changed" not in response.content.decode()
    published.refresh_from_db()
    assert published.title != "Changed"


def test_suggested_priorities_are_at_most_three_per_pillar(as_user, school, leader):
    wc = submitted_check(school, leader, ratings={"move_well": "limited"})
    move = next(r for r in selectors.results(wc).pillars if r.pillar.key == "move_well")
    assert len(move.growth) == 7 and len(move.suggestions) == 3
    page = _results(as_user(leader), wc).content.decode()
    assert page.count("Make this a priority") == 3
