"""Partners' offers (coordinators keep them; schools see those on their growth areas first;
closed offers vanish by date) and networks (join, be added, meetings are events of the
events app, notes and files for members only), and the accreditation link."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from factories import UserFactory
from network_helpers import pillar, story, submitted_check

from network import services
from network.models import Network, NetworkItem, NetworkMember, Offer
from network.services import NetworkError
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db


def _offer_data(**overrides):
    data = {
        "title": "Forest school training",
        "provider": "Example Outdoors",
        "description": "Two days",
        "pillar_keys": ["live_well"],
        "phases": ["primary"],
        "url": "https://example.org/forest",
        "closes_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    data.update(overrides)
    return data


def test_coordinator_adds_changes_and_deletes_an_offer(as_user, coordinator, partnership):
    client = as_user(coordinator)
    response = client.post(reverse("network_manage:offer_new", args=["oxfordshire"]), _offer_data())
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.pillar_keys == ["live_well"] and offer.created_by == coordinator

    url = reverse("network_manage:offer", args=["oxfordshire", offer.pk])
    client.post(url, _offer_data(title="Forest school, two days"))
    offer.refresh_from_db()
    assert offer.title == "Forest school, two days"

    delete = reverse("network_manage:offer_delete", args=["oxfordshire", offer.pk])
    assert "cannot be undone" in client.get(delete).content.decode()
    assert Offer.objects.exists()
    client.post(delete)
    assert not Offer.objects.exists()
    assert AuditEvent.objects.filter(action="network.offer_deleted").count() == 1


def test_offer_edit_form_posted_back_unchanged_changes_nothing(as_user, coordinator, partnership):
    client = as_user(coordinator)
    client.post(reverse("network_manage:offer_new", args=["oxfordshire"]), _offer_data())
    offer = Offer.objects.get()
    url = reverse("network_manage:offer", args=["oxfordshire", offer.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, f.initial) for name, f in form.fields.items()}
    data["closes_on"] = data["closes_on"].isoformat()
    audits = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.count() == audits


def test_offer_bad_input(as_user, coordinator):
    response = as_user(coordinator).post(
        reverse("network_manage:offer_new", args=["oxfordshire"]),
        _offer_data(closes_on="31/02/2027", pillar_keys=[], url="nope"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Forest school training" in body
    assert not Offer.objects.exists()


def test_schools_see_growth_area_offers_first_and_closed_ones_vanish(
    as_user, school, leader, partnership
):
    submitted_check(school, ratings={"live_well": "limited"})
    today = timezone.localdate()
    first_closing = Offer.objects.create(
        partnership=partnership,
        title="Swimming",
        provider="P",
        url="https://example.org",
        pillar_keys=["move_well"],
        closes_on=today + timedelta(days=3),
    )
    on_growth = Offer.objects.create(
        partnership=partnership,
        title="Volunteering",
        provider="P",
        url="https://example.org",
        pillar_keys=["live_well"],
        closes_on=today + timedelta(days=20),
    )
    Offer.objects.create(
        partnership=partnership,
        title="Closed yesterday",
        provider="P",
        url="https://example.org",
        pillar_keys=["live_well"],
        closes_on=today - timedelta(days=1),
    )
    page = as_user(leader).get(reverse("network:offers", args=["oxfordshire"]))
    rows = [(offer.title, matches) for offer, matches, *_ in page.context["rows"]]
    assert rows == [("Volunteering", True), ("Swimming", False)]
    assert on_growth.is_open and first_closing.is_open
    assert "Closed yesterday" not in page.content.decode()


def test_people_join_and_coordinators_add_members(
    as_user, partnership, coordinator, leader, other_leader, outsider
):
    client = as_user(coordinator)
    client.post(
        reverse("network_manage:network_new", args=["oxfordshire"]),
        {"name": "Wellbeing Leads", "description": "Termly"},
    )
    network = Network.objects.get()
    add = reverse("network_manage:member_add", args=["oxfordshire", network.pk])
    client.post(add, {"email": other_leader.email})
    response = client.post(add, {"email": outsider.email})
    assert response.status_code == 400
    assert "has no role in the partnership" in response.content.decode()
    assert [m.user for m in NetworkMember.objects.all()] == [other_leader]

    as_user(leader).post(reverse("network:group_join", args=[network.pk]))
    assert set(network.memberships.values_list("user__email", flat=True)) == {
        leader.email,
        other_leader.email,
    }
    as_user(leader).post(reverse("network:group_leave", args=[network.pk]))
    assert not network.memberships.filter(user=leader).exists()


def test_meetings_are_events_linked_to_the_network(as_user, partnership, coordinator, leader):
    from events.models import Event

    network = services.network_save(
        actor=coordinator, partnership=partnership, name="PE Leads", description=""
    )
    start = timezone.now() + timedelta(days=10)
    event = Event.objects.create(
        partnership=partnership,
        title="PE Leads termly meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=20,
        venue_name="Example Hall",
        status=Event.Status.PUBLISHED,
    )
    client = as_user(coordinator)
    client.post(
        reverse("network_manage:meeting_add", args=["oxfordshire", network.pk]),
        {"event": str(event.pk)},
    )
    page = as_user(leader).get(network.get_absolute_url())
    assert list(page.context["meetings"]) == [event]
    assert event.get_absolute_url() in page.content.decode()
    # Malformed ids are form errors, never a 500.
    response = as_user(coordinator).post(
        reverse("network_manage:meeting_add", args=["oxfordshire", network.pk]),
        {"event": "abc"},
    )
    assert response.status_code == 400


def test_members_share_notes_and_files(as_user, partnership, coordinator, leader):
    network = services.network_save(
        actor=coordinator, partnership=partnership, name="Mental Health Leads", description=""
    )
    services.network_join(actor=leader, network=network)
    client = as_user(leader)
    add = reverse("network:item_add", args=[network.pk])
    response = client.post(add, {"title": "Empty"})
    assert response.status_code == 400
    response = client.post(
        add, {"title": "A script", "file": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /\n")}
    )
    assert response.status_code == 400 and "is a program" in response.content.decode()
    client.post(add, {"title": "Agenda", "note": "Item one"})
    assert NetworkItem.objects.get().note == "Item one"


def test_a_stranger_cannot_be_added(partnership, coordinator):
    network = services.network_save(
        actor=coordinator, partnership=partnership, name="Leads", description=""
    )
    with pytest.raises(NetworkError):
        services.network_join(actor=coordinator, network=network, person=UserFactory())


def test_reviewers_see_the_applicants_published_practice_by_pillar(
    as_user, school, leader, coordinator, partnership
):
    from accreditation import services as accreditation
    from accreditation.models import Evidence, PillarStatement

    submitted_check(school)
    application = accreditation.application_start(actor=leader, school=school)
    PillarStatement.objects.filter(application=application).update(text="We do this well.")
    for p in application.framework.pillars.all():
        Evidence.objects.create(
            application=application,
            pillar=p,
            kind=Evidence.Kind.NOTE,
            title="Policy",
            dated=timezone.localdate(),
            note="Shared drive",
            added_by=leader,
        )
    application = accreditation.application_submit(actor=leader, application=application)
    application = accreditation.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
    story(school, leader, title="Our daily mile", pillar_key="move_well", publish_by=coordinator)
    story(school, leader, title="Unpublished idea", pillar_key="move_well")
    for name in ("accreditation_review:application", "accreditation_review:review"):
        url = reverse(name, args=["oxfordshire", application.pk])
        body = as_user(coordinator).get(url).content.decode()
        assert f"The school's published practice on {pillar('move_well').name}" in body
        assert "Our daily mile" in body and "Unpublished idea" not in body
