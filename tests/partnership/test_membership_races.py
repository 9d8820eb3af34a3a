"""Status changes are judged under the row's lock: a stale page or a colleague acting at
the same moment cannot slip a membership or a role past the rules."""

import pytest
from concurrency import run_together
from factories import UserFactory, grant

from partnership.models import Membership, MembershipHistory, Role
from partnership.services import membership_apply, membership_set_status, role_remove
from wellschools.errors import DomainError

M = Membership.Status


@pytest.fixture
def left_membership(school):
    membership = Membership.objects.get(school=school)
    membership.status = M.LEFT
    membership.save(update_fields=["status"])
    return membership


@pytest.mark.django_db
def test_a_stale_status_is_checked_again_under_the_lock(left_membership, coordinator, leader):
    stale = Membership.objects.get(pk=left_membership.pk)  # the coordinator's page: "left"
    membership_apply(
        actor=leader, partnership=stale.partnership, school=stale.school, role_title="Head"
    )
    with pytest.raises(DomainError, match="cannot be changed that way"):
        membership_set_status(actor=coordinator, membership=stale, status=M.ACTIVE)
    # The application waits for a decision; it was not turned into a membership by the side
    # door of "restore".
    assert Membership.objects.get(pk=stale.pk).status == M.APPLIED
    assert list(
        MembershipHistory.objects.filter(membership=stale).values_list("from_status", "to_status")
    ) == [(M.LEFT, M.APPLIED)]


@pytest.mark.django_db
def test_every_membership_move_writes_history_and_audit(school, coordinator):
    from wellschools.models import AuditEvent

    membership = Membership.objects.get(school=school)
    membership_set_status(actor=coordinator, membership=membership, status=M.LAPSED)
    membership_set_status(actor=coordinator, membership=membership, status=M.ACTIVE)
    rows = MembershipHistory.objects.filter(membership=membership)
    assert [(r.from_status, r.to_status, r.actor) for r in rows] == [
        (M.ACTIVE, M.LAPSED, coordinator),
        (M.LAPSED, M.ACTIVE, coordinator),
    ]
    assert AuditEvent.objects.filter(action="membership.status_changed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_and_reapply_at_once_only_one_wins(left_membership, coordinator, leader):
    stale = Membership.objects.select_related("partnership", "school").get(pk=left_membership.pk)
    outcomes = run_together(
        lambda: membership_apply(
            actor=leader, partnership=stale.partnership, school=stale.school, role_title="Head"
        ),
        lambda: membership_set_status(actor=coordinator, membership=stale, status=M.ACTIVE),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, DomainError)
    final = Membership.objects.get(pk=stale.pk)
    history = list(
        MembershipHistory.objects.filter(membership=final).values_list("from_status", "to_status")
    )
    # One move from "left", to whichever status won; the loser changed nothing.
    assert history == [(M.LEFT, final.status)] and final.status in (M.APPLIED, M.ACTIVE)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leaders_leaving_at_once_leave_one_leader(school, leader):
    second = UserFactory(full_name="Second Leader")
    grant(second, Role.Kind.SCHOOL_LEADER, school=school)
    roles = {
        user: Role.objects.get(user=user, school=school, kind=Role.Kind.SCHOOL_LEADER)
        for user in (leader, second)
    }
    outcomes = run_together(
        *(lambda user=user: role_remove(actor=user, role=roles[user]) for user in roles)
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert "at least one leader" in error.message
    assert Role.objects.filter(school=school, kind=Role.Kind.SCHOOL_LEADER).count() == 1
