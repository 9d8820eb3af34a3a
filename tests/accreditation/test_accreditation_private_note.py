"""A reviewer's note to the coordinators never reaches the school (tenancy issue,
finding 7): not its pages, not its emails, not the application's history."""

import pytest
from accreditation_helpers import accredited_school, in_review, submitted_application
from django.core import mail
from django.urls import reverse

from accreditation import services
from accreditation.models import Application
from accreditation.services import AccreditationError

pytestmark = pytest.mark.django_db
PRIVATE = "PRIVATE-NOTE the head seemed unsure about the survey"


def test_the_note_to_the_coordinators_stays_with_the_coordinators(
    as_user, on_commit, school, leader, coordinator, partnership
):
    _accredited, peer, _award = accredited_school(partnership)
    application = in_review(school, leader, coordinator, reviewer=peer)
    pillars = list(application.framework.pillars.order_by("order"))
    data = {f"judgement_{p.pk}": "met" for p in pillars}
    data[f"judgement_{pillars[1].pk}"] = "not_met"
    data[f"comment_{pillars[1].pk}"] = "Please add the staff survey results."
    data["recommendation"] = "changes"
    data["recommendation_comment"] = PRIVATE
    url = reverse("accreditation_review:review", args=[partnership.slug, application.pk])
    mail.outbox.clear()
    with on_commit():
        response = as_user(peer).post(url, {**data, "action": "request_changes"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.CHANGES_REQUESTED
    assert application.recommendation_comment == PRIVATE  # kept for the coordinators

    to_school = [m for m in mail.outbox if leader.email in m.to]
    assert to_school, "the school's leaders are told about the changes"
    for message in to_school:
        bodies = [message.body, *(content for content, _type in message.alternatives)]
        assert all(PRIVATE not in body for body in [message.subject, *bodies])
        assert "staff survey results" not in message.subject
    assert not application.history.filter(comment__contains="PRIVATE-NOTE").exists()

    school_client = as_user(leader)
    pages = [
        reverse("accreditation:application", args=[school.urn, application.pk]),
        reverse("accreditation:overview", args=[school.urn]),
        *[
            reverse("accreditation:pillar", args=[school.urn, application.pk, p.key])
            for p in pillars
        ],
    ]
    for page in pages:
        response = school_client.get(page)
        assert response.status_code == 200, page
        assert PRIVATE not in response.content.decode(), page
    # The per-pillar comment is the school's to read.
    pillar_page = school_client.get(pages[2 + 1]).content.decode()
    assert "Please add the staff survey results." in pillar_page
    coordinator_page = as_user(coordinator).get(
        reverse("accreditation_review:application", args=[partnership.slug, application.pk])
    )
    assert PRIVATE in coordinator_page.content.decode()


def test_resuming_a_review_that_was_never_sent_back_is_refused(school, leader, coordinator):
    application = submitted_application(school, leader)
    with pytest.raises(AccreditationError, match="only a resubmitted application"):
        services.application_resume_review(actor=coordinator, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
