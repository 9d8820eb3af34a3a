"""Races that matter, for real on PostgreSQL with two connections: two coordinators
deciding the same story at once (one decision, one history row), and two colleagues
replying to the same question at once (one reply, one email)."""

import pytest
from concurrency import run_together
from factories import UserFactory, grant
from network_helpers import (
    opt_in,
    question,
    story,
    strong_school,
    submitted_check,
)

from network import services
from network.models import ContactRequest, PracticeStory
from network.services import NetworkError
from partnership.permissions import forget_access
from wellschools.models import EmailMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_coordinators_decide_one_story_once(school, leader, coordinator, partnership):
    written = story(school, leader)
    services.story_submit(actor=leader, story=written)
    second = UserFactory(email="second.coordinator@example.org")
    grant(second, "coordinator", partnership=partnership)

    def publish():
        forget_access(coordinator)
        return services.story_publish(actor=coordinator, story=written)

    def send_back():
        forget_access(second)
        return services.story_return(actor=second, story=written, comment="Shorter, please")

    outcomes = run_together(publish, send_back)
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    assert all(isinstance(v, NetworkError) for k, v in outcomes if k == "error")
    written.refresh_from_db()
    moves = list(written.history.filter(from_status="submitted"))
    assert len(moves) == 1 and moves[0].to_status == written.status
    assert EmailMessage.objects.filter(kind="network_story_moderated").count() == 1


def test_two_colleagues_reply_once(school, leader, partnership):
    strong, strong_leader = strong_school(partnership)
    opt_in(strong, "move_well")
    submitted_check(strong, ratings={"move_well": "strong"})
    colleague = UserFactory(email="strong.colleague@example.org")
    grant(colleague, "school_staff", school=strong)
    sent = services.contact_request_send(
        actor=leader,
        from_school=school,
        to_school=strong,
        question=question("move_well"),
        message="How?",
    )

    def reply(person, text):
        def call():
            forget_access(person)
            return services.contact_request_reply(actor=person, request=sent, reply=text)

        return call

    outcomes = run_together(reply(strong_leader, "Leader"), reply(colleague, "Colleague"))
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    sent = ContactRequest.objects.get()
    assert sent.reply in {"Leader", "Colleague"}
    assert EmailMessage.objects.filter(kind="network_contact_reply").count() == 1
    assert PracticeStory.objects.count() == 0
