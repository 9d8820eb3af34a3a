"""The persona trio on every network page, with two partnerships: allowed, member of the
partnership without the right (403), outsider (404). A published story is for members of
its partnership only; a story that is not published for its school and coordinators."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from network_helpers import (
    opt_in,
    question,
    story,
    strong_school,
    submitted_check,
)

from network import services
from network.models import ContactRequest, Network, Offer
from partnership.permissions import forget_access

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def status(client, user, url, method="get", data=None):
    forget_access(user)
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


@pytest.fixture
def drafted(school, leader):
    return story(school, leader, title="Draft story")


@pytest.fixture
def published(school, leader, coordinator):
    return story(school, leader, title="Published story", publish_by=coordinator)


def test_partnership_pages_are_for_its_members(client, leader, other_leader, coordinator, outsider):
    for name in ("network:library", "network:offers", "network:groups"):
        url = reverse(name, args=["oxfordshire"])
        assert status(client, leader, url) == 200
        assert status(client, other_leader, url) == 200
        assert status(client, coordinator, url) == 200
        assert status(client, outsider, url) == 404, name


def test_published_story_is_for_the_partnership_only(client, published, other_leader, outsider):
    url = published.get_absolute_url()
    assert status(client, other_leader, url) == 200
    assert status(client, outsider, url) == 404


def test_draft_is_for_its_school_and_coordinators(
    client, drafted, colleague, coordinator, other_leader, outsider
):
    url = drafted.get_absolute_url()
    assert status(client, colleague, url) == 200
    assert status(client, coordinator, url) == 200
    assert status(client, other_leader, url) == 403
    assert status(client, outsider, url) == 404


def test_library_lists_only_published_stories_of_the_partnership(
    as_user, drafted, published, other_leader, outsider
):
    surrey_school = outsider.roles.get().school
    surrey_story = story(surrey_school, outsider, title="Surrey story")
    from network.models import PracticeStory

    PracticeStory.objects.filter(pk=surrey_story.pk).update(status="published")
    page = as_user(other_leader).get(reverse("network:library", args=["oxfordshire"]))
    titles = [s.title for s in page.context["page"]]
    assert titles == ["Published story"]


def test_writing_and_changing_stories(
    client, drafted, school, leader, colleague, other_leader, outsider
):
    edit = reverse("network:story_edit", args=[drafted.pk])
    new = reverse("network:story_new", args=[school.urn])
    for url in (edit, new):
        assert status(client, leader, url) == 200
        assert status(client, colleague, url) == 403
        assert status(client, other_leader, url) == 403
        assert status(client, outsider, url) == 404
    submit = reverse("network:story_submit", args=[drafted.pk])
    assert status(client, colleague, submit, "post") == 403
    assert status(client, outsider, submit, "post") == 404
    drafted.refresh_from_db()
    assert drafted.status == "draft"


def test_attachment_download_follows_the_story(
    client, drafted, leader, colleague, other_leader, outsider
):
    item = services.attachment_add(
        actor=leader, story=drafted, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    url = reverse("network:attachment", args=[drafted.pk, item.pk])
    assert status(client, colleague, url) == 200
    assert status(client, other_leader, url) == 403
    assert status(client, outsider, url) == 404


def test_school_network_page(client, school, leader, colleague, other_leader, outsider):
    url = reverse("network:school", args=[school.urn])
    assert status(client, colleague, url) == 200
    assert status(client, other_leader, url) == 403
    assert status(client, outsider, url) == 404
    # Only leaders change the opt-ins.
    assert status(client, colleague, url, "post", {"pillars": ["move_well"]}) == 403
    assert status(client, leader, url, "post", {"pillars": ["move_well"]}) == 302
    assert school.contact_opt_ins.get().pillar_key == "move_well"


def test_ask_and_message_pages(
    client, school, leader, other_school, other_leader, partnership, outsider
):
    strong, strong_leader = strong_school(partnership)
    opt_in(strong, "move_well")
    submitted_check(strong, ratings={"move_well": "strong"})
    q = question("move_well")
    ask = reverse("network:ask", args=[school.urn, strong.urn, q.pk])
    assert status(client, leader, ask) == 200
    assert status(client, other_leader, ask) == 403
    assert status(client, outsider, ask) == 404
    forget_access(leader)
    sent = services.contact_request_send(
        actor=leader, from_school=school, to_school=strong, question=q, message="How?"
    )
    url = sent.get_absolute_url()
    assert status(client, leader, url) == 200
    assert status(client, strong_leader, url) == 200
    assert status(client, other_leader, url) == 403
    assert status(client, outsider, url) == 404
    # Only the school that was asked replies.
    assert status(client, leader, url, "post", {"reply": "Myself"}) == 403
    assert not ContactRequest.objects.get().is_replied


def test_network_pages_and_member_only_items(
    client, partnership, leader, other_leader, coordinator, outsider
):
    network = services.network_save(
        actor=coordinator, partnership=partnership, name="Wellbeing Leads", description=""
    )
    services.network_join(actor=leader, network=network)
    item = services.item_add(
        actor=leader, network=network, title="Policy", upload=SimpleUploadedFile("p.pdf", PDF)
    )
    page = network.get_absolute_url()
    assert status(client, other_leader, page) == 200
    assert status(client, outsider, page) == 404
    download = reverse("network:item", args=[network.pk, item.pk])
    assert status(client, leader, download) == 200
    assert status(client, coordinator, download) == 200
    assert status(client, other_leader, download) == 403
    assert status(client, outsider, download) == 404
    client.force_login(other_leader)
    assert b"Policy" not in client.get(page).content
    add = reverse("network:item_add", args=[network.pk])
    assert status(client, other_leader, add, "post", {"title": "x", "note": "y"}) == 403
    assert network.items.count() == 1


def test_coordinator_pages(client, partnership, drafted, leader, coordinator, outsider):
    network = Network.objects.create(partnership=partnership, name="PE Leads")
    offer = Offer.objects.create(
        partnership=partnership,
        title="Offer",
        provider="P",
        pillar_keys=["move_well"],
        url="https://example.org",
        closes_on="2099-01-01",
    )
    services.story_submit(actor=leader, story=drafted)
    urls = [
        reverse("network_manage:queue", args=["oxfordshire"]),
        reverse("network_manage:moderate", args=["oxfordshire", drafted.pk]),
        reverse("network_manage:offers", args=["oxfordshire"]),
        reverse("network_manage:offer_new", args=["oxfordshire"]),
        reverse("network_manage:offer", args=["oxfordshire", offer.pk]),
        reverse("network_manage:offer_delete", args=["oxfordshire", offer.pk]),
        reverse("network_manage:networks", args=["oxfordshire"]),
        reverse("network_manage:network_new", args=["oxfordshire"]),
        reverse("network_manage:network", args=["oxfordshire", network.pk]),
    ]
    for url in urls:
        assert status(client, coordinator, url) == 200, url
        assert status(client, leader, url) == 403, url
        assert status(client, outsider, url) == 404, url
    moderate = reverse("network_manage:moderate", args=["oxfordshire", drafted.pk])
    assert status(client, leader, moderate, "post", {"decision": "publish"}) == 403
    drafted.refresh_from_db()
    assert drafted.status == "submitted"


def test_library_query_budget_is_constant(as_user, school, leader, coordinator, other_leader):
    client = as_user(other_leader)
    url = reverse("network:library", args=["oxfordshire"])

    def count():
        forget_access(other_leader)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"pillar": "move_well"}).status_code == 200
        return len(queries)

    story(school, leader, title="One", publish_by=coordinator)
    count()  # warm: one-off lookups (session, caches) out of the way
    small = count()
    for n in range(25):
        story(
            school,
            leader,
            title=f"Story {n}",
            questions=[question("move_well")],
            publish_by=coordinator,
        )
    assert count() == small


def test_a_school_that_left_reads_nothing(client, published, other_school, other_leader):
    other_school.memberships.update(status="left")
    for url in (reverse("network:library", args=["oxfordshire"]), published.get_absolute_url()):
        assert status(client, other_leader, url) == 403
