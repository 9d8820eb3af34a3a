"""Assigning a reviewer (the conflict-of-interest rule), the review, and the decision."""

from datetime import date, timedelta

import pytest
from accreditation_helpers import (
    accredited_school,
    award_for,
    in_review,
    some_not_met,
    submitted_application,
)
from django.urls import reverse
from django.utils import timezone
from factories import SchoolFactory, UserFactory, grant

from accreditation import services
from accreditation.dates import award_valid_until
from accreditation.models import Application, Award
from accreditation.services import AccreditationError
from partnership.models import Role
from wellschools.models import GeneratedDocument

pytestmark = pytest.mark.django_db

S = Application.Status
K = Role.Kind


def _assign(coordinator, application, reviewer):
    return services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=reviewer
    )


# --- the conflict-of-interest rule ----------------------------------------------------------


def test_a_coordinator_or_a_peer_from_an_accredited_school_can_review(
    school, leader, coordinator, partnership
):
    _accredited, peer, _award = accredited_school(partnership)
    application = submitted_application(school, leader)
    _assign(coordinator, application, peer)
    application.refresh_from_db()
    assert (application.status, application.reviewer) == (S.IN_REVIEW, peer)
    # Changing the reviewer keeps the state.
    _assign(coordinator, application, coordinator)
    application.refresh_from_db()
    assert (application.status, application.reviewer) == (S.IN_REVIEW, coordinator)


@pytest.mark.parametrize("persona", ["leader", "colleague", "governor"])
def test_nobody_from_the_applicant_school_reviews(request, persona, school, leader, coordinator):
    application = submitted_application(school, leader)
    person = request.getfixturevalue(persona)
    with pytest.raises(AccreditationError, match="the applicant school") as refused:
        _assign(coordinator, application, person)
    assert refused.value.field == "reviewer"
    application.refresh_from_db()
    assert (application.status, application.reviewer) == (S.SUBMITTED, None)


@pytest.mark.parametrize("persona", ["trust_lead", "trust_staff"])
def test_nobody_from_the_applicant_schools_trust_reviews(
    request, persona, school, leader, coordinator
):
    application = submitted_application(school, leader)
    with pytest.raises(AccreditationError, match="the applicant school's trust"):
        _assign(coordinator, application, request.getfixturevalue(persona))


def test_a_peer_from_an_accredited_school_in_the_same_trust_is_refused(
    school, leader, coordinator, partnership, trust
):
    _sibling, peer, _award = accredited_school(partnership, name="Sibling Academy", trust=trust)
    application = submitted_application(school, leader)
    with pytest.raises(AccreditationError, match="in the same trust"):
        _assign(coordinator, application, peer)


def test_a_coordinator_who_is_also_a_governor_of_the_applicant_is_refused(
    school, leader, coordinator, partnership
):
    grant(coordinator, K.GOVERNOR, school=school)
    application = submitted_application(school, leader)
    other = UserFactory(full_name="Other Coordinator")
    grant(other, K.COORDINATOR, partnership=partnership)
    with pytest.raises(AccreditationError, match="governor"):
        _assign(other, application, coordinator)
    # ... and cannot decide the application either.
    _assign(other, application, other)
    with pytest.raises(AccreditationError, match="the applicant school"):
        services.application_decide(
            actor=coordinator, application=application, award=True, feedback="Yes"
        )


def test_a_leader_of_a_school_that_is_not_accredited_cannot_review(
    school, leader, coordinator, other_leader
):
    application = submitted_application(school, leader)
    with pytest.raises(AccreditationError, match="currently accredited school"):
        _assign(coordinator, application, other_leader)


def test_a_peer_whose_award_expired_cannot_review(school, leader, coordinator, partnership):
    expired_school = SchoolFactory(name="Lapsed Primary")
    from factories import MembershipFactory

    MembershipFactory(partnership=partnership, school=expired_school)
    peer = UserFactory()
    grant(peer, K.SCHOOL_LEADER, school=expired_school)
    award_for(
        expired_school,
        partnership,
        awarded_on=date(2020, 10, 1),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    application = submitted_application(school, leader)
    with pytest.raises(AccreditationError, match="currently accredited school"):
        _assign(coordinator, application, peer)


def test_a_conflicted_reviewer_is_refused_with_the_reason_next_to_the_field(
    as_user, school, leader, coordinator, partnership, colleague
):
    application = submitted_application(school, leader)
    response = as_user(coordinator).post(
        reverse("accreditation_review:assign", args=[partnership.slug, application.pk]),
        {"reviewer": colleague.pk},
    )
    assert response.status_code == 400
    errors = response.context["assign_form"].errors["reviewer"]
    assert any("the applicant school" in e for e in errors)
    assert "Sam Colleague cannot review or decide this application" in response.content.decode()


def test_a_reviewer_who_joins_the_applicant_school_later_cannot_review(
    school, leader, coordinator, partnership
):
    _accredited, peer, _award = accredited_school(partnership)
    application = in_review(school, leader, coordinator, reviewer=peer)
    grant(peer, K.SCHOOL_STAFF, school=school)
    from partnership.permissions import forget_access

    forget_access(peer)
    with pytest.raises(AccreditationError, match="the applicant school"):
        services.application_request_changes(
            actor=peer, application=application, pillars=some_not_met(application)
        )


# --- the review by a peer -------------------------------------------------------------------


def test_the_assigned_peer_reviews_and_asks_for_changes_through_the_page(
    as_user, school, leader, coordinator, partnership
):
    _accredited, peer, _award = accredited_school(partnership)
    application = in_review(school, leader, coordinator, reviewer=peer)
    pillars = list(application.framework.pillars.order_by("order"))
    url = reverse("accreditation_review:review", args=[partnership.slug, application.pk])
    client = as_user(peer)
    assert client.get(url).status_code == 200
    data = {f"judgement_{p.pk}": "met" for p in pillars}
    data[f"judgement_{pillars[1].pk}"] = "not_met"
    data[f"comment_{pillars[1].pk}"] = "Please add the staff survey results."
    data["recommendation"] = "changes"
    response = client.post(url, {**data, "action": "request_changes"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.CHANGES_REQUESTED
    # The peer cannot decide: that is the coordinators' page.
    decide = reverse("accreditation_review:decide", args=[partnership.slug, application.pk])
    assert client.post(decide, {"decision": "award", "feedback": "x"}).status_code == 403


def test_resuming_starts_a_new_round_keeping_the_first(school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    services.application_request_changes(
        actor=coordinator, application=application, pillars=some_not_met(application)
    )
    pillar = application.framework.pillars.order_by("order").first()
    services.pillar_save(
        actor=leader, application=application, pillar=pillar, statement="More.", reply="Done."
    )
    services.application_resubmit(actor=leader, application=application)
    services.application_resume_review(actor=coordinator, application=application)
    application.refresh_from_db()
    assert (application.status, application.review_round) == (S.IN_REVIEW, 2)
    assert application.judgements.filter(round=1).count() == 4


# --- deciding -------------------------------------------------------------------------------


def test_awarding_creates_the_award_and_asks_for_the_certificate(
    school, leader, coordinator, on_commit, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    application = in_review(school, leader, coordinator)
    with on_commit():
        services.application_decide(
            actor=coordinator,
            application=application,
            award=True,
            feedback="A model of practice.",
            today=date(2026, 3, 12),
        )
    award = Award.objects.get(application=application)
    assert (award.awarded_on, award.valid_until) == (date(2026, 3, 12), date(2027, 8, 31))
    assert len(award.code) == 10 and award.code.isalnum() and award.code.isupper()
    application.refresh_from_db()
    assert application.decided_by == coordinator
    assert application.decision_feedback == "A model of practice."
    document = GeneratedDocument.objects.get(kind="accreditation_certificate")
    assert document.object_id == str(award.pk)
    assert document.status == GeneratedDocument.Status.READY  # rendered in-process (eager)


def test_not_awarding_needs_feedback_and_creates_no_award(school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    with pytest.raises(AccreditationError, match="feedback"):
        services.application_decide(
            actor=coordinator, application=application, award=False, feedback="  "
        )
    services.application_decide(
        actor=coordinator, application=application, award=False, feedback="Not yet: see notes."
    )
    application.refresh_from_db()
    assert application.status == S.NOT_AWARDED
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    "awarded_on, valid_until",
    [
        (date(2025, 9, 1), date(2027, 8, 31)),
        (date(2025, 11, 15), date(2027, 8, 31)),
        (date(2026, 7, 15), date(2027, 8, 31)),
        (date(2026, 8, 31), date(2027, 8, 31)),
        (date(2026, 9, 1), date(2028, 8, 31)),
    ],
)
def test_an_award_is_valid_to_31_august_of_the_next_academic_year(awarded_on, valid_until):
    assert award_valid_until(awarded_on) == valid_until


def test_the_decision_form_on_the_page(as_user, school, leader, coordinator, partnership):
    application = in_review(school, leader, coordinator)
    url = reverse("accreditation_review:decide", args=[partnership.slug, application.pk])
    client = as_user(coordinator)
    missing = client.post(url, {"decision": "award"})
    assert missing.status_code == 400
    assert "feedback" in missing.context["decision_form"].errors
    # The first post asks for confirmation and says what will happen; nothing changes yet.
    confirm = client.post(url, {"decision": "award", "feedback": "Congratulations."})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Award accreditation to" in page and "This cannot be undone" in page
    assert "Congratulations." in page
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    # "Change" goes back to the application page with what was typed.
    change = client.post(url, {"decision": "award", "feedback": "Congratulations.", "change": "1"})
    assert change.context["decision_form"]["feedback"].value() == "Congratulations."
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    response = client.post(
        url, {"decision": "award", "feedback": "Congratulations.", "confirm": "yes"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.AWARDED
