"""Reminders (nudges) and invitations from a weak question: who receives them, what they
say (read from the outbox), that they are recorded, and that a school is reminded once
in seven days even when two coordinators press the button at once."""

from datetime import timedelta

import pytest
from concurrency import run_together
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory, grant, submitted_check
from insight_helpers import member_with_leader, submitted_members

from insight.models import Nudge, NudgeClaim, QuestionInvite
from insight.services import nudge_send
from partnership.models import Role
from wellcheck.models import Question, WellCheck, academic_year_of
from wellcheck.selectors import framework_current
from wellcheck.services import wellcheck_start
from wellschools.models import EmailMessage


def _year():
    return academic_year_of(timezone.localdate())


@pytest.mark.django_db
def test_preview_shows_exactly_what_the_leaders_receive_and_sending_records_it(
    as_user, partnership, coordinator
):
    waiting, head = member_with_leader(partnership, name="Waiting Primary School")
    submitted_members(partnership, 1)
    client = as_user(coordinator)
    url = reverse("insight:nudges", args=[partnership.slug])
    page = client.get(url, {"reason": "not_started"})
    assert [s.name for s in page.context["listed"]] == ["Waiting Primary School"]
    preview = page.context["preview"]
    assert preview["recipients"] == [head.email]
    assert "Waiting Primary School has not started its Well Check" in preview["text"]

    response = client.post(url, {"reason": "not_started"})
    assert response.status_code == 302
    sent = EmailMessage.objects.filter(kind="insight_nudge")
    assert [m.recipient for m in sent] == [head.email]
    assert sent[0].subject == preview["subject"]
    assert sent[0].body_text.startswith(preview["text"].strip()[:200])
    nudge = Nudge.objects.get()
    assert (nudge.school, nudge.reason, nudge.sent_by, nudge.recipients) == (
        waiting,
        "not_started",
        coordinator,
        1,
    )

    # Pressed again (or a double click): nothing more is sent within seven days.
    client.post(url, {"reason": "not_started"})
    assert EmailMessage.objects.filter(kind="insight_nudge").count() == 1
    assert Nudge.objects.count() == 1
    again = client.get(url, {"reason": "not_started"})
    assert again.context["counts"]["recent"] == 1
    assert again.context["counts"]["ready"] == 0

    # Eight days later it can be reminded again.
    NudgeClaim.objects.update(last_sent_at=timezone.now() - timedelta(days=8))
    client.post(url, {"reason": "not_started"})
    assert EmailMessage.objects.filter(kind="insight_nudge").count() == 2


@pytest.mark.django_db
def test_each_reason_selects_its_schools(partnership, coordinator):
    year = _year()
    idle, idle_head = member_with_leader(partnership, name="Idle School")
    check = wellcheck_start(actor=idle_head, school=idle)
    WellCheck.objects.filter(pk=check.pk).update(
        last_activity_at=timezone.now() - timedelta(days=15)
    )
    busy, busy_head = member_with_leader(partnership, name="Busy School")
    wellcheck_start(actor=busy_head, school=busy)
    nudge_send(actor=coordinator, partnership=partnership, reason="idle", year=year)
    emails = EmailMessage.objects.filter(kind="insight_nudge")
    assert [m.recipient for m in emails] == [idle_head.email]
    assert "nobody has worked on it since" in emails[0].body_text


@pytest.mark.django_db
def test_a_school_without_a_leader_is_left_out(partnership, coordinator, school):
    Role.objects.filter(school=school).delete()
    result = nudge_send(
        actor=coordinator, partnership=partnership, reason="not_started", year=_year()
    )
    assert result["sent"] == 0
    assert not EmailMessage.objects.filter(kind="insight_nudge").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_at_once_remind_a_school_once(partnership, coordinator):
    school, head = member_with_leader(partnership, name="Race Primary School")
    second = UserFactory(email="second.coordinator@example.org")
    grant(second, Role.Kind.COORDINATOR, partnership=partnership)
    year = _year()

    def send(actor):
        return lambda: nudge_send(
            actor=actor, partnership=partnership, reason="not_started", year=year
        )

    outcomes = run_together(send(coordinator), send(second))
    assert sorted(value["sent"] for _kind, value in outcomes) == [0, 1], outcomes
    assert EmailMessage.objects.filter(kind="insight_nudge", recipient=head.email).count() == 1
    assert Nudge.objects.filter(school=school).count() == 1


@pytest.mark.django_db
def test_invite_exactly_the_schools_that_rated_a_question_weak(as_user, partnership, coordinator):
    weak = submitted_members(
        partnership, 3, ratings=lambda n: {"move_well": ["not_started", "limited", "good"][n]}
    )
    question = Question.objects.filter(
        pillar__framework=framework_current(), pillar__key="move_well"
    ).first()
    client = as_user(coordinator)
    url = reverse("insight:question_invite", args=[partnership.slug, question.pk])
    page = client.get(url)
    assert [s.name for s in page.context["schools"]] == ["Member School 0", "Member School 1"]
    response = client.post(url, {"event": "", "note": "We can help."})
    assert response.status_code == 302
    invite = QuestionInvite.objects.get()
    assert sorted(invite.school_ids) == sorted([weak[0].pk, weak[1].pk])
    emails = EmailMessage.objects.filter(kind="insight_question_invite")
    assert emails.count() == 2
    assert all(question.text in m.body_text and "We can help." in m.body_text for m in emails)
    assert "Member School 2" not in "".join(m.body_text for m in emails)


@pytest.mark.django_db
def test_invite_with_a_malformed_event_is_a_form_error(as_user, partnership, coordinator, school):
    submitted_check(school, ratings={"move_well": "limited"})
    question = Question.objects.filter(
        pillar__framework=framework_current(), pillar__key="move_well"
    ).first()
    url = reverse("insight:question_invite", args=[partnership.slug, question.pk])
    response = as_user(coordinator).post(url, {"event": "abc"})
    assert response.status_code == 400
    assert response.context["form"].errors["event"]
    assert not QuestionInvite.objects.exists()
