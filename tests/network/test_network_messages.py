"""“Ask this school”: relayed through the platform; no address of either side is revealed
before the receiving school replies; the opt-in can be turned off at any time."""

import pytest
from django.urls import reverse
from network_helpers import opt_in, question, strong_school, submitted_check

from network import services
from network.models import ContactRequest
from network.services import NetworkError
from partnership.permissions import forget_access
from wellschools.models import EmailMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer(partnership):
    strong, strong_leader = strong_school(partnership)
    opt_in(strong, "move_well")
    submitted_check(strong, ratings={"move_well": "strong"})
    return strong, strong_leader


def test_relayed_message_reveals_no_address_until_the_reply(
    as_user, school, leader, peer, on_commit
):
    strong, strong_leader = peer
    q = question("move_well")
    url = reverse("network:ask", args=[school.urn, strong.urn, q.pk])
    client = as_user(leader)
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "How do you fit the daily mile in?"})
    sent = ContactRequest.objects.get()
    assert response.status_code == 302 and response.url == sent.get_absolute_url()

    relayed_all = EmailMessage.objects.filter(kind="network_contact_request")
    assert strong_leader.email in {m.recipient for m in relayed_all}
    for message in relayed_all:
        assert leader.email not in message.body_text + message.body_html + message.subject
    relayed = relayed_all.get(recipient=strong_leader.email)
    assert "How do you fit the daily mile in?" in relayed.body_text
    assert sent.get_absolute_url() in relayed.body_text

    # The receiving school reads it on the platform: no address of the asker yet.
    forget_access(strong_leader)
    page = as_user(strong_leader).get(sent.get_absolute_url()).content.decode()
    assert leader.email not in page
    # Nor the asker's page: no address of the school asked.
    forget_access(leader)
    page = as_user(leader).get(sent.get_absolute_url()).content.decode()
    assert strong_leader.email not in page

    forget_access(strong_leader)
    response = as_user(strong_leader).post(
        sent.get_absolute_url(), {"reply": "At 2pm, after lunch. Call me."}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.is_replied and sent.replied_by == strong_leader
    reply = EmailMessage.objects.get(kind="network_contact_reply")
    assert reply.recipient == leader.email
    assert strong_leader.email in reply.body_text
    page = as_user(strong_leader).get(sent.get_absolute_url()).content.decode()
    assert leader.email in page


def test_reply_is_given_once(school, leader, peer):
    strong, strong_leader = peer
    sent = services.contact_request_send(
        actor=leader,
        from_school=school,
        to_school=strong,
        question=question("move_well"),
        message="Hello",
    )
    forget_access(strong_leader)
    services.contact_request_reply(actor=strong_leader, request=sent, reply="Hi")
    with pytest.raises(NetworkError):
        services.contact_request_reply(actor=strong_leader, request=sent, reply="Again")
    sent.refresh_from_db()
    assert sent.reply == "Hi"


def test_cannot_ask_a_school_that_opted_out(as_user, school, leader, peer):
    strong, strong_leader = peer
    q = question("move_well")
    forget_access(strong_leader)
    services.opt_in_set(actor=strong_leader, school=strong, pillar_keys=set())
    with pytest.raises(NetworkError):
        services.contact_request_send(
            actor=leader, from_school=school, to_school=strong, question=q, message="Hi"
        )
    url = reverse("network:ask", args=[school.urn, strong.urn, q.pk])
    assert as_user(leader).get(url).status_code == 404
    assert not ContactRequest.objects.exists()


def test_cannot_ask_oneself_or_another_partnerships_school(school, leader, outsider):
    q = question("move_well")
    opt_in(school, "move_well")
    submitted_check(school, ratings={"move_well": "strong"})
    with pytest.raises(NetworkError):
        services.contact_request_send(
            actor=leader, from_school=school, to_school=school, question=q, message="Hi"
        )
    surrey = outsider.roles.get().school
    opt_in(surrey, "move_well")
    submitted_check(surrey, ratings={"move_well": "strong"})
    with pytest.raises(NetworkError):
        services.contact_request_send(
            actor=leader, from_school=school, to_school=surrey, question=q, message="Hi"
        )
    assert not ContactRequest.objects.exists()


def test_empty_message_is_a_form_error(as_user, school, leader, peer):
    strong, _ = peer
    url = reverse("network:ask", args=[school.urn, strong.urn, question("move_well").pk])
    response = as_user(leader).post(url, {"message": "  "})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ContactRequest.objects.exists()
