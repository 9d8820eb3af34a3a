"""Waiting invitations: one per address and place, cancelled or sent again from the people
list; removing a person asks first and says what will happen."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnership import services
from partnership.models import Invitation, Role
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db
K = Role.Kind


def _invite(client, on_commit, school, email, kind=K.SCHOOL_STAFF):
    with on_commit():
        return client.post(
            reverse("school_invite", args=[school.urn]), {"email": email, "kind": kind}
        )


def _links() -> list[str]:
    return [
        re.search(r"http://testserver(/invitations/[^/\s]+/)", m.body).group(1) for m in mail.outbox
    ]


def test_a_second_invitation_to_a_waiting_address_is_refused_with_what_to_do(
    as_user, on_commit, school, leader
):
    client = as_user(leader)
    assert _invite(client, on_commit, school, "nia@example.org").status_code == 302

    again = _invite(client, on_commit, school, "NIA@example.org", K.GOVERNOR)

    assert again.status_code == 200
    errors = again.context["form"].errors["email"]
    assert "already waiting to be accepted" in errors[0] and "Send it again or cancel" in errors[0]
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_an_expired_or_cancelled_invitation_does_not_block_a_new_one(school, leader):
    first = services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
    )
    services.invitation_cancel(actor=leader, invitation=first)
    second = services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
    )
    Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
    )
    assert Invitation.objects.count() == 3


def test_the_same_address_may_be_invited_to_another_school(
    school, leader, other_school, other_leader
):
    services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
    )
    services.invitation_create(
        actor=other_leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=other_school
    )
    assert Invitation.objects.count() == 2


def test_cancelling_an_invitation_stops_its_link(as_user, client, on_commit, school, leader):
    leader_client = as_user(leader)
    _invite(leader_client, on_commit, school, "nia@example.org")
    invitation = Invitation.objects.get()
    page = leader_client.get(school.get_absolute_url()).content.decode()
    assert reverse("invitation_cancel", args=[invitation.pk]) in page
    assert reverse("invitation_resend", args=[invitation.pk]) in page

    response = leader_client.post(reverse("invitation_cancel", args=[invitation.pk]))

    assert response.url == school.get_absolute_url()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    event = AuditEvent.objects.get(action="invitation.cancelled")
    assert event.sentence == "Cancelled the invitation to nia@example.org to be school staff."
    leader_client.logout()
    assert client.get(_links()[0]).status_code == 410
    assert "nia@example.org" not in as_user(leader).get(school.get_absolute_url()).content.decode()


def test_sending_again_gives_a_new_link_and_a_new_period(
    as_user, client, on_commit, school, leader
):
    leader_client = as_user(leader)
    _invite(leader_client, on_commit, school, "nia@example.org")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timezone.timedelta(days=1)
    )

    with on_commit():
        response = leader_client.post(reverse("invitation_resend", args=[invitation.pk]))

    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["nia@example.org"]
    old, new = _links()
    assert old != new
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timezone.timedelta(days=13)
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1
    client.logout()
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_an_accepted_invitation_cannot_be_cancelled_or_sent_again(school, leader, colleague):
    invitation = services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.GOVERNOR, school=school
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    for service in (services.invitation_cancel, services.invitation_resend):
        with pytest.raises(Exception, match="already accepted"):
            service(actor=leader, invitation=invitation)


@pytest.mark.parametrize("name", ["invitation_cancel", "invitation_resend"])
def test_invitation_management_trio(as_user, school, leader, colleague, outsider, name):
    invitation = services.invitation_create(
        actor=leader, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
    )
    url = reverse(name, args=[invitation.pk])
    assert as_user(colleague).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_open
    assert as_user(leader).post(url).status_code == 302


def test_trust_lead_manages_trust_invitations(as_user, trust, trust_lead, trust_staff):
    invitation = services.invitation_create(
        actor=trust_lead, email="kai2@example.org", kind=K.TRUST_STAFF, trust=trust
    )
    url = reverse("invitation_cancel", args=[invitation.pk])
    assert as_user(trust_staff).post(url).status_code == 403
    assert as_user(trust_lead).post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# --- removing a person ---------------------------------------------------------------------


def test_removing_a_person_asks_first_and_says_what_will_happen(as_user, school, leader, colleague):
    role = Role.objects.get(user=colleague, school=school)
    client = as_user(leader)
    url = reverse("role_remove", args=[role.pk])
    assert url in client.get(school.get_absolute_url()).content.decode()

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Remove Sam Colleague as school staff?" in html
    assert "will no longer be school staff at Cherwell Primary School" in html
    assert "send them a new invitation" in html
    assert "Yes, remove Sam Colleague" in html
    assert Role.objects.filter(pk=role.pk).exists()  # asking removes nothing

    client.post(url)
    assert not Role.objects.filter(pk=role.pk).exists()


def test_the_removal_question_trio(as_user, school, leader, colleague, governor, outsider):
    url = reverse("role_remove", args=[Role.objects.get(user=governor).pk])
    assert as_user(leader).get(url).status_code == 200
    assert as_user(colleague).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leaders_inviting_one_address_at_once_send_one_invitation(school, leader):
    from concurrency import run_together
    from factories import UserFactory, grant

    second = UserFactory(email="second.leader@example.org")
    grant(second, K.SCHOOL_LEADER, school=school)

    def invite(actor):
        return lambda: services.invitation_create(
            actor=actor, email="nia@example.org", kind=K.SCHOOL_STAFF, school=school
        )

    outcomes = run_together(invite(leader), invite(second))

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"]
    assert "already waiting" in str(next(r for kind, r in outcomes if kind == "error"))
    assert Invitation.objects.filter(email="nia@example.org").count() == 1
