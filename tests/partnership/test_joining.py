"""A school leader applies for their school to join; a coordinator approves or declines."""

import pytest
from django.core import mail
from django.urls import reverse
from factories import SchoolFactory, UserFactory

from partnership.models import Membership, Role
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    return UserFactory(email="head@example.org", full_name="Hari Head")


@pytest.fixture
def new_school(partnership):
    return SchoolFactory(name="Wolvercote Primary School", urn=123146, town="Oxford")


def test_search_finds_schools_by_name_and_by_urn(as_user, applicant, new_school, partnership):
    SchoolFactory(name="Surrey Primary", la_code="936", urn=555001)
    client = as_user(applicant)
    by_name = client.get(reverse("join"), {"q": "wolver"})
    assert list(by_name.context["results"]) == [new_school]
    by_urn = client.get(reverse("join"), {"q": "123146"})
    assert list(by_urn.context["results"]) == [new_school]
    outside_area = client.get(reverse("join"), {"q": "Surrey"})
    assert list(outside_area.context["results"]) == []


def test_apply_then_approve_makes_the_applicant_the_leader(
    as_user, client, on_commit, applicant, new_school, partnership, coordinator
):
    with on_commit():
        response = as_user(applicant).post(
            reverse("join") + f"?urn={new_school.urn}",
            {"urn": new_school.urn, "role_title": "Head teacher"},
        )
    assert response.status_code == 302
    membership = Membership.objects.get(school=new_school)
    assert membership.status == Membership.Status.APPLIED and membership.applicant == applicant
    assert mail.outbox[-1].to == [coordinator.email]
    assert "Wolvercote" in mail.outbox[-1].subject
    # Not a leader yet: the school page is not theirs to open.
    assert client.get(new_school.get_absolute_url()).status_code in (403, 404)

    client.force_login(coordinator)
    queue = client.get(reverse("partnership:applications", args=[partnership.slug]))
    assert [m for m, _form in queue.context["rows"]] == [membership]
    with on_commit():
        client.post(
            reverse("partnership:application_decide", args=[partnership.slug, membership.pk]),
            {f"a{membership.pk}-decision": "approve", f"a{membership.pk}-reason": ""},
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and membership.joined_on
    assert membership.decided_by == coordinator
    assert Role.objects.filter(user=applicant, kind="school_leader", school=new_school).exists()
    assert AuditEvent.objects.filter(
        action="membership.approved", object_id=str(membership.pk)
    ).exists()
    assert mail.outbox[-1].to == [applicant.email] and "Welcome" in mail.outbox[-1].subject

    client.force_login(applicant)
    assert client.get(reverse("home")).url == new_school.get_absolute_url()


def test_decline_needs_a_reason_and_sends_it(
    as_user, client, on_commit, applicant, new_school, partnership, coordinator
):
    with on_commit():
        as_user(applicant).post(
            reverse("join"), {"urn": new_school.urn, "role_title": "Deputy head"}
        )
    membership = Membership.objects.get(school=new_school)
    client.force_login(coordinator)
    url = reverse("partnership:application_decide", args=[partnership.slug, membership.pk])
    response = client.post(
        url, {f"a{membership.pk}-decision": "decline", f"a{membership.pk}-reason": ""}
    )
    assert response.status_code == 400
    form = {m.pk: f for m, f in response.context["rows"]}[membership.pk]
    assert "reason" in form.errors
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED

    with on_commit():
        client.post(
            url,
            {
                f"a{membership.pk}-decision": "decline",
                f"a{membership.pk}-reason": "Please apply once your governors agree.",
            },
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
    assert not Role.objects.filter(user=applicant).exists()
    assert "governors agree" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(action="membership.declined").exists()


def test_deciding_twice_is_refused(
    as_user, client, on_commit, applicant, new_school, partnership, coordinator
):
    as_user(applicant).post(reverse("join"), {"urn": new_school.urn, "role_title": "Head"})
    membership = Membership.objects.get(school=new_school)
    client.force_login(coordinator)
    url = reverse("partnership:application_decide", args=[partnership.slug, membership.pk])
    client.post(url, {f"a{membership.pk}-decision": "approve"})
    response = client.post(
        url, {f"a{membership.pk}-decision": "decline", f"a{membership.pk}-reason": "x"}, follow=True
    )
    assert "already been decided" in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_applying_for_a_member_school_is_refused_with_a_message(as_user, applicant, school):
    response = as_user(applicant).post(reverse("join"), {"urn": school.urn, "role_title": "Head"})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert response.context["join_form"]["role_title"].value() == "Head"


def test_role_title_is_required(as_user, applicant, new_school):
    response = as_user(applicant).post(reverse("join"), {"urn": new_school.urn, "role_title": ""})
    assert "role_title" in response.context["join_form"].errors
    assert not Membership.objects.filter(school=new_school).exists()


def test_decision_trio(as_user, applicant, new_school, partnership, leader, outsider):
    as_user(applicant).post(reverse("join"), {"urn": new_school.urn, "role_title": "Head"})
    membership = Membership.objects.get(school=new_school)
    url = reverse("partnership:application_decide", args=[partnership.slug, membership.pk])
    data = {f"a{membership.pk}-decision": "approve"}
    assert as_user(leader).post(url, data).status_code == 403
    assert as_user(outsider).post(url, data).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED
