"""Generated documents (PDF reports): the registry, the services and the selectors.

An app declares each kind of document it offers on its AppConfig
(``documents = ["wellcheck.documents.WELLCHECK_REPORT"]``, see ``wellschools.extensions``);
the object is a ``DocumentKind``, usually defined in the app's ``documents.py``::

    WELLCHECK_REPORT = DocumentKind(
        kind="wellcheck_report",
        title="Well Check report",
        subject_model="wellcheck.wellcheck",
        renderer=render_wellcheck_report,        # (document) -> (filename, pdf bytes)
        access=report_access,                    # (user, subject): raises 404 / 403
        back_url=lambda check: check.get_absolute_url(),
    )

A page asks for a document with ``document_request(actor=..., kind=..., subject=...)`` and
redirects to ``document.get_absolute_url()``: that page shows "being prepared" and turns
into a download link when the worker has rendered it. The render task runs after the
request's transaction commits, on the ``pdf`` queue.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone

from .background import enqueue, enqueue_on_commit, running_task_ids, sweep_grace_seconds
from .errors import DomainError
from .extensions import declared
from .models import GeneratedDocument, User

logger = logging.getLogger(__name__)

Renderer = Callable[[GeneratedDocument], tuple[str, bytes]]

# A render cannot run longer than its hard time limit (120 s): one started longer ago
# than this and still pending was killed, whatever the workers say.
STALLED_AFTER = timezone.timedelta(seconds=150)
# Renders of one document in all (the first and two more after a worker died) before the
# sweep records it failed and the page offers "try again".
MAX_RENDER_ATTEMPTS = 3


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document an app offers.

    - ``renderer(document) -> (filename, pdf_bytes)`` rebuilds the whole file from the
      database (``document.subject`` is the subject); it runs in a worker.
    - ``access(user, subject)``: returns if the person may see documents about the
      subject, otherwise raises Http404 (outsider) or PermissionDenied (a member without
      the right), like the getters of the permission modules.
    - ``back_url(subject) -> str``: optional link back from the document's page.
    """

    kind: str
    title: str
    subject_model: str  # "app_label.modelname", lower case
    renderer: Renderer
    access: Callable[[Any, models.Model], Any]
    back_url: Callable[[models.Model], str] | None = None
    # The file shows the subject as the person who asked sees it (e.g. a trust that spans
    # partnerships): only that person opens it, and it is never shared with anyone else.
    per_requester: bool = False

    def authorize(
        self, user, subject: models.Model, document: GeneratedDocument | None = None
    ) -> None:
        """Return if the person may see documents about the subject (and, for a
        per-requester document, this very file); otherwise raise Http404 (outsider) or
        PermissionDenied (a member without the right)."""
        self.access(user, subject)
        if self.per_requester and document is not None and document.requested_by_id != user.pk:
            raise PermissionDenied


_kinds: dict[str, DocumentKind] = {}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        for spec in declared("documents"):
            if spec.kind in _kinds and _kinds[spec.kind] != spec:
                raise ImproperlyConfigured(f"Document kind {spec.kind!r} is declared twice")
            _kinds[spec.kind] = spec
        _discovered = True


def document_kinds() -> dict[str, DocumentKind]:
    _discover()
    return dict(_kinds)


def document_kind(kind: str) -> DocumentKind:
    _discover()
    try:
        return _kinds[kind]
    except KeyError:
        raise DomainError(f"There is no document of the kind “{kind}”.") from None


def document_subject(document: GeneratedDocument) -> models.Model:
    """The object the document is about; Http404 if it is gone."""
    try:
        return document.subject
    except (LookupError, ValueError, models.ObjectDoesNotExist):
        raise Http404("The subject of this document no longer exists") from None


# --- selectors ------------------------------------------------------------------------


def document_latest(*, kind: str, subject: models.Model) -> GeneratedDocument | None:
    """The newest document of this kind about the subject (for a "last report" link)."""
    return (
        GeneratedDocument.objects.filter(
            kind=kind, object_type=subject._meta.label_lower, object_id=str(subject.pk)
        )
        .order_by("-requested_at", "-pk")
        .first()
    )


# --- services ---------------------------------------------------------------------------


def _enqueue(document_id: int) -> None:
    from .tasks import render_document

    # After commit: a rolled-back request enqueues nothing, and the worker always finds
    # the committed row. A broker outage leaves it pending for the sweep.
    enqueue_on_commit(render_document, document_id)


def document_request(*, actor: User | None, kind: str, subject: models.Model) -> GeneratedDocument:
    """Ask for a document; the render runs in a worker once the transaction commits.

    A pending document of the same kind about the same subject is reused, so a double
    click or two people at once start one render. The caller has checked the rights."""
    spec = document_kind(kind)
    if subject._meta.label_lower != spec.subject_model:
        raise DomainError(f"A {spec.title} is not about a {subject._meta.verbose_name}.")
    lookup = {"kind": kind, "object_type": spec.subject_model, "object_id": str(subject.pk)}
    pending = GeneratedDocument.objects.filter(**lookup, status=GeneratedDocument.Status.PENDING)
    existing = pending.first()
    if existing is not None:
        if spec.per_requester and existing.requested_by_id != getattr(actor, "pk", None):
            raise DomainError(
                f"Someone else is preparing a {spec.title} right now. Try again in a minute."
            )
        return existing
    try:
        with transaction.atomic():
            document = GeneratedDocument.objects.create(
                **lookup,
                object_label=str(subject)[:300],
                requested_by=actor if actor is not None and actor.pk else None,
            )
    except IntegrityError:
        # Someone else's request for the same document committed first: share it.
        existing = pending.first()
        if existing is None:
            raise
        if spec.per_requester and existing.requested_by_id != getattr(actor, "pk", None):
            raise DomainError(
                f"Someone else is preparing a {spec.title} right now. Try again in a minute."
            ) from None
        return existing
    _enqueue(document.pk)
    return document


def document_retry(*, actor: User | None, document: GeneratedDocument) -> GeneratedDocument:
    """Try a failed document again. The caller has checked the rights."""
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status != GeneratedDocument.Status.FAILED:
            raise DomainError("Only a document that failed can be tried again.")
        locked.status = GeneratedDocument.Status.PENDING
        locked.error = ""
        locked.started_at = locked.finished_at = None
        locked.requested_at = timezone.now()
        if actor is not None and actor.pk:
            locked.requested_by = actor
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            # A newer request for the same document is already being prepared.
            raise DomainError(
                "This document is already being prepared again; open the latest one."
            ) from None
    _enqueue(locked.pk)
    return locked


def document_storage_name(document: GeneratedDocument) -> str:
    return f"documents/{document.kind}/{document.pk}.pdf"


def document_render(*, document_id: int, task_id: str = "") -> bool:
    """Render one pending document; True if this call finished it.

    Idempotent: a document that is no longer pending, or that another live task has
    claimed, is left alone; a re-run after a killed worker (the same task redelivered, or
    the sweep's new one) rebuilds the whole file from the database and overwrites what an
    earlier run may have left. Errors propagate; the task marks the document failed."""
    mine = models.Q(started_at__isnull=True)
    if task_id:
        mine |= models.Q(task_id=task_id)
    claimed = GeneratedDocument.objects.filter(
        mine, pk=document_id, status=GeneratedDocument.Status.PENDING
    ).update(started_at=timezone.now(), task_id=task_id[:64], attempts=models.F("attempts") + 1)
    if not claimed:
        return False
    document = GeneratedDocument.objects.get(pk=document_id)
    spec = document_kind(document.kind)
    document_subject(document)  # fails the render clearly if the subject is gone
    # Rendering takes a while and holds no lock; two runs of the same document (a
    # redelivered task) may both render, but only the first to finish stores a file.
    filename, pdf = spec.renderer(document)
    with transaction.atomic():
        locked = (
            GeneratedDocument.objects.select_for_update()
            .filter(pk=document_id, status=GeneratedDocument.Status.PENDING)
            .first()
        )
        if locked is None:
            return False
        storage = locked.file.storage
        name = document_storage_name(locked)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(pdf))
        try:
            locked.file.name = saved
            locked.filename = filename[:200]
            locked.status = GeneratedDocument.Status.READY
            locked.error = ""
            locked.finished_at = timezone.now()
            locked.save(update_fields=["file", "filename", "status", "error", "finished_at"])
        except Exception:
            storage.delete(saved)
            raise
    return True


def document_fail(*, document_id: int, error: str) -> None:
    """Mark a pending document failed; the page offers to try again."""
    GeneratedDocument.objects.filter(
        pk=document_id, status=GeneratedDocument.Status.PENDING
    ).update(status=GeneratedDocument.Status.FAILED, error=error[:4000], finished_at=timezone.now())


def documents_sweep(*, retention_days: int | None = None, limit: int = 500) -> dict[str, int]:
    """The minute sweep: send lost renders again, recover renders whose worker died, and
    delete documents (and their files) older than the retention period.

    - pending and never started, older than the grace period: its wake-up call was lost
      (broker outage) — sent again;
    - started, but its task is held by no live worker (``kill -9``, a lost host) or it
      started longer ago than a render may run: started again, or failed after
      ``MAX_RENDER_ATTEMPTS`` renders (the page then offers "try again")."""
    from .tasks import render_document

    now = timezone.now()
    grace = now - timezone.timedelta(seconds=sweep_grace_seconds())
    pending = GeneratedDocument.objects.filter(status=GeneratedDocument.Status.PENDING)
    started = pending.filter(started_at__lt=grace)
    stalled = failed = 0
    if started.exists():
        running = running_task_ids()
        dead = models.Q(started_at__lt=now - STALLED_AFTER)
        if running is not None:
            dead |= ~models.Q(task_id__in=running)
        dead_renders = started.filter(dead)
        failed = dead_renders.filter(attempts__gte=MAX_RENDER_ATTEMPTS).update(
            status=GeneratedDocument.Status.FAILED,
            error="The render did not finish (the worker stopped or hit its time limit).",
            finished_at=now,
        )
        stalled = dead_renders.update(started_at=None, task_id="")
    lost = list(
        pending.filter(started_at__isnull=True, requested_at__lt=grace)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in lost if enqueue(render_document, pk))
    deleted = 0
    if retention_days:
        old = GeneratedDocument.objects.filter(
            requested_at__lt=now - timezone.timedelta(days=retention_days)
        ).exclude(status=GeneratedDocument.Status.PENDING)
        for document in old[:limit].iterator(chunk_size=200):
            if document.file:
                document.file.delete(save=False)
            document.delete()
            deleted += 1
    return {"re_enqueued": sent, "restarted": stalled, "stalled": failed, "deleted": deleted}
