"""Issue 14 for accreditation: deciding asks first and says what will happen, renewal opens
90 days before the award ends (not on the award day), the coordinator's application page
links to the certificate, an evidence item can be changed, and a new review round starts
without the previous round's recommendation."""

from datetime import date, timedelta

import pytest
from accreditation_helpers import (
    all_judged,
    award_for,
    in_review,
    some_not_met,
    submitted_check,
)
from django.urls import reverse
from django.utils import timezone

from accreditation import services
from accreditation.models import Application, Evidence
from accreditation.selectors import eligibility
from accreditation.services import AccreditationError

pytestmark = pytest.mark.django_db
S = Application.Status


def _decide(partnership, application):
    return reverse("accreditation_review:decide", args=[partnership.slug, application.pk])


def test_not_awarding_asks_first_and_says_what_will_happen(
    as_user, school, leader, coordinator, partnership
):
    application = in_review(school, leader, coordinator)
    client = as_user(coordinator)
    page = client.get(application.get_coordinator_url()).content.decode()
    assert "Continue</button>" in page and "confirm on the next page" in page

    confirm = client.post(
        _decide(partnership, application),
        {"decision": "not_award", "feedback": "Lead Well needs evidence of pupil voice."},
    )

    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert f"Not award accreditation to {school.name}?" in html
    assert "closed as <strong>not awarded</strong>" in html
    assert "Lead Well needs evidence of pupil voice." in html
    assert "Yes, do not award" in html and "This cannot be undone." in html
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW

    client.post(
        _decide(partnership, application),
        {
            "decision": "not_award",
            "feedback": "Lead Well needs evidence of pupil voice.",
            "confirm": "yes",
        },
    )
    application.refresh_from_db()
    assert application.status == S.NOT_AWARDED
    assert application.decision_feedback == "Lead Well needs evidence of pupil voice."


def test_the_award_confirmation_names_the_end_date(
    as_user, school, leader, coordinator, partnership
):
    application = in_review(school, leader, coordinator)
    html = (
        as_user(coordinator)
        .post(_decide(partnership, application), {"decision": "award", "feedback": "Well done."})
        .content.decode()
    )
    from accreditation.dates import award_valid_until

    until = award_valid_until(timezone.localdate())
    assert f"until <strong>{until.day} {until:%B %Y}</strong>" in html
    assert "Yes, award accreditation" in html


def test_an_invalid_decision_is_shown_on_the_application_page_not_confirmed(
    as_user, school, leader, coordinator, partnership
):
    application = in_review(school, leader, coordinator)
    response = as_user(coordinator).post(_decide(partnership, application), {"decision": "award"})
    assert response.status_code == 400
    assert "feedback" in response.context["decision_form"].errors


# --- renewal ---------------------------------------------------------------------------------


def test_renewal_is_not_offered_on_the_award_day(as_user, school, leader, partnership):
    submitted_check(school, leader)
    award = award_for(school, partnership, awarded_on=timezone.localdate())
    result = eligibility(school=school)
    assert not result.eligible
    opens = award.valid_until - timedelta(days=90)
    assert f"Renewal opens on {opens.day} {opens:%B %Y}" in result.missing[0]
    page = as_user(leader).get(school.get_absolute_url()).content.decode()
    assert "Start a renewal application" not in page
    with pytest.raises(AccreditationError, match="Renewal opens on"):
        services.application_start(actor=leader, school=school)


def test_renewal_opens_ninety_days_before_the_award_ends(as_user, school, leader, partnership):
    submitted_check(school, leader)
    today = timezone.localdate()
    award_for(school, partnership, awarded_on=today - timedelta(days=600), valid_until=today)
    assert eligibility(school=school, today=today - timedelta(days=1)).eligible
    assert not eligibility(school=school, today=today - timedelta(days=91)).eligible
    page = as_user(leader).get(school.get_absolute_url()).content.decode()
    assert "Start a renewal application" in page


# --- the certificate link --------------------------------------------------------------------


def test_the_coordinators_application_page_links_to_the_certificate(
    as_user, school, leader, coordinator, partnership
):
    application = in_review(school, leader, coordinator)
    services.application_decide(
        actor=coordinator, application=application, award=True, feedback="Well done."
    )
    award = application.award
    html = as_user(coordinator).get(application.get_coordinator_url()).content.decode()
    certificate = reverse("accreditation:certificate", args=[school.urn, award.pk])
    assert f'action="{certificate}"' in html and "Download the certificate" in html
    assert award.get_verify_url() in html
    response = as_user(coordinator).post(certificate)
    assert response.status_code == 302 and "/documents/" in response.url


# --- a new review round ----------------------------------------------------------------------


def test_a_new_review_round_starts_without_the_last_rounds_recommendation(
    as_user, school, leader, coordinator, partnership
):
    application = in_review(school, leader, coordinator)
    services.application_request_changes(
        actor=coordinator,
        application=application,
        pillars=some_not_met(application),
        comment="Round one: show how pupils are heard.",
    )
    services.pillar_save(
        actor=leader,
        application=application,
        pillar=application.framework.pillars.order_by("order").first(),
        statement="Now with pupil voice.",
        reply="Added the pupil survey.",
    )
    services.application_resubmit(actor=leader, application=application)
    services.application_resume_review(actor=coordinator, application=application)
    application.refresh_from_db()
    assert (application.recommendation, application.recommendation_comment) == ("", "")
    client = as_user(coordinator)
    summary = client.get(application.get_coordinator_url()).content.decode()
    assert "<dt>Recommendation</dt>" not in summary
    # The earlier round's note stays where it belongs: in the history.
    assert "Round one: show how pupils are heard." in summary
    review = client.get(application.get_review_url())
    assert review.context["form"]["recommendation_comment"].value() in ("", None)

    services.review_save(
        actor=coordinator,
        application=application,
        pillars=all_judged(application),
        recommendation=Application.Recommendation.AWARD,
        comment="Round two: ready.",
    )
    summary = client.get(application.get_coordinator_url()).content.decode()
    assert "Round two: ready." in summary


# --- changing an evidence item -----------------------------------------------------------------


@pytest.fixture
def item(school, leader):
    submitted_check(school, leader)
    application = services.application_start(actor=leader, school=school)
    pillar = application.framework.pillars.order_by("order").first()
    return Evidence.objects.create(
        application=application,
        pillar=pillar,
        kind=Evidence.Kind.LINK,
        title="PE curriculum",
        dated=date(2026, 1, 15),
        url="https://example.org/pe",
        added_by=leader,
    )


def _edit_url(item):
    return reverse(
        "accreditation:evidence_edit",
        args=[item.application.school.urn, item.application.pk, item.pk],
    )


def test_a_leader_changes_an_evidence_item(as_user, leader, item):
    client = as_user(leader)
    pillar_page = client.get(
        reverse(
            "accreditation:pillar",
            args=[item.application.school.urn, item.application.pk, item.pillar.key],
        )
    ).content.decode()
    assert _edit_url(item) in pillar_page
    page = client.get(_edit_url(item)).content.decode()
    assert 'value="2026-01-15"' in page and 'name="note"' not in page

    response = client.post(
        _edit_url(item),
        {"title": "PE curriculum map", "dated": "2026-02-01", "url": "https://example.org/pe2"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.dated, item.url) == (
        "PE curriculum map",
        date(2026, 2, 1),
        "https://example.org/pe2",
    )


def test_bad_evidence_changes_are_refused_next_to_the_field_and_kept(as_user, leader, item):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = as_user(leader).post(
        _edit_url(item), {"title": "", "dated": future, "url": "not a link at all"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "dated", "url"}
    assert "cannot be in the future" in form.errors["dated"][0]
    assert f'value="{future}"' in response.content.decode()
    item.refresh_from_db()
    assert item.title == "PE curriculum"


def test_a_malformed_date_is_a_form_error(as_user, leader, item):
    response = as_user(leader).post(
        _edit_url(item), {"title": "PE", "dated": "31/02/2026", "url": "https://example.org"}
    )
    assert response.status_code == 400 and "dated" in response.context["form"].errors


def test_evidence_edit_trio(as_user, leader, colleague, outsider, item):
    url = _edit_url(item)
    assert as_user(leader).get(url).status_code == 200
    for person, status in [(colleague, 403), (outsider, 404)]:
        assert as_user(person).get(url).status_code == status
        assert as_user(person).post(url, {"title": "x", "dated": "2026-01-01"}).status_code == (
            status
        )
    item.refresh_from_db()
    assert item.title == "PE curriculum"


def test_a_submitted_applications_evidence_cannot_be_changed(leader, item):
    from accreditation_helpers import complete

    complete(item.application, leader)
    services.application_submit(actor=leader, application=item.application)
    with pytest.raises(AccreditationError, match="cannot be changed now"):
        services.evidence_update(
            actor=leader, evidence=item, title="New", dated=date(2026, 1, 1), url="https://x.org"
        )
