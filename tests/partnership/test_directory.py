"""The coordinator's member list, CSV export, adding members, membership status, audit."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import MembershipFactory, SchoolFactory, TrustFactory

from partnership.models import Membership
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


def _members(client, partnership, **params):
    return client.get(reverse("partnership:members", args=[partnership.slug]), params)


def test_search_by_name_urn_and_town(as_user, partnership, school, other_school, coordinator):
    client = as_user(coordinator)
    SchoolFactory(name="Banbury Academy", town="Banbury", urn=140001)
    MembershipFactory(
        partnership=partnership, school=SchoolFactory(name="Bicester School", town="Bicester")
    )
    by_name = _members(client, partnership, q="cherwell")
    assert [m.school for m in by_name.context["page"]] == [school]
    by_urn = _members(client, partnership, q=str(other_school.urn))
    assert [m.school for m in by_urn.context["page"]] == [other_school]
    by_town = _members(client, partnership, q="bicester")
    assert [m.school.name for m in by_town.context["page"]] == ["Bicester School"]


def test_filters_by_phase_trust_and_status(
    as_user, partnership, school, other_school, trust, coordinator
):
    secondary = SchoolFactory(name="Cherwell Secondary", phase="Secondary", trust=trust)
    MembershipFactory(partnership=partnership, school=secondary, status=Membership.Status.LAPSED)
    client = as_user(coordinator)
    assert [m.school for m in _members(client, partnership, phase="Secondary").context["page"]] == [
        secondary
    ]
    in_trust = _members(client, partnership, trust=str(trust.pk)).context["page"]
    assert {m.school for m in in_trust} == {school, secondary}
    lapsed = _members(client, partnership, status="lapsed").context["page"]
    assert [m.school for m in lapsed] == [secondary]


def test_the_list_is_paginated(as_user, partnership, coordinator):
    for n in range(30):
        MembershipFactory(partnership=partnership, school=SchoolFactory(name=f"School {n:02d}"))
    client = as_user(coordinator)
    first = _members(client, partnership)
    assert len(first.context["page"]) == 25 and first.context["page"].paginator.count == 30
    second = _members(client, partnership, page=2)
    assert [m.school.name for m in second.context["page"]] == [f"School {n}" for n in range(25, 30)]


def test_csv_export_has_the_filtered_members(
    as_user, partnership, school, other_school, coordinator
):
    MembershipFactory(
        partnership=partnership, school=SchoolFactory(name="=HYPERLINK(evil)", town="Thame")
    )
    response = as_user(coordinator).get(
        reverse("partnership:members_csv", args=[partnership.slug]), {"q": "a"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["URN", "School", "Phase"]
    names = {row[1] for row in rows[1:]}
    assert school.name in names and other_school.name in names
    # A formula in a school's name is exported as text, never run by a spreadsheet.
    assert "'=HYPERLINK(evil)" in names


def _build(partnership, count):
    trusts = [TrustFactory() for _ in range(3)]
    for n in range(count):
        MembershipFactory(
            partnership=partnership,
            school=SchoolFactory(trust=trusts[n % 3], phase=["Primary", "Secondary"][n % 2]),
        )


@pytest.mark.parametrize("page_name", ["members", "home", "applications", "audit"])
def test_query_budget_does_not_grow_with_the_data(as_user, partnership, coordinator, page_name):
    client = as_user(coordinator)
    url = reverse(f"partnership:{page_name}", args=[partnership.slug])
    _build(partnership, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _build(partnership, 60)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 15


def test_coordinator_adds_a_school_from_the_imported_list(as_user, partnership, coordinator):
    candidate = SchoolFactory(name="Wheatley Park School", urn=123200)
    client = as_user(coordinator)
    found = client.get(
        reverse("partnership:member_add", args=[partnership.slug]), {"q": "wheatley"}
    )
    assert found.context["results"] == [candidate]
    response = client.post(
        reverse("partnership:member_add", args=[partnership.slug]), {"urn": candidate.urn}
    )
    assert response.url == candidate.get_absolute_url()
    membership = Membership.objects.get(school=candidate)
    assert membership.status == Membership.Status.ACTIVE and membership.joined_on
    assert AuditEvent.objects.filter(
        action="membership.added", object_id=str(membership.pk)
    ).exists()


def test_coordinator_marks_a_membership_lapsed(as_user, partnership, school, coordinator, leader):
    membership = Membership.objects.get(school=school)
    url = reverse("partnership:member_status", args=[partnership.slug, membership.pk])
    assert as_user(leader).post(url, {f"m{membership.pk}-status": "lapsed"}).status_code == 403
    response = as_user(coordinator).post(url, {f"m{membership.pk}-status": "lapsed"})
    assert response.url == school.get_absolute_url()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED and membership.ended_on
    event = AuditEvent.objects.get(action="membership.status_changed")
    assert event.data == {"from": "active", "to": "lapsed"} and event.actor == coordinator


def test_audit_log_shows_this_partnerships_events_only(
    as_user, client, partnership, school, coordinator, leader, outsider, on_commit
):
    with on_commit():
        as_user(leader).post(
            reverse("school_invite", args=[school.urn]),
            {"email": "x@example.org", "kind": "governor"},
        )
    elsewhere_school = outsider.roles.get().school
    with on_commit():
        as_user(outsider).post(
            reverse("school_invite", args=[elsewhere_school.urn]),
            {"email": "y@example.org", "kind": "governor"},
        )
    page = as_user(coordinator).get(reverse("partnership:audit", args=[partnership.slug]))
    events = list(page.context["page"])
    assert [e.action for e in events] == ["invitation.sent"]
    assert events[0].actor_label == leader.email and events[0].data["email"] == "x@example.org"


def test_the_audit_log_is_append_only(leader, school):
    from django.core.exceptions import PermissionDenied

    from wellschools.audit import audit_record

    event = audit_record(actor=leader, action="test.done", target=school)
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.done"
