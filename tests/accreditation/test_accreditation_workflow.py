"""The application's state machine: the table, the one transition helper, what each step
needs, history and audit rows, the emails to the people who must act, and that posted
extra fields change nothing."""

import pytest
from accreditation_helpers import (
    all_judged,
    complete,
    draft_application,
    in_review,
    some_not_met,
    submitted_application,
)
from django.core import mail
from django.urls import reverse

from accreditation import services
from accreditation.models import Application, ApplicationHistory, Award, PillarJudgement
from accreditation.services import AccreditationError, InvalidTransition
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db

S = Application.Status


def test_the_transition_table_is_the_one_in_the_issue():
    assert Application.TRANSITIONS == {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.IN_REVIEW, S.WITHDRAWN},
        S.IN_REVIEW: {S.CHANGES_REQUESTED, S.AWARDED, S.NOT_AWARDED},
        S.CHANGES_REQUESTED: {S.RESUBMITTED},
        S.RESUBMITTED: {S.IN_REVIEW},
        S.AWARDED: set(),
        S.NOT_AWARDED: set(),
        S.WITHDRAWN: set(),
    }


def test_submitting_needs_a_statement_and_evidence_for_every_pillar(school, leader):
    application = draft_application(school, leader)
    with pytest.raises(AccreditationError) as refused:
        services.application_submit(actor=leader, application=application)
    assert "Well Culture: write a statement" in refused.value.message
    assert "add at least one evidence item" in refused.value.message
    application.refresh_from_db()
    assert application.status == S.DRAFT
    complete(application, leader)
    services.application_submit(actor=leader, application=application)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submitted_at is not None


def test_every_step_writes_history_and_audit_and_emails_who_acts(
    school, leader, coordinator, on_commit
):
    with on_commit():
        application = submitted_application(school, leader)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "has applied for accreditation" in mail.outbox[0].subject

    mail.outbox.clear()
    with on_commit():
        services.application_assign_reviewer(
            actor=coordinator, application=application, reviewer=coordinator
        )
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Please review" in mail.outbox[0].subject

    mail.outbox.clear()
    with on_commit():
        services.application_request_changes(
            actor=coordinator, application=application, pillars=some_not_met(application)
        )
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert "Changes requested" in mail.outbox[0].subject

    pillar = application.framework.pillars.order_by("order").first()
    services.pillar_save(
        actor=leader,
        application=application,
        pillar=pillar,
        statement="Now with pupil voice.",
        reply="Added the pupil survey.",
    )
    mail.outbox.clear()
    with on_commit():
        services.application_resubmit(actor=leader, application=application)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]  # reviewer = coordinator: once

    services.application_resume_review(actor=coordinator, application=application)
    mail.outbox.clear()
    with on_commit():
        services.application_decide(
            actor=coordinator, application=application, award=True, feedback="Excellent."
        )
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert "is accredited" in mail.outbox[0].subject

    application.refresh_from_db()
    assert application.status == S.AWARDED
    moves = list(
        ApplicationHistory.objects.filter(application=application).values_list(
            "from_status", "to_status"
        )
    )
    assert moves == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.RESUBMITTED),
        (S.RESUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.AWARDED),
    ]
    last = ApplicationHistory.objects.filter(application=application).last()
    assert last.actor == coordinator and last.comment == "Excellent."
    actions = set(
        AuditEvent.objects.filter(object_id=str(application.pk)).values_list("action", flat=True)
    )
    assert {
        "accreditation.started",
        "accreditation.submitted",
        "accreditation.in_review",
        "accreditation.reviewer_assigned",
        "accreditation.changes_requested",
        "accreditation.resubmitted",
        "accreditation.awarded",
    } <= actions
    assert application.review_round == 2
    assert PillarJudgement.objects.get(application=application, pillar=pillar, round=1).reply == (
        "Added the pupil survey."
    )


@pytest.mark.parametrize(
    "attempt",
    [
        "submit_twice",
        "decide_before_review",
        "resubmit_a_draft",
        "withdraw_in_review",
        "review_a_submitted",
        "decide_twice",
        "resume_in_review",
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(attempt, school, leader, coordinator):
    if attempt == "submit_twice":
        application = submitted_application(school, leader)
        call = lambda: services.application_submit(actor=leader, application=application)  # noqa: E731
    elif attempt == "decide_before_review":
        application = submitted_application(school, leader)
        call = lambda: services.application_decide(  # noqa: E731
            actor=coordinator, application=application, award=True, feedback="Yes"
        )
    elif attempt == "resubmit_a_draft":
        application = complete(draft_application(school, leader), leader)
        call = lambda: services.application_resubmit(actor=leader, application=application)  # noqa: E731
    elif attempt == "withdraw_in_review":
        application = in_review(school, leader, coordinator)
        call = lambda: services.application_withdraw(actor=leader, application=application)  # noqa: E731
    elif attempt == "review_a_submitted":
        application = submitted_application(school, leader)
        call = lambda: services.application_request_changes(  # noqa: E731
            actor=coordinator, application=application, pillars=some_not_met(application)
        )
    elif attempt == "decide_twice":
        application = in_review(school, leader, coordinator)
        services.application_decide(
            actor=coordinator, application=application, award=False, feedback="Not yet."
        )
        call = lambda: services.application_decide(  # noqa: E731
            actor=coordinator, application=application, award=True, feedback="Changed my mind"
        )
    else:
        application = in_review(school, leader, coordinator)
        call = lambda: services.application_resume_review(  # noqa: E731
            actor=coordinator, application=application
        )
    application.refresh_from_db()
    before = (application.status, application.history.count())
    with pytest.raises(AccreditationError):
        call()
    application.refresh_from_db()
    assert (application.status, application.history.count()) == before
    if attempt == "decide_twice":
        assert not Award.objects.filter(application=application).exists()


def test_a_stale_copy_cannot_move_an_application_already_moved(school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    stale = Application.objects.get(pk=application.pk)
    services.application_decide(
        actor=coordinator, application=application, award=True, feedback="Well done."
    )
    # The stale copy still says "in review"; the lock and the re-check see the truth.
    assert stale.status == S.IN_REVIEW
    with pytest.raises(InvalidTransition, match="awarded"):
        services.application_decide(
            actor=coordinator, application=stale, award=False, feedback="No."
        )
    assert Award.objects.filter(application=application).count() == 1


def test_withdraw_from_draft_and_from_submitted(
    school, leader, other_school, other_leader, coordinator, on_commit
):
    draft = draft_application(school, leader)
    services.application_withdraw(actor=leader, application=draft, reason="Next year.")
    draft.refresh_from_db()
    assert draft.status == S.WITHDRAWN
    assert draft.history.last().comment == "Next year."
    submitted = submitted_application(other_school, other_leader)
    mail.outbox.clear()
    with on_commit():
        services.application_withdraw(actor=other_leader, application=submitted, reason="Ofsted")
    submitted.refresh_from_db()
    assert submitted.status == S.WITHDRAWN
    # The coordinators, who had it in their queue, are told.
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Their reason: Ofsted" in mail.outbox[0].body


def test_only_leaders_change_the_application(school, leader, colleague, governor, coordinator):
    application = complete(draft_application(school, leader), leader)
    for person in (colleague, governor, coordinator):
        with pytest.raises(AccreditationError):
            services.application_submit(actor=person, application=application)
    with pytest.raises(AccreditationError):
        services.application_assign_reviewer(
            actor=leader, application=application, reviewer=coordinator
        )


# --- nobody changes a state, a reviewer or a decision by posting extra fields -----------


EXTRA = {
    "status": "awarded",
    "reviewer": "1",
    "reviewer_id": "1",
    "decision": "award",
    "decided_by": "1",
    "recommendation": "award",
    "round": "9",
    "review_round": "9",
    "application": "999",
    "school": "999",
}


def test_extra_fields_on_the_pillar_page_change_nothing(as_user, school, leader, coordinator):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    url = reverse("accreditation:pillar", args=[school.urn, application.pk, pillar.key])
    response = as_user(leader).post(
        url, {"statement": "Our practice.", **EXTRA, "reviewer": str(coordinator.pk)}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.reviewer_id is None
    assert application.decided_by_id is None and application.recommendation == ""
    assert application.review_round == 1
    assert application.statements.get(pillar=pillar).text == "Our practice."


def test_extra_fields_on_the_review_page_change_nothing(
    as_user, school, leader, coordinator, other_school
):
    application = in_review(school, leader, coordinator)
    url = reverse(
        "accreditation_review:review",
        args=[school.memberships.first().partnership.slug, application.pk],
    )
    response = as_user(coordinator).post(
        url,
        {
            **EXTRA,
            "reviewer": str(leader.pk),
            "recommendation": "award",
            "action": "save",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert application.reviewer_id == coordinator.pk
    assert application.decided_by_id is None
    assert application.review_round == 1


def test_extra_fields_on_submit_and_withdraw_change_nothing(as_user, school, leader, coordinator):
    application = complete(draft_application(school, leader), leader)
    client = as_user(leader)
    client.post(
        reverse("accreditation:submit", args=[school.urn, application.pk]),
        {**EXTRA, "reviewer": str(coordinator.pk), "status": "awarded"},
    )
    application.refresh_from_db()
    assert application.status == S.SUBMITTED  # the one move the button makes
    assert application.reviewer_id is None


def test_a_school_leader_cannot_post_to_the_coordinators_forms(
    as_user, school, leader, partnership
):
    application = submitted_application(school, leader)
    client = as_user(leader)
    for name, data in [
        ("assign", {"reviewer": str(leader.pk)}),
        ("decide", {"decision": "award", "feedback": "Me!"}),
    ]:
        response = client.post(
            reverse(f"accreditation_review:{name}", args=[partnership.slug, application.pk]), data
        )
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.reviewer_id is None


def test_request_changes_needs_every_pillar_judged_and_a_comment_where_not_met(
    school, leader, coordinator
):
    application = in_review(school, leader, coordinator)
    partial = dict(list(all_judged(application).items())[:2])
    with pytest.raises(AccreditationError, match="Judge every pillar first"):
        services.application_request_changes(
            actor=coordinator, application=application, pillars=partial
        )
    with pytest.raises(AccreditationError, match="nothing to change"):
        services.application_request_changes(
            actor=coordinator, application=application, pillars=all_judged(application)
        )
    from accreditation.services.review import PillarReview

    silent = all_judged(application)
    first = next(iter(silent))
    silent[first] = PillarReview("not_met", "")
    with pytest.raises(AccreditationError, match="Tell the school what to change"):
        services.application_request_changes(
            actor=coordinator, application=application, pillars=silent
        )
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_resubmitting_needs_a_reply_where_the_reviewer_asked(school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    services.application_request_changes(
        actor=coordinator, application=application, pillars=some_not_met(application)
    )
    with pytest.raises(AccreditationError, match="Reply to the reviewer"):
        services.application_resubmit(actor=leader, application=application)
    pillar = application.framework.pillars.order_by("order").first()
    services.pillar_save(
        actor=leader,
        application=application,
        pillar=pillar,
        statement="Updated.",
        reply="See the new survey.",
    )
    services.application_resubmit(actor=leader, application=application)
    application.refresh_from_db()
    assert application.status == S.RESUBMITTED


def test_the_school_does_not_see_a_review_in_progress(as_user, school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    services.review_save(
        actor=coordinator,
        application=application,
        pillars=some_not_met(application),
    )
    page = as_user(leader).get(application.get_absolute_url())
    assert "Show how pupils are heard." not in page.content.decode()
    services.application_request_changes(
        actor=coordinator, application=application, pillars=some_not_met(application)
    )
    pillar = application.framework.pillars.order_by("order").first()
    page = as_user(leader).get(
        reverse("accreditation:pillar", args=[school.urn, application.pk, pillar.key])
    )
    assert "Show how pupils are heard." in page.content.decode()
    assert "Your reply to the reviewer" in page.content.decode()
