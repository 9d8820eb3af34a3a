"""What the partnership does with an application: assign a reviewer, judge the pillars,
ask the school for changes, resume the review and decide."""

from datetime import date
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from partnership.selectors import leader_emails
from wellschools.audit import audit_record
from wellschools.documents import document_request
from wellschools.models import User

from .. import selectors
from ..dates import award_valid_until
from ..models import Application, Award, PillarJudgement
from ..permissions import (
    accreditation_conflict_reason,
    accreditation_reviewer_refusal,
    can_manage_accreditation,
    can_review_accreditation,
)
from .workflow import (
    AccreditationError,
    clock_stopped,
    locked,
    tell,
    transition,
)

S = Application.Status
J = PillarJudgement.Judgement


class PillarReview(NamedTuple):
    judgement: str  # one of PillarJudgement.Judgement, or "" (not judged yet)
    comment: str


def _require_coordinator(actor: User, application: Application) -> None:
    if not can_manage_accreditation(actor, application.partnership):
        raise AccreditationError("Only the partnership's coordinators can do this.")


def _require_reviewer(actor: User, row: Application) -> None:
    """The assigned reviewer or a coordinator, with no conflict of interest (a role at the
    applicant school or its trust may have been granted since the assignment)."""
    if not can_review_accreditation(
        actor, partnership=row.partnership, reviewer_id=row.reviewer_id
    ):
        raise AccreditationError("Only the assigned reviewer or a coordinator can review this.")
    conflict = accreditation_conflict_reason(actor, school=row.school)
    if conflict:
        raise AccreditationError(conflict)


# --- assigning ------------------------------------------------------------------------------


def application_assign_reviewer(
    *, actor: User, application: Application, reviewer: User, today: date | None = None
) -> Application:
    """Assign (or change) the reviewer. A submitted application goes into review."""
    _require_coordinator(actor, application)
    with transaction.atomic():
        row = locked(application)
        if row.status not in Application.ASSIGNABLE:
            raise AccreditationError(
                f"This application is {row.get_status_display().lower()}: its reviewer "
                "cannot be changed now."
            )
        refusal = accreditation_reviewer_refusal(
            reviewer,
            school=row.school,
            partnership=row.partnership,
            accredited_school_ids=selectors.accredited_school_ids(
                partnership=row.partnership, today=today
            ),
        )
        if refusal:
            raise AccreditationError(refusal, field="reviewer")
        if row.reviewer_id == reviewer.pk and row.status != S.SUBMITTED:
            return row
        previous = row.reviewer
        note = f"Reviewer: {reviewer.display_name}."
        if row.status == S.SUBMITTED:
            row = transition(
                application=row,
                to=S.IN_REVIEW,
                actor=actor,
                comment=note,
                fields={"reviewer": reviewer},
                audit_data={"reviewer": reviewer.email},
            )
        else:
            row.reviewer = reviewer
            row.save(update_fields=["reviewer"])
        audit_record(
            actor=actor,
            action="accreditation.reviewer_assigned",
            target=row,
            partnership_id=row.partnership_id,
            data={
                "reviewer": reviewer.email,
                "previous": previous.email if previous else None,
            },
        )
        tell(
            to=[reviewer.email],
            template="accreditation_review_assigned",
            application=row,
            actor=actor,
            reviewer=reviewer,
        )
    return row


# --- judging --------------------------------------------------------------------------------


def _write_review(
    *,
    actor: User,
    row: Application,
    pillars: dict[int, PillarReview],
    recommendation: str,
    comment: str,
) -> None:
    valid_pillars = set(row.framework.pillars.values_list("pk", flat=True))
    if set(pillars) - valid_pillars:
        raise AccreditationError("A judgement is about a pillar outside this application.")
    if recommendation and recommendation not in Application.Recommendation.values:
        raise AccreditationError("Choose a recommendation from the list.", field="recommendation")
    now = timezone.now()
    current = {
        j.pillar_id: (j.judgement, j.comment)
        for j in PillarJudgement.objects.filter(application=row, round=row.review_round)
    }
    for pillar_id, review in pillars.items():
        if review.judgement and review.judgement not in J.values:
            raise AccreditationError("Choose met, partly met or not met.")
        if current.get(pillar_id) == (review.judgement, review.comment.strip()):
            continue  # unchanged: keep who judged it and when
        PillarJudgement.objects.update_or_create(
            application=row,
            pillar_id=pillar_id,
            round=row.review_round,
            defaults={
                "judgement": review.judgement,
                "comment": review.comment.strip(),
                "judged_by": actor,
                "judged_at": now,
            },
        )
    row.recommendation = recommendation
    row.recommendation_comment = comment.strip()
    row.save(update_fields=["recommendation", "recommendation_comment"])


def review_save(
    *,
    actor: User,
    application: Application,
    pillars: dict[int, PillarReview],
    recommendation: str = "",
    comment: str = "",
) -> Application:
    """Save the reviewer's work so far (judgements, comments, recommendation)."""
    with transaction.atomic():
        row = locked(application)
        _require_reviewer(actor, row)
        if row.status != S.IN_REVIEW:
            raise AccreditationError(
                f"This application is {row.get_status_display().lower()}: the review can be "
                "changed only while it is in review."
            )
        _write_review(
            actor=actor, row=row, pillars=pillars, recommendation=recommendation, comment=comment
        )
    return row


def _changes_can_be_requested(row: Application) -> None:
    judgements = {
        j.pillar_id: j
        for j in row.judgements.filter(round=row.review_round).select_related("pillar")
    }
    missing = [
        p.name
        for p in row.framework.pillars.all()
        if not getattr(judgements.get(p.pk), "judgement", "")
    ]
    if missing:
        raise AccreditationError(f"Judge every pillar first: {', '.join(missing)}.")
    uncommented = [j.pillar.name for j in judgements.values() if j.needs_reply and not j.comment]
    if uncommented:
        raise AccreditationError(
            "Tell the school what to change in every pillar that is not met: "
            + ", ".join(uncommented)
            + "."
        )
    if not any(j.needs_reply for j in judgements.values()):
        raise AccreditationError(
            "Every pillar is met, so there is nothing to change: recommend an award instead."
        )


def application_request_changes(
    *,
    actor: User,
    application: Application,
    pillars: dict[int, PillarReview],
    recommendation: str = Application.Recommendation.CHANGES,
    comment: str = "",
) -> Application:
    """Save the review and send the application back to the school, which sees the
    comments per pillar and replies in place."""
    with transaction.atomic():
        row = locked(application)
        _require_reviewer(actor, row)
        if row.status == S.IN_REVIEW:
            _write_review(
                actor=actor,
                row=row,
                pillars=pillars,
                recommendation=recommendation or Application.Recommendation.CHANGES,
                comment=comment,
            )
        # ``comment`` is the reviewer's note to the coordinators: it stays on the
        # application (``recommendation_comment``) and never reaches the school's history,
        # email or documents. The school reads the per-pillar comments.
        row = transition(
            application=row,
            to=S.CHANGES_REQUESTED,
            actor=actor,
            check=_changes_can_be_requested,
            fields=clock_stopped(row),
        )
        tell(
            to=leader_emails(school=row.school),
            template="accreditation_changes_requested",
            application=row,
            actor=actor,
        )
    return row


def application_resume_review(*, actor: User, application: Application) -> Application:
    """A resubmitted application goes back into review, in a new round. The earlier
    round's recommendation and note stay in the history, not in the new round's summary."""
    with transaction.atomic():
        row = locked(application)
        _require_reviewer(actor, row)
        if row.status != S.RESUBMITTED:
            # Only the school's changes restart a review; a submitted application goes
            # into review by assigning its reviewer (and "resume" on it was a 500).
            raise AccreditationError(
                f"This application is {row.get_status_display().lower()}: only a "
                "resubmitted application can go back into review."
            )
        row = transition(
            application=row,
            to=S.IN_REVIEW,
            actor=actor,
            fields={
                "review_round": row.review_round + 1,
                "recommendation": "",
                "recommendation_comment": "",
            },
        )
    return row


# --- deciding ---------------------------------------------------------------------------------


def _award_create(row: Application, today: date) -> Award:
    # 50 random bits make a clash of codes very unlikely; a clash just draws again.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Award.objects.create(
                    application=row,
                    partnership=row.partnership,
                    school=row.school,
                    awarded_on=today,
                    valid_until=award_valid_until(today),
                )
        except IntegrityError:
            if Award.objects.filter(application=row).exists():
                raise
    raise AccreditationError("Could not create the award; please try again.")


def application_decide(
    *,
    actor: User,
    application: Application,
    award: bool,
    feedback: str,
    today: date | None = None,
) -> Application:
    """Award or do not award, with feedback to the school. Awarding creates the award
    (valid to 31 August of the next academic year) and asks a worker for the certificate."""
    _require_coordinator(actor, application)
    feedback = feedback.strip()
    if not feedback:
        raise AccreditationError("Write feedback to the school.", field="feedback")
    conflict = accreditation_conflict_reason(actor, school=application.school)
    if conflict:
        raise AccreditationError(conflict)
    today = today or timezone.localdate()
    with transaction.atomic():
        row = locked(application)
        fields = {
            **clock_stopped(row),
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_feedback": feedback,
        }
        row = transition(
            application=row,
            to=S.AWARDED if award else S.NOT_AWARDED,
            actor=actor,
            comment=feedback,
            fields=fields,
        )
        granted = None
        if award:
            granted = _award_create(row, today)
            audit_record(
                actor=actor,
                action="accreditation.award_granted",
                target=granted,
                partnership_id=row.partnership_id,
                data={"school": row.school.urn, "valid_until": granted.valid_until.isoformat()},
            )
            document_request(actor=actor, kind="accreditation_certificate", subject=granted)
        tell(
            to=leader_emails(school=row.school),
            template="accreditation_decided",
            application=row,
            actor=actor,
            award=granted,
            feedback=feedback,
        )
    return row
