"""What a school does with its application: start, write, add evidence, submit, withdraw,
reply to the reviewer and resubmit."""

from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnership.models import School
from partnership.selectors import coordinator_emails
from wellcheck.models import Pillar
from wellcheck.selectors import framework_current
from wellschools.audit import audit_record
from wellschools.models import User
from wellschools.uploads import UploadRefused, check_upload
from wellschools.workflow import history_note

from .. import selectors
from ..models import Application, Evidence, PillarJudgement, PillarStatement
from ..permissions import can_apply_for_accreditation
from .workflow import (
    AccreditationError,
    clock_stopped,
    locked,
    tell,
    transition,
)

S = Application.Status


def _require_leader(actor: User, school: School) -> None:
    if not can_apply_for_accreditation(actor, school):
        raise AccreditationError("Only the school's leaders can change its application.")


def _editable(application: Application) -> Application:
    """Lock the application for a change by the school (call inside atomic). After the
    lock, so an edit never slips into an application a colleague has just submitted."""
    row = locked(application)
    if row.status not in Application.EDITABLE:
        raise AccreditationError(
            f"This application is {row.get_status_display().lower()}: it cannot be changed now."
        )
    return row


# --- starting --------------------------------------------------------------------------------


def application_start(*, actor: User, school: School, today: date | None = None) -> Application:
    """Start an application (or return the one in progress). A school with an earlier
    application starts from it: its statements are copied and its evidence offered for
    reuse."""
    _require_leader(actor, school)
    check = selectors.eligibility(school=school, today=today)
    if check.open_application is not None:
        return check.open_application
    if check.missing:
        raise AccreditationError(" ".join(check.missing))
    framework = framework_current()
    if framework is None:
        raise AccreditationError("No Well Check framework has been published yet.")
    partnership = check.partnership
    previous = selectors.previous_application(school=school, partnership=partnership)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                partnership=partnership,
                school=school,
                framework=framework,
                previous=previous,
                created_by=actor,
            )
            earlier = {}
            if previous is not None:
                earlier = {
                    s.pillar.key: s.text for s in previous.statements.select_related("pillar")
                }
            PillarStatement.objects.bulk_create(
                PillarStatement(
                    application=application,
                    pillar=pillar,
                    text=earlier.get(pillar.key, ""),
                    updated_by=actor,
                )
                for pillar in framework.pillars.order_by("order", "pk")
            )
            history_note(
                application,
                actor=actor,
                comment="Started from the previous application." if previous else "",
                created=True,
            )
            audit_record(
                actor=actor,
                action="accreditation.started",
                target=application,
                partnership_id=partnership.pk,
                data={"school": school.urn, "previous": previous.pk if previous else None},
            )
    except IntegrityError:
        # Two leaders pressed Start at once: both continue the same application.
        existing = Application.objects.filter(
            school=school, partnership=partnership, status__in=Application.OPEN
        ).first()
        if existing is None:
            raise
        return existing
    return application


# --- writing: the pillar page saves statement, reply and one new item together -----------


def _evidence_new(
    *,
    actor: User,
    application: Application,
    pillar: Pillar,
    title: str,
    dated: date,
    upload=None,
    url: str = "",
    note: str = "",
) -> Evidence:
    given = [bool(upload), bool(url.strip()), bool(note.strip())]
    if sum(given) != 1:
        raise AccreditationError(
            "Give one of: a file, a link, or a note saying where the document is.", field="file"
        )
    if not title.strip():
        raise AccreditationError("Say what this evidence shows.", field="title")
    if dated > timezone.localdate():
        raise AccreditationError("The date of the evidence cannot be in the future.", field="dated")
    item = Evidence(
        application=application,
        pillar=pillar,
        title=title.strip(),
        dated=dated,
        added_by=actor,
    )
    if upload:
        try:
            file_type = check_upload(upload)
        except UploadRefused as refusal:
            raise AccreditationError(refusal.message, field="file") from None
        item.kind = Evidence.Kind.FILE
        item.original_name = (upload.name or "evidence")[-200:]
        item.content_type = file_type.mime
        item.size = upload.size
        upload.seek(0)
        item.file.save(f"upload{file_type.extension}", upload, save=False)
    elif url.strip():
        item.kind, item.url = Evidence.Kind.LINK, url.strip()
    else:
        item.kind, item.note = Evidence.Kind.NOTE, note.strip()
    try:
        item.save()
    except Exception:
        if item.file:
            item.file.storage.delete(item.file.name)
        raise
    return item


def pillar_save(
    *,
    actor: User,
    application: Application,
    pillar: Pillar,
    statement: str,
    reply: str | None = None,
    evidence: dict | None = None,
) -> Evidence | None:
    """Save the pillar page: the statement, the reply to the reviewer (when changes were
    requested) and, if given, one new evidence item (``evidence``: title, dated and one of
    upload, url, note). All or nothing; returns the new item."""
    _require_leader(actor, application.school)
    if pillar.framework_id != application.framework_id:
        raise AccreditationError("This pillar is not part of this application.")
    item = None
    stored_file = None
    try:
        with transaction.atomic():
            row = _editable(application)
            now = timezone.now()
            # Saving the page unchanged changes nothing (not even who saved it last).
            if not PillarStatement.objects.filter(
                application=row, pillar=pillar, text=statement.strip()
            ).exists():
                PillarStatement.objects.update_or_create(
                    application=row,
                    pillar=pillar,
                    defaults={"text": statement.strip(), "updated_by": actor, "updated_at": now},
                )
            if reply is not None and row.status == S.CHANGES_REQUESTED:
                PillarJudgement.objects.filter(
                    application=row, pillar=pillar, round=row.review_round
                ).exclude(reply=reply.strip()).update(
                    reply=reply.strip(), replied_by=actor, replied_at=now
                )
            if evidence:
                item = _evidence_new(actor=actor, application=row, pillar=pillar, **evidence)
                stored_file = item.file.name or None
    except Exception:
        if stored_file:
            item.file.storage.delete(stored_file)
        raise
    return item


def evidence_remove(*, actor: User, evidence: Evidence) -> None:
    _require_leader(actor, evidence.application.school)
    with transaction.atomic():
        _editable(evidence.application)
        name = evidence.file.name if evidence.file else ""
        storage = evidence.file.storage
        evidence.delete()
        if name:
            # The file goes only once the removal is committed.
            transaction.on_commit(lambda: storage.delete(name), robust=True)


def evidence_update(
    *,
    actor: User,
    evidence: Evidence,
    title: str,
    dated: date,
    url: str = "",
    note: str = "",
    today: date | None = None,
) -> Evidence:
    """Correct an item's description, date and (for a link or a note) where it is. A file
    stays the file it is: to replace it, remove the item and add the new file."""
    _require_leader(actor, evidence.application.school)
    title = title.strip()
    if not title:
        raise AccreditationError("Say what this evidence shows.", field="title")
    if dated > (today or timezone.localdate()):
        raise AccreditationError("The date of the evidence cannot be in the future.", field="dated")
    with transaction.atomic():
        _editable(evidence.application)
        row = Evidence.objects.select_for_update().get(pk=evidence.pk)
        row.title, row.dated = title, dated
        if row.kind == Evidence.Kind.LINK:
            if not url.strip():
                raise AccreditationError("Give the link.", field="url")
            row.url = url.strip()
        elif row.kind == Evidence.Kind.NOTE:
            if not note.strip():
                raise AccreditationError("Say where the document is.", field="note")
            row.note = note.strip()
        row.save(update_fields=["title", "dated", "url", "note"])
    return row


def evidence_reuse(*, actor: User, application: Application, source: Evidence) -> Evidence:
    """Copy an item of the school's earlier application into this one (a file is copied
    too, so removing either never touches the other). It keeps its date, so an item older
    than 12 months stays flagged."""
    _require_leader(actor, application.school)
    if source.application.school_id != application.school_id or source.application_id == (
        application.pk
    ):
        raise AccreditationError("This evidence cannot be reused here.")
    pillar = application.framework.pillars.filter(key=source.pillar.key).first()
    if pillar is None:
        raise AccreditationError("This application has no such pillar.")
    with transaction.atomic():
        row = _editable(application)
        if row.evidence.filter(reused_from=source).exists():
            raise AccreditationError("This evidence has already been reused.")
        copy = Evidence(
            application=row,
            pillar=pillar,
            kind=source.kind,
            title=source.title,
            dated=source.dated,
            original_name=source.original_name,
            content_type=source.content_type,
            size=source.size,
            url=source.url,
            note=source.note,
            reused_from=source,
            added_by=actor,
        )
        if source.kind == Evidence.Kind.FILE:
            try:
                with source.file.open("rb") as handle:
                    content = handle.read()
            except FileNotFoundError:
                raise AccreditationError(
                    "The file of this evidence is missing; upload it again."
                ) from None
            copy.file.save(f"reused{source.file.name[-6:]}", ContentFile(content), save=False)
        try:
            copy.save()
        except Exception:
            if copy.file:
                copy.file.storage.delete(copy.file.name)
            raise
    return copy


# --- submitting, withdrawing, resubmitting --------------------------------------------------


def _complete(row: Application) -> None:
    gaps = selectors.submission_gaps(row)
    if gaps:
        raise AccreditationError(
            "Before submitting, every pillar needs a statement and at least one evidence "
            "item. Still missing: " + " ".join(gaps)
        )


def application_submit(*, actor: User, application: Application) -> Application:
    _require_leader(actor, application.school)
    now = timezone.now()
    with transaction.atomic():
        row = transition(
            application=application,
            to=S.SUBMITTED,
            actor=actor,
            check=_complete,
            fields={"submitted_at": now, "waiting_since": now, "working_days_used": 0},
        )
        tell(
            to=coordinator_emails(partnership=row.partnership),
            template="accreditation_submitted",
            application=row,
            actor=actor,
        )
    return row


def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    _require_leader(actor, application.school)
    with transaction.atomic():
        row = locked(application)
        fields = clock_stopped(row) if row.submitted_at else {}
        was_submitted = row.status == S.SUBMITTED
        row = transition(
            application=row,
            to=S.WITHDRAWN,
            actor=actor,
            comment=reason.strip(),
            fields=fields,
        )
        if was_submitted:
            tell(
                to=coordinator_emails(partnership=row.partnership),
                template="accreditation_withdrawn",
                application=row,
                actor=actor,
                reason=reason.strip(),
            )
    return row


def _ready_to_resubmit(row: Application) -> None:
    _complete(row)
    missing = selectors.replies_missing(row)
    if missing:
        names = ", ".join(p.name for p in missing)
        raise AccreditationError(
            f"Reply to the reviewer's comments on every pillar they asked about: {names}."
        )


def application_resubmit(*, actor: User, application: Application) -> Application:
    _require_leader(actor, application.school)
    with transaction.atomic():
        row = transition(
            application=application,
            to=S.RESUBMITTED,
            actor=actor,
            check=_ready_to_resubmit,
            fields={"waiting_since": timezone.now()},
        )
        to = coordinator_emails(partnership=row.partnership)
        if row.reviewer is not None and row.reviewer.is_active:
            to = [row.reviewer.email, *to]
        tell(to=to, template="accreditation_resubmitted", application=row, actor=actor)
    return row
