"""The persona trio on every accreditation page (allowed, member without the right 403,
outsider 404), evidence downloads refused across schools, and the review queue's query
budget."""

import pytest
from accreditation_helpers import (
    accredited_school,
    complete,
    draft_application,
    in_review,
    submitted_application,
)
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory

from accreditation.models import Application, Evidence
from wellcheck.selectors import framework_current

pytestmark = pytest.mark.django_db

S = Application.Status


@pytest.fixture
def world(school, leader, coordinator, partnership):
    """An application in review by a peer from an accredited school, with one item each."""
    _accredited, peer, award = accredited_school(partnership)
    application = in_review(school, leader, coordinator, reviewer=peer)
    return {"application": application, "peer": peer, "award": award}


def _evidence(application) -> Evidence:
    item = application.evidence.first()
    # A file item, so the download view has something to send.
    from django.core.files.base import ContentFile

    item.kind, item.note, item.original_name = Evidence.Kind.FILE, "", "policy.pdf"
    item.content_type = "application/pdf"
    item.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    item.save()
    return item


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _school_pages(school, application, item):
    pillar = application.framework.pillars.order_by("order").first()
    return {
        "application": reverse("accreditation:application", args=[school.urn, application.pk]),
        "pillar": reverse("accreditation:pillar", args=[school.urn, application.pk, pillar.key]),
        "evidence": reverse("accreditation:evidence", args=[school.urn, application.pk, item.pk]),
    }


# --- the school's pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["leader", "colleague", "governor", "trust_staff", "coordinator"]
)
def test_overview_opens_for_people_who_see_the_school(request, as_user, school, persona):
    url = reverse("accreditation:overview", args=[school.urn])
    assert as_user(request.getfixturevalue(persona)).get(url).status_code == 200


def test_overview_other_school_403_outsider_404_anonymous_signs_in(
    as_user, client, school, other_leader, outsider
):
    url = reverse("accreditation:overview", args=[school.urn])
    assert client.get(url).status_code == 302
    assert as_user(other_leader).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


@pytest.mark.parametrize("page", ["application", "pillar", "evidence"])
@pytest.mark.parametrize("persona", ["leader", "colleague", "governor", "coordinator", "peer"])
def test_application_pages_open_for_the_school_the_reviewer_and_coordinators(
    request, as_user, school, world, page, persona
):
    item = _evidence(world["application"])
    url = _school_pages(school, world["application"], item)[page]
    person = world["peer"] if persona == "peer" else request.getfixturevalue(persona)
    assert as_user(person).get(url).status_code == 200


@pytest.mark.parametrize("page", ["application", "pillar", "evidence"])
@pytest.mark.parametrize("persona", ["other_leader", "trust_staff", "trust_lead"])
def test_application_pages_members_without_the_right_get_403(
    request, as_user, school, world, page, persona
):
    item = _evidence(world["application"])
    url = _school_pages(school, world["application"], item)[page]
    assert as_user(request.getfixturevalue(persona)).get(url).status_code == 403


@pytest.mark.parametrize("page", ["application", "pillar", "evidence"])
def test_application_pages_outsider_gets_404(as_user, school, world, outsider, page):
    item = _evidence(world["application"])
    url = _school_pages(school, world["application"], item)[page]
    assert as_user(outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    "name", ["start", "submit", "withdraw", "resubmit", "pillar_post", "evidence_remove"]
)
def test_only_leaders_post_to_the_school_forms(
    as_user, school, leader, colleague, other_leader, outsider, name
):
    application = complete(draft_application(school, leader), leader)
    item = application.evidence.first()
    pillar = application.framework.pillars.order_by("order").first()
    urls = {
        "start": reverse("accreditation:start", args=[school.urn]),
        "submit": reverse("accreditation:submit", args=[school.urn, application.pk]),
        "withdraw": reverse("accreditation:withdraw", args=[school.urn, application.pk]),
        "resubmit": reverse("accreditation:resubmit", args=[school.urn, application.pk]),
        "pillar_post": reverse(
            "accreditation:pillar", args=[school.urn, application.pk, pillar.key]
        ),
        "evidence_remove": reverse(
            "accreditation:evidence_remove", args=[school.urn, application.pk, item.pk]
        ),
    }
    url = urls[name]
    data = {"statement": "Changed by someone else"}
    assert as_user(colleague).post(url, data).status_code == 403
    assert as_user(other_leader).post(url, data).status_code == 403
    assert as_user(outsider).post(url, data).status_code == 404
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.evidence.count() == 4
    assert as_user(leader).post(url, data).status_code == 302


def test_the_certificate_opens_for_people_who_see_the_school(
    as_user, school, leader, trust_staff, other_leader, outsider, partnership
):
    from accreditation_helpers import award_for

    award = award_for(school, partnership, awarded_on=timezone.localdate())
    url = reverse("accreditation:certificate", args=[school.urn, award.pk])
    assert as_user(other_leader).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    response = as_user(trust_staff).post(url)
    assert response.status_code == 302 and response.url.startswith("/documents/")
    assert as_user(other_leader).get(response.url).status_code == 403
    assert as_user(outsider).get(response.url).status_code == 404
    assert as_user(leader).get(response.url).status_code == 200


# --- evidence downloads refused across schools ----------------------------------------------


def test_evidence_downloads_are_refused_across_schools(
    as_user, school, leader, other_school, other_leader, coordinator, outsider
):
    mine = _evidence(submitted_application(school, leader))
    theirs = submitted_application(other_school, other_leader)
    own_url = reverse("accreditation:evidence", args=[school.urn, mine.application_id, mine.pk])
    assert as_user(leader).get(own_url).status_code == 200
    assert as_user(other_leader).get(own_url).status_code == 403
    assert as_user(outsider).get(own_url).status_code == 404
    # Another school's leader cannot reach this item through their own application's URL.
    smuggled = reverse("accreditation:evidence", args=[other_school.urn, theirs.pk, mine.pk])
    assert as_user(other_leader).get(smuggled).status_code == 404
    mixed = reverse("accreditation:evidence", args=[school.urn, theirs.pk, mine.pk])
    assert as_user(other_leader).get(mixed).status_code == 403
    assert as_user(leader).get(mixed).status_code == 404


def test_a_reviewer_sees_only_the_applications_they_review(
    as_user, school, leader, other_school, other_leader, coordinator, partnership
):
    _accredited, peer, _award = accredited_school(partnership)
    reviewed = in_review(school, leader, coordinator, reviewer=peer)
    other = _evidence(in_review(other_school, other_leader, coordinator))
    mine = _evidence(reviewed)
    client = as_user(peer)
    assert (
        client.get(
            reverse("accreditation:evidence", args=[school.urn, reviewed.pk, mine.pk])
        ).status_code
        == 200
    )
    other_url = reverse(
        "accreditation:evidence", args=[other_school.urn, other.application_id, other.pk]
    )
    assert client.get(other_url).status_code == 403
    # Once someone else reviews, the former reviewer's access ends.
    from accreditation import services

    services.application_assign_reviewer(
        actor=coordinator, application=reviewed, reviewer=coordinator
    )
    assert (
        client.get(
            reverse("accreditation:evidence", args=[school.urn, reviewed.pk, mine.pk])
        ).status_code
        == 403
    )


# --- the partnership's pages ----------------------------------------------------------------


def _coordinator_pages(partnership, application):
    args = [partnership.slug, application.pk]
    return {
        "queue": reverse("accreditation_review:queue", args=[partnership.slug]),
        "application": reverse("accreditation_review:application", args=args),
    }


@pytest.mark.parametrize("page", ["queue", "application"])
def test_coordinator_pages_trio(
    as_user, partnership, world, coordinator, leader, other_leader, trust_staff, outsider, page
):
    url = _coordinator_pages(partnership, world["application"])[page]
    assert as_user(coordinator).get(url).status_code == 200
    for person in (leader, other_leader, trust_staff, world["peer"]):
        assert as_user(person).get(url).status_code == 403, person
    assert as_user(outsider).get(url).status_code == 404


def test_review_page_trio(
    as_user, partnership, world, coordinator, leader, other_leader, trust_staff, outsider
):
    url = reverse("accreditation_review:review", args=[partnership.slug, world["application"].pk])
    assert as_user(coordinator).get(url).status_code == 200
    assert as_user(world["peer"]).get(url).status_code == 200
    for person in (leader, other_leader, trust_staff):
        assert as_user(person).get(url).status_code == 403, person
    assert as_user(outsider).get(url).status_code == 404


def test_public_pages_open_without_signing_in(client, partnership, world):
    award = world["award"]
    assert client.get(reverse("accreditation:accredited")).status_code == 200
    assert client.get(reverse("accreditation:verify_lookup")).status_code == 200
    assert client.get(reverse("accreditation:verify", args=[award.code])).status_code == 200


def test_the_school_page_shows_the_accreditation_panel(as_user, school, leader):
    from accreditation_helpers import eligible

    eligible(school, leader)
    page = as_user(leader).get(school.get_absolute_url()).content.decode()
    assert "Well Schools Accreditation" in page
    assert "Start an application" in page


# --- the review queue's query budget ----------------------------------------------------------


def _fill_queue(partnership, reviewer, count):
    schools = SchoolFactory.create_batch(count)
    for school in schools:
        MembershipFactory(partnership=partnership, school=school)
    framework = framework_current()
    statuses = [S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED]
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            partnership=partnership,
            school=school,
            framework=framework,
            status=statuses[i % 4],
            reviewer=None if statuses[i % 4] == S.SUBMITTED else reviewer,
            submitted_at=now - timezone.timedelta(days=i),
            waiting_since=now - timezone.timedelta(days=i),
        )
        for i, school in enumerate(schools)
    )


def _queue_queries(client, partnership) -> tuple[int, int]:
    url = reverse("accreditation_review:queue", args=[partnership.slug])
    client.get(url)  # warm the session and the per-request caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["page"].object_list)


def test_the_review_queue_runs_the_same_queries_for_5_and_50_applications(
    as_user, partnership, coordinator
):
    client = as_user(coordinator)
    _fill_queue(partnership, coordinator, 5)
    small, shown_small = _queue_queries(client, partnership)
    _fill_queue(partnership, coordinator, 45)
    large, shown_large = _queue_queries(client, partnership)
    assert (shown_small, shown_large) == (5, 25)  # 25 a page
    assert small == large, f"{small} queries for 5 applications, {large} for 50"
    assert large <= 14


@pytest.mark.parametrize("name", ["assign", "decide", "resume"])
def test_coordinator_forms_trio(
    as_user, partnership, world, coordinator, leader, other_leader, outsider, name
):
    application = world["application"]
    url = reverse(f"accreditation_review:{name}", args=[partnership.slug, application.pk])
    data = {"reviewer": coordinator.pk, "decision": "award", "feedback": "Yes.", "confirm": "yes"}
    for person in (leader, other_leader):
        assert as_user(person).post(url, data).status_code == 403
    assert as_user(outsider).post(url, data).status_code == 404
    application.refresh_from_db()
    assert (application.status, application.reviewer) == (S.IN_REVIEW, world["peer"])
    response = as_user(coordinator).post(url, data)
    assert response.status_code == 302
    if name == "resume":
        # Not resubmitted: the move is refused with a message and nothing changes.
        application.refresh_from_db()
        assert application.status == S.IN_REVIEW


def test_evidence_reuse_trio(as_user, school, leader, coordinator, colleague, outsider):
    from accreditation import services

    first = submitted_application(school, leader)
    services.application_withdraw(actor=leader, application=first)
    second = draft_application(school, leader, with_check=False)
    source = first.evidence.first()
    url = reverse("accreditation:evidence_reuse", args=[school.urn, second.pk, source.pk])
    assert as_user(colleague).post(url).status_code == 403
    assert as_user(coordinator).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    assert not second.evidence.exists()
    assert as_user(leader).post(url).status_code == 302
    assert second.evidence.get().reused_from == source
