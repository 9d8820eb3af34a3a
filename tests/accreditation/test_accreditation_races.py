"""Two people at once, for real: PostgreSQL, threads, separate connections."""

import pytest
from accreditation_helpers import complete, draft_application, eligible, in_review
from concurrency import run_together
from conftest import enrol_totp
from factories import UserFactory, grant

from accreditation import services
from accreditation.models import Application, ApplicationHistory, Award
from accreditation.services import AccreditationError, InvalidTransition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = Application.Status


@pytest.fixture
def second_coordinator(partnership):
    user = UserFactory(full_name="Second Coordinator")
    grant(user, "coordinator", partnership=partnership)
    enrol_totp(user)
    return user


@pytest.mark.parametrize("decisions", [(True, False), (True, True), (False, False)])
def test_two_coordinators_deciding_at_once_one_decides_the_other_is_refused(
    school, leader, coordinator, second_coordinator, decisions
):
    application = in_review(school, leader, coordinator)
    first, second = decisions
    outcomes = run_together(
        lambda: services.application_decide(
            actor=coordinator, application=application, award=first, feedback="First."
        ),
        lambda: services.application_decide(
            actor=second_coordinator, application=application, award=second, feedback="Second."
        ),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    refused = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(refused, InvalidTransition)
    winner = next(i for i, (kind, _) in enumerate(outcomes) if kind == "ok")
    application.refresh_from_db()
    assert application.status == (S.AWARDED if decisions[winner] else S.NOT_AWARDED)
    assert application.decided_by == (coordinator, second_coordinator)[winner]
    assert Award.objects.filter(application=application).count() == (1 if decisions[winner] else 0)
    decided = ApplicationHistory.objects.filter(application=application, from_status=S.IN_REVIEW)
    assert decided.count() == 1


def test_a_decision_and_a_request_for_changes_at_once(
    school, leader, coordinator, second_coordinator
):
    from accreditation_helpers import some_not_met

    application = in_review(school, leader, coordinator)
    outcomes = run_together(
        lambda: services.application_decide(
            actor=coordinator, application=application, award=True, feedback="Yes."
        ),
        lambda: services.application_request_changes(
            actor=second_coordinator, application=application, pillars=some_not_met(application)
        ),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    application.refresh_from_db()
    assert application.status in (S.AWARDED, S.CHANGES_REQUESTED)
    assert (
        ApplicationHistory.objects.filter(application=application, from_status=S.IN_REVIEW).count()
        == 1
    )


def test_two_leaders_pressing_start_at_once_get_one_application(school, leader):
    colleague = UserFactory()
    grant(colleague, "school_leader", school=school)
    eligible(school, leader)
    outcomes = run_together(
        lambda: services.application_start(actor=leader, school=school),
        lambda: services.application_start(actor=colleague, school=school),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1].pk == outcomes[1][1].pk
    assert Application.objects.count() == 1


def test_submit_and_withdraw_at_once_one_wins(school, leader):
    colleague = UserFactory()
    grant(colleague, "school_leader", school=school)
    application = complete(draft_application(school, leader), leader)
    outcomes = run_together(
        lambda: services.application_submit(actor=leader, application=application),
        lambda: services.application_withdraw(actor=colleague, application=application),
    )
    kinds = [kind for kind, _ in outcomes]
    application.refresh_from_db()
    if kinds == ["ok", "ok"]:
        # Submitted first, then withdrawn (allowed from submitted): both moves recorded.
        assert application.status == S.WITHDRAWN
        assert application.history.count() == 3
    else:
        assert sorted(kinds) == ["error", "ok"], outcomes
        assert isinstance(next(v for k, v in outcomes if k == "error"), AccreditationError)
        assert application.history.count() == 2
