"""Invitations: sent by the right people, single use, expire after 14 days, only for the
person invited; accepting creates or links the account and grants the role."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory

from partnership.models import Invitation, Role
from wellschools.models import AuditEvent, User

pytestmark = pytest.mark.django_db
K = Role.Kind


def _invite(client, on_commit, url, email, kind):
    with on_commit():
        return client.post(url, {"email": email, "kind": kind})


def _accept_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", body).group(1)


def test_leader_invites_a_colleague_who_creates_an_account(
    as_user, client, on_commit, school, leader
):
    response = _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "New.Teacher@example.org",
        K.SCHOOL_STAFF,
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teacher@example.org"]
    assert school.name in message.subject
    assert message.alternatives and "Accept the invitation" in message.alternatives[0][0]
    assert AuditEvent.objects.filter(action="invitation.sent").count() == 1
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)

    link = _accept_link()
    assert link.split("/")[2] not in invitation.token_hash  # only a hash is stored
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    with on_commit():
        response = client.post(
            link,
            {
                "full_name": "Nia Newteacher",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
    assert response.status_code == 302 and response.url == school.get_absolute_url()
    user = User.objects.get(email="new.teacher@example.org")
    assert user.full_name == "Nia Newteacher"
    assert user.emailaddress_set.get().verified
    assert Role.objects.filter(user=user, kind=K.SCHOOL_STAFF, school=school).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at
    assert AuditEvent.objects.filter(
        action="invitation.accepted", object_id=str(invitation.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="role.granted", data__user=user.email).exists()
    # Signed in straight away and the school page opens.
    assert client.get(school.get_absolute_url()).status_code == 200


def test_a_used_invitation_cannot_be_used_again(as_user, client, on_commit, school, leader):
    _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "once@example.org",
        K.GOVERNOR,
    )
    link = _accept_link()
    client.logout()
    client.post(
        link,
        {
            "full_name": "Once Only",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert Role.objects.filter(user__email="once@example.org").count() == 1


def test_an_expired_invitation_is_refused(as_user, client, on_commit, school, leader):
    _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "late@example.org",
        K.SCHOOL_STAFF,
    )
    link = _accept_link()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.logout()
    response = client.post(
        link,
        {
            "full_name": "Too Late",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_a_tampered_link_is_refused(client, db):
    response = client.get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_the_wrong_person_cannot_accept(as_user, client, on_commit, school, leader, other_leader):
    _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "intended@example.org",
        K.SCHOOL_LEADER,
    )
    link = _accept_link()
    client.force_login(other_leader)
    page = client.get(link)
    assert "you are signed in as other.leader@example.org" in page.content.decode()
    client.post(link)
    assert not Role.objects.filter(user=other_leader, school=school).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_existing_account_signs_in_then_accepts(as_user, client, on_commit, school, leader):
    existing = UserFactory(email="already@example.org")
    _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "already@example.org",
        K.SCHOOL_LEADER,
    )
    link = _accept_link()
    client.logout()
    page = client.get(link)
    assert "Sign in to accept" in page.content.decode()
    client.force_login(existing)
    response = client.post(link)
    assert response.url == school.get_absolute_url()
    assert Role.objects.filter(user=existing, kind=K.SCHOOL_LEADER, school=school).exists()


def test_signup_errors_show_next_to_the_field_and_keep_the_name(
    as_user, client, on_commit, school, leader
):
    _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "typo@example.org",
        K.SCHOOL_STAFF,
    )
    link = _accept_link()
    client.logout()
    response = client.post(
        link,
        {
            "full_name": "Kept Name",
            "password1": "a-long-pass-phrase",
            "password2": "different-pass-phrase",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["The two passwords do not match."]
    assert 'value="Kept Name"' in response.content.decode()
    assert not User.objects.filter(email="typo@example.org").exists()


def test_colleague_cannot_invite_and_nothing_is_sent(as_user, on_commit, school, colleague):
    response = _invite(
        as_user(colleague),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "x@example.org",
        K.SCHOOL_STAFF,
    )
    assert response.status_code == 403
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_coordinator_cannot_invite_staff_only_leaders(as_user, on_commit, school, coordinator):
    response = _invite(
        as_user(coordinator),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "x@example.org",
        K.SCHOOL_STAFF,
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert response.context["form"]["email"].value() == "x@example.org"
    assert not Invitation.objects.exists()
    _invite(
        as_user(coordinator),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        "head@example.org",
        K.SCHOOL_LEADER,
    )
    assert Invitation.objects.get().kind == K.SCHOOL_LEADER


def test_inviting_someone_who_already_has_the_role_is_refused(
    as_user, on_commit, school, leader, colleague
):
    response = _invite(
        as_user(leader),
        on_commit,
        reverse("school_invite", args=[school.urn]),
        colleague.email,
        K.SCHOOL_STAFF,
    )
    assert "already has this role" in str(response.context["form"].errors["email"])


def test_trust_lead_invites_trust_staff(as_user, client, on_commit, trust, trust_lead, school):
    response = _invite(
        as_user(trust_lead),
        on_commit,
        reverse("trust_invite", args=[trust.group_uid]),
        "analyst@example.org",
        K.TRUST_STAFF,
    )
    assert response.status_code == 302
    link = _accept_link()
    client.logout()
    client.post(
        link,
        {
            "full_name": "Ana Lyst",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert Role.objects.filter(
        user__email="analyst@example.org", kind=K.TRUST_STAFF, trust=trust
    ).exists()
    # Trust staff read the trust's schools.
    assert client.get(school.get_absolute_url()).status_code == 200


def test_removing_a_role_takes_effect_on_the_next_request(
    as_user, client, school, leader, colleague
):
    role = Role.objects.get(user=colleague, school=school)
    other = client.__class__()
    other.force_login(colleague)
    assert other.get(school.get_absolute_url()).status_code == 200
    response = as_user(leader).post(reverse("role_remove", args=[role.pk]))
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.filter(action="role.removed", object_id=str(role.pk)).exists()
    # The colleague is still signed in, but the very next request no longer opens the school.
    assert other.get(school.get_absolute_url()).status_code == 404


def test_role_removal_trio(as_user, school, leader, colleague, governor, outsider):
    role = Role.objects.get(user=governor, school=school)
    assert as_user(colleague).post(reverse("role_remove", args=[role.pk])).status_code == 403
    assert as_user(outsider).post(reverse("role_remove", args=[role.pk])).status_code == 404
    assert Role.objects.filter(pk=role.pk).exists()


def test_the_last_leader_cannot_remove_themselves(as_user, school, leader):
    role = Role.objects.get(user=leader, school=school)
    response = as_user(leader).post(reverse("role_remove", args=[role.pk]), follow=True)
    assert "at least one leader" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()
