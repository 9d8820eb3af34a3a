"""Services that change Well Checks, answers and action plans."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role, School
from partnership.selectors import leader_emails
from wellschools.audit import audit_record
from wellschools.email import email_send
from wellschools.errors import DomainError
from wellschools.models import User
from wellschools.workflow import history_note, transition

from .models import (
    Action,
    ActionUpdate,
    Answer,
    DataAnswer,
    DataQuestion,
    Pillar,
    Question,
    Rating,
    WellCheck,
    WellCheckScore,
    academic_year_of,
)
from .permissions import can_edit_wellcheck, can_reopen_wellcheck
from .scores import score_rows_for
from .selectors import framework_current, missing_questions


class WellCheckError(DomainError):
    pass


class AnswerConflict(WellCheckError):
    """A colleague changed this answer after you loaded it: neither answer is lost."""

    def __init__(self, *, theirs):
        name = theirs.updated_by.display_name if theirs.updated_by else "A colleague"
        super().__init__(
            f"{name} changed this answer while you were working on it. "
            "Compare the two and choose which to keep."
        )
        self.theirs = theirs


def _partnership_id(school: School) -> int | None:
    return school.memberships.values_list("partnership_id", flat=True).first()


def _require_editor(actor: User, school: School) -> None:
    if not can_edit_wellcheck(actor, school):
        raise WellCheckError("Only the school's leaders can change its Well Check.")


# --- starting and answering -----------------------------------------------------------


def wellcheck_start(*, actor: User, school: School, today: date | None = None) -> WellCheck:
    """Start this academic year's Well Check (or return the one a colleague started)."""
    _require_editor(actor, school)
    year = academic_year_of(today or timezone.localdate())
    existing = WellCheck.objects.filter(school=school, academic_year=year).first()
    if existing:
        return existing
    framework = framework_current()
    if framework is None:
        raise WellCheckError("No framework has been published yet.")
    try:
        with transaction.atomic():
            well_check = WellCheck.objects.create(
                school=school, academic_year=year, framework=framework, started_by=actor
            )
            history_note(well_check, actor=actor, created=True)
            audit_record(
                actor=actor,
                action="wellcheck.started",
                target=well_check,
                partnership_id=_partnership_id(school),
                data={"year": well_check.year_label, "framework": framework.number},
            )
    except IntegrityError:
        # Two leaders pressed Start at once: both continue the same check.
        return WellCheck.objects.get(school=school, academic_year=year)
    return well_check


def _lock_open_check(well_check: WellCheck) -> WellCheck:
    # Saves on one check queue for a moment on this row (each is a few milliseconds), and
    # nobody can answer while a submission holds it.
    locked = WellCheck.objects.select_for_update(no_key=True).get(pk=well_check.pk)
    if locked.status != WellCheck.Status.IN_PROGRESS:
        raise WellCheckError("This Well Check has been submitted; it can no longer be changed.")
    return locked


def _lock_answer(model, well_check: WellCheck, question):
    """The open check's row, then the question's answer row (or None), both locked."""
    locked = _lock_open_check(well_check)
    answer = (
        model.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(well_check=locked, question=question)
        .first()
    )
    return locked, answer


def answer_save(
    *,
    actor: User,
    well_check: WellCheck,
    question: Question,
    rating: str,
    comment: str = "",
    expected_version: int = 0,
    force: bool = False,
) -> Answer:
    """Save one answer. ``expected_version`` is the version the person loaded (0 if it
    was unanswered); if a colleague saved a different answer since, AnswerConflict."""
    _require_editor(actor, well_check.school)
    if rating not in Rating.values:
        raise WellCheckError("Choose one of the four ratings.", field="rating")
    if question.pillar.framework_id != well_check.framework_id:
        raise WellCheckError("This question is not part of this Well Check.")
    comment = comment.strip()
    with transaction.atomic():
        locked, answer = _lock_answer(Answer, well_check, question)
        current_version = answer.version if answer else 0
        if answer and answer.rating == rating and answer.comment == comment:
            return answer  # nothing to change (also: both colleagues chose the same)
        if current_version != expected_version and not force:
            if answer is not None:
                raise AnswerConflict(theirs=answer)
        now = timezone.now()
        if answer is None:
            answer = Answer.objects.create(
                well_check=locked,
                question=question,
                rating=rating,
                comment=comment,
                updated_by=actor,
                updated_at=now,
            )
        else:
            answer.rating, answer.comment = rating, comment
            answer.version += 1
            answer.updated_by, answer.updated_at = actor, now
            answer.save(update_fields=["rating", "comment", "version", "updated_by", "updated_at"])
        WellCheck.objects.filter(pk=locked.pk).update(last_activity_at=now)
    return answer


def data_answer_save(
    *,
    actor: User,
    well_check: WellCheck,
    question: DataQuestion,
    value: Decimal,
    expected_version: int = 0,
    force: bool = False,
) -> DataAnswer:
    _require_editor(actor, well_check.school)
    if question.framework_id != well_check.framework_id:
        raise WellCheckError("This question is not part of this Well Check.")
    if not question.minimum <= value <= question.maximum:
        raise WellCheckError(
            f"Enter a number from {question.minimum.normalize():f} to "
            f"{question.maximum.normalize():f} {question.unit}.",
            field="value",
        )
    if question.integer_only and value != value.to_integral_value():
        raise WellCheckError("Enter a whole number.", field="value")
    with transaction.atomic():
        locked, answer = _lock_answer(DataAnswer, well_check, question)
        if answer and answer.value == value:
            return answer
        if answer and answer.version != expected_version and not force:
            raise AnswerConflict(theirs=answer)
        now = timezone.now()
        if answer is None:
            answer = DataAnswer.objects.create(
                well_check=locked, question=question, value=value, updated_by=actor, updated_at=now
            )
        else:
            answer.value = value
            answer.version += 1
            answer.updated_by, answer.updated_at = actor, now
            answer.save(update_fields=["value", "version", "updated_by", "updated_at"])
        WellCheck.objects.filter(pk=locked.pk).update(last_activity_at=now)
    return answer


# --- submitting and reopening ----------------------------------------------------------


def _scores_refresh(*, school_id: int, submitted: WellCheck | None = None) -> None:
    """Keep the score summary true: the submitted check's scores (in the same transaction
    as the submission), and which of the school's checks is its latest. Two checks of one
    school submitted at once queue on the school row."""
    School.objects.select_for_update().filter(pk=school_id).values_list("pk").first()
    if submitted is not None:
        (row,) = score_rows_for(
            [submitted.pk], WellCheck=WellCheck, Answer=Answer, Question=Question
        )
        WellCheckScore.objects.update_or_create(
            well_check_id=row.pop("well_check_id"), defaults={**row, "is_latest": False}
        )
    scores = WellCheckScore.objects.filter(school_id=school_id)
    latest = scores.order_by("-academic_year").values_list("pk", flat=True).first()
    scores.exclude(pk=latest).filter(is_latest=True).update(is_latest=False)
    if latest is not None:
        scores.filter(pk=latest).update(is_latest=True)


def wellcheck_scores_rebuild(*, school_ids: list[int]) -> int:
    """Write the score summary again for these schools' submitted checks — for checks
    written without ``wellcheck_submit`` (the demo data, the benchmark's cases)."""
    submitted = list(
        WellCheck.objects.filter(school_id__in=school_ids, status=WellCheck.Status.SUBMITTED)
        .order_by("school_id", "-academic_year")
        .values_list("pk", "school_id")
    )
    latest: dict[int, int] = {}
    for pk, school_id in submitted:
        latest.setdefault(school_id, pk)
    with transaction.atomic():
        WellCheckScore.objects.filter(school_id__in=school_ids).delete()
        WellCheckScore.objects.bulk_create(
            WellCheckScore(**row, is_latest=latest[row["school_id"]] == row["well_check_id"])
            for row in score_rows_for(
                [pk for pk, _ in submitted], WellCheck=WellCheck, Answer=Answer, Question=Question
            )
        )
    return len(submitted)


def wellcheck_submit(*, actor: User, well_check: WellCheck) -> WellCheck:
    _require_editor(actor, well_check.school)

    def complete(locked: WellCheck) -> None:
        missing = missing_questions(locked)
        if missing:
            raise WellCheckError(
                f"Answer every question before submitting: {len(missing)} still to answer."
            )

    with transaction.atomic():
        locked = transition(
            well_check,
            to=WellCheck.Status.SUBMITTED,
            actor=actor,
            check=complete,
            fields={"submitted_by": actor, "submitted_at": timezone.now()},
            audit="wellcheck.submitted",
            audit_data={"year": well_check.year_label},
            partnership_id=_partnership_id(well_check.school),
            error=WellCheckError,
        )
        _scores_refresh(school_id=locked.school_id, submitted=locked)
    return locked


def wellcheck_reopen(*, actor: User, well_check: WellCheck, reason: str) -> WellCheck:
    if not can_reopen_wellcheck(actor, well_check.school):
        raise WellCheckError("Only the partnership's coordinators can reopen a Well Check.")
    reason = reason.strip()
    if not reason:
        raise WellCheckError("Say why the Well Check is being reopened.", field="reason")
    with transaction.atomic():
        locked = transition(
            well_check,
            to=WellCheck.Status.IN_PROGRESS,
            actor=actor,
            comment=reason,
            fields={"submitted_by": None, "submitted_at": None, "last_activity_at": timezone.now()},
            audit="wellcheck.reopened",
            audit_data={"year": well_check.year_label, "reason": reason},
            partnership_id=_partnership_id(well_check.school),
            error=WellCheckError,
        )
        WellCheckScore.objects.filter(well_check=locked).delete()
        _scores_refresh(school_id=locked.school_id)
        leaders = leader_emails(school=locked.school)
        if leaders:
            email_send(
                to=leaders,
                template="wellcheck_reopened",
                kind="wellcheck_reopened",
                about=locked,
                context={
                    "well_check": locked,
                    "reason": reason,
                    "coordinator": actor,
                    "url": settings.SITE_URL
                    + reverse("wellcheck:check", args=[locked.school.urn, locked.academic_year]),
                },
            )
    return locked


# --- the action plan -----------------------------------------------------------------------


def _check_owner(school: School, owner: User | None) -> None:
    if owner is not None and not Role.objects.filter(user=owner, school=school).exists():
        raise WellCheckError("The owner must be someone at the school.", field="owner")


def action_create(
    *,
    actor: User,
    well_check: WellCheck,
    pillar: Pillar,
    title: str,
    success_measure: str,
    due_date: date,
    owner: User | None = None,
    question: Question | None = None,
    status: str = Action.Status.NOT_STARTED,
) -> Action:
    _require_editor(actor, well_check.school)
    if pillar.framework_id != well_check.framework_id:
        raise WellCheckError("Choose a pillar of this Well Check.", field="pillar")
    _check_owner(well_check.school, owner)
    with transaction.atomic():
        WellCheck.objects.select_for_update().get(pk=well_check.pk)
        if (
            Action.objects.filter(well_check=well_check, pillar=pillar).count()
            >= Action.MAX_PER_PILLAR
        ):
            raise WellCheckError(
                f"{pillar.name} already has {Action.MAX_PER_PILLAR} priorities: finish or "
                "change one before adding another.",
                field="pillar",
            )
        action = Action.objects.create(
            well_check=well_check,
            pillar=pillar,
            question=question,
            title=title.strip(),
            owner=owner,
            success_measure=success_measure.strip(),
            due_date=due_date,
            status=status,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="action.created",
            target=action,
            partnership_id=_partnership_id(well_check.school),
            data={"pillar": pillar.key},
        )
    return action


def action_update(
    *,
    actor: User,
    action: Action,
    title: str,
    success_measure: str,
    due_date: date,
    status: str,
    owner: User | None,
) -> Action:
    _require_editor(actor, action.well_check.school)
    _check_owner(action.well_check.school, owner)
    action.title, action.success_measure = title.strip(), success_measure.strip()
    action.due_date, action.status, action.owner = due_date, status, owner
    action.save(update_fields=["title", "success_measure", "due_date", "status", "owner"])
    return action


def action_delete(*, actor: User, action: Action) -> None:
    """Delete an action and its progress updates (the page asks first); audited with its
    title so that the plan's history still says what was there."""
    _require_editor(actor, action.well_check.school)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="action.deleted",
            target=action,
            partnership_id=_partnership_id(action.well_check.school),
            data={"title": action.title, "pillar": action.pillar.key},
        )
        Action.objects.filter(pk=action.pk).delete()


def action_progress_add(*, actor: User, action: Action, note: str, on: date) -> ActionUpdate:
    _require_editor(actor, action.well_check.school)
    if not note.strip():
        raise WellCheckError("Write what happened.", field="note")
    return ActionUpdate.objects.create(action=action, note=note.strip(), on=on, author=actor)
