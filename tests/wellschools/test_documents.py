"""Generated documents: requested through a page, rendered by the task after commit,
shown as "being prepared" (htmx polling) then a download behind a rights check; failures
say so and can be retried. The partnership member list is the document used here."""

import dataclasses
import io
import os

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory
from pypdf import PdfReader

from partnership.models import Membership
from wellschools import documents as documents_module
from wellschools.celery import app
from wellschools.documents import (
    document_kinds,
    document_render,
    document_request,
    document_retry,
    document_storage_name,
    documents_sweep,
)
from wellschools.errors import DomainError
from wellschools.models import GeneratedDocument
from wellschools.tasks import render_document

pytestmark = pytest.mark.django_db

Status = GeneratedDocument.Status


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _pdf_text(content: bytes) -> str:
    """The text of every page, with line breaks and runs of spaces made single spaces."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _request(partnership, actor=None, execute=True, capture=None):
    with capture(execute=execute) as callbacks:
        document = document_request(actor=actor, kind="member_list", subject=partnership)
    return document, callbacks


def _replace_renderer(monkeypatch, renderer):
    spec = document_kinds()["member_list"]
    monkeypatch.setitem(
        documents_module._kinds, "member_list", dataclasses.replace(spec, renderer=renderer)
    )


# --- the mechanism ----------------------------------------------------------------------


def test_apps_register_their_documents_in_documents_modules():
    spec = document_kinds()["member_list"]
    assert spec.subject_model == "partnership.partnership"
    assert spec.title == "Member list"


def test_render_task_is_routed_to_the_pdf_queue_with_time_limits():
    route = app.amqp.router.route({}, render_document.name)
    assert render_document.name == "wellschools.tasks.render_document"
    assert route["queue"].name == "pdf"
    assert app.amqp.router.route({}, "wellschools.tasks.send_email")["queue"].name == "celery"
    assert render_document.soft_time_limit and render_document.time_limit
    assert render_document.soft_time_limit < render_document.time_limit


def test_the_render_is_enqueued_after_commit_only(
    partnership, coordinator, django_capture_on_commit_callbacks
):
    document, callbacks = _request(
        partnership, coordinator, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert len(callbacks) == 1
    assert document.status == Status.PENDING
    assert document.requested_by == coordinator


def test_a_rolled_back_request_enqueues_nothing(
    partnership, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                document_request(actor=coordinator, kind="member_list", subject=partnership)
                raise RuntimeError("the request failed after asking for the document")
    assert callbacks == []
    assert not GeneratedDocument.objects.exists()


def test_asking_again_while_pending_reuses_the_pending_document(
    partnership, coordinator, django_capture_on_commit_callbacks
):
    first, callbacks = _request(
        partnership, coordinator, execute=False, capture=django_capture_on_commit_callbacks
    )
    second, more = _request(
        partnership, None, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert second.pk == first.pk
    assert len(callbacks) == 1 and more == []
    assert GeneratedDocument.objects.count() == 1


def test_a_document_about_the_wrong_kind_of_subject_is_refused(school, coordinator):
    with pytest.raises(DomainError):
        document_request(actor=coordinator, kind="member_list", subject=school)
    with pytest.raises(DomainError):
        document_request(actor=coordinator, kind="no_such_report", subject=school)


def test_render_builds_the_member_list_from_the_database(
    partnership, school, other_school, coordinator, django_capture_on_commit_callbacks
):
    applicant = SchoolFactory(name="Wychwood Applicant Primary")
    MembershipFactory(partnership=partnership, school=applicant, status=Membership.Status.APPLIED)

    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)

    document.refresh_from_db()
    assert document.status == Status.READY
    assert document.started_at and document.finished_at and document.attempts == 1
    assert document.filename.startswith("oxfordshire-members-")
    assert document.file.name == document_storage_name(document)
    with document.file.open("rb") as handle:
        text = _pdf_text(handle.read())
    assert "Member schools of Oxfordshire Well Schools Partnership" in text
    assert school.name in text and other_school.name in text
    assert "Applications to join" in text and "Wychwood Applicant Primary" in text
    assert "Page 1 of" in text


def test_running_the_task_again_changes_nothing(
    partnership, coordinator, django_capture_on_commit_callbacks
):
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    before = (document.file.name, document.finished_at)
    assert render_document.delay(document.pk).get() is False
    document.refresh_from_db()
    assert (document.file.name, document.finished_at) == before
    assert document.attempts == 1


def test_a_rerun_after_a_killed_worker_rebuilds_and_overwrites_the_file(
    partnership, coordinator, django_capture_on_commit_callbacks
):
    document, _ = _request(
        partnership, coordinator, execute=False, capture=django_capture_on_commit_callbacks
    )
    # The first run was killed after writing part of the file, before it committed.
    GeneratedDocument.objects.filter(pk=document.pk).update(
        started_at=timezone.now(), attempts=1, task_id="render-1"
    )
    storage = document.file.storage
    name = document_storage_name(document)
    storage.save(name, io.BytesIO(b"%PDF-1.7 half a file"))

    # Another task finds it claimed and leaves it alone; the redelivered task renders it.
    assert document_render(document_id=document.pk, task_id="render-2") is False
    assert document_render(document_id=document.pk, task_id="render-1") is True

    document.refresh_from_db()
    assert document.status == Status.READY and document.attempts == 2
    assert document.file.name == name  # overwritten, not a second file beside it
    assert os.listdir(os.path.dirname(storage.path(name))) == [os.path.basename(name)]
    with document.file.open("rb") as handle:
        assert "Member schools of" in _pdf_text(handle.read())


def test_two_runs_of_one_document_store_one_file(partnership, coordinator, monkeypatch):
    """A redelivered task may render while the first run still renders: only the first to
    finish stores its file; the other finds the document no longer pending."""
    spec = document_kinds()["member_list"]
    results = []

    def render_while_another_run_finishes(document):
        _replace_renderer(monkeypatch, spec.renderer)
        results.append(document_render(document_id=document.pk, task_id="t1"))  # redelivered
        return "late.pdf", b"%PDF-1.7 the late run"

    with transaction.atomic():
        document = document_request(actor=coordinator, kind="member_list", subject=partnership)
    _replace_renderer(monkeypatch, render_while_another_run_finishes)
    assert document_render(document_id=document.pk, task_id="t1") is False
    assert results == [True]
    document.refresh_from_db()
    assert document.status == Status.READY and document.filename != "late.pdf"
    assert len(os.listdir(os.path.dirname(document.file.path))) == 1


def test_a_failing_render_is_marked_failed_and_can_be_retried(
    partnership, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    spec = document_kinds()["member_list"]

    def broken(document):
        raise ValueError("the template could not be rendered")

    _replace_renderer(monkeypatch, broken)
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "the template could not be rendered" in document.error
    assert document.finished_at is not None

    _replace_renderer(monkeypatch, spec.renderer)
    with django_capture_on_commit_callbacks(execute=True):
        document_retry(actor=coordinator, document=document)
    document.refresh_from_db()
    assert document.status == Status.READY and document.error == ""
    assert document.attempts == 2


def test_a_render_over_its_time_limit_is_marked_failed(
    partnership, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(document):
        raise SoftTimeLimitExceeded()

    _replace_renderer(monkeypatch, slow)
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "longer than" in document.error


@pytest.fixture
def eager_retries():
    """Eager tasks re-run a retry synchronously only when errors do not propagate."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_storage_errors_are_retried_with_backoff_then_the_document_fails(
    partnership, coordinator, monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    from celery.app.task import Task

    calls, countdowns = [], []
    original_retry = Task.retry

    def disk_full(document):
        calls.append(1)
        raise OSError(28, "No space left on device")

    def recording_retry(self, *args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original_retry(self, *args, **kwargs)

    _replace_renderer(monkeypatch, disk_full)
    monkeypatch.setattr(Task, "retry", recording_retry)
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    # Each retry re-claims the still-pending document; after the last one it fails.
    assert len(calls) == render_document.max_retries + 1
    assert countdowns == [15, 30, 60]
    assert document.status == Status.FAILED and "No space left" in document.error
    assert document.attempts == render_document.max_retries + 1


def test_in_process_a_storage_error_fails_the_document_without_breaking_the_request(
    partnership, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(document):
        raise OSError(28, "No space left on device")

    _replace_renderer(monkeypatch, disk_full)
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == Status.FAILED


def test_only_a_failed_document_can_be_retried(partnership, coordinator):
    with transaction.atomic():
        document = document_request(actor=coordinator, kind="member_list", subject=partnership)
    with pytest.raises(DomainError):
        document_retry(actor=coordinator, document=document)


def test_the_sweep_fails_stalled_renders_and_deletes_old_documents(
    partnership, school, coordinator, django_capture_on_commit_callbacks
):
    old, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    old.refresh_from_db()
    old_path = old.file.path
    GeneratedDocument.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timezone.timedelta(days=100)
    )
    long_ago = timezone.now() - timezone.timedelta(minutes=30)
    stalled = GeneratedDocument.objects.create(
        kind="member_list",
        object_type="partnership.partnership",
        object_id=str(partnership.pk),
        requested_at=long_ago,
        started_at=long_ago,
        attempts=3,  # its third render died too
    )

    result = documents_sweep(retention_days=90)

    stalled.refresh_from_db()
    assert stalled.status == Status.FAILED and "did not finish" in stalled.error
    assert not GeneratedDocument.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(old_path)
    assert result == {"re_enqueued": 0, "restarted": 0, "stalled": 1, "deleted": 1}


def test_the_sweep_renders_again_a_document_whose_worker_died(partnership, coordinator):
    """Started three minutes ago by a task no worker holds: rendered again at once, not
    left "being prepared" until a time-out fails it."""
    long_ago = timezone.now() - timezone.timedelta(minutes=3)
    dead = GeneratedDocument.objects.create(
        kind="member_list",
        object_type="partnership.partnership",
        object_id=str(partnership.pk),
        requested_at=long_ago,
        started_at=long_ago,
        task_id="killed-with-its-worker",
        attempts=1,
    )
    result = documents_sweep()
    dead.refresh_from_db()
    assert result["restarted"] == 1 and result["re_enqueued"] == 1
    assert dead.status == Status.READY and dead.attempts == 2  # the eager task ran


def test_the_sweep_sends_a_lost_render_again(partnership, coordinator):
    long_ago = timezone.now() - timezone.timedelta(minutes=30)
    lost = GeneratedDocument.objects.create(
        kind="member_list",
        object_type="partnership.partnership",
        object_id=str(partnership.pk),
        requested_at=long_ago,
    )
    result = documents_sweep()
    lost.refresh_from_db()
    assert result["re_enqueued"] == 1
    assert lost.status == Status.READY  # the eager task ran


# --- the pages ------------------------------------------------------------------------


def _ask_through_the_page(client, partnership, capture, execute=True):
    with capture(execute=execute):
        response = client.post(reverse("partnership:members_pdf", args=[partnership.slug]))
    assert response.status_code == 302
    return GeneratedDocument.objects.get(), response


def test_the_members_page_offers_the_pdf(as_user, partnership, school, coordinator):
    page = as_user(coordinator).get(reverse("partnership:members", args=[partnership.slug]))
    assert reverse("partnership:members_pdf", args=[partnership.slug]) in page.content.decode()


def test_asking_for_the_member_list_needs_a_post(as_user, partnership, coordinator):
    url = reverse("partnership:members_pdf", args=[partnership.slug])
    assert as_user(coordinator).get(url).status_code == 405


def test_the_pending_page_polls_with_htmx_and_works_without_it(
    as_user, partnership, school, coordinator, django_capture_on_commit_callbacks
):
    client = as_user(coordinator)
    document, response = _ask_through_the_page(
        client, partnership, django_capture_on_commit_callbacks, execute=False
    )
    assert response.url == document.get_absolute_url()

    page = client.get(response.url).content.decode()
    assert 'role="status"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{document.get_absolute_url()}"' in page
    assert "being prepared" in page
    assert f'href="{document.get_absolute_url()}">check again' in page  # a plain reload
    assert "<script>" not in page  # strict CSP: no inline script

    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment


def test_the_ready_fragment_stops_polling_and_links_the_download(
    as_user, partnership, school, coordinator, django_capture_on_commit_callbacks
):
    client = as_user(coordinator)
    document, response = _ask_through_the_page(
        client, partnership, django_capture_on_commit_callbacks
    )
    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("document_download", args=[document.pk]) in fragment

    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert document.filename in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    text = _pdf_text(b"".join(download.streaming_content))
    assert school.name in text


def test_a_failed_document_page_says_so_and_retries(
    as_user, partnership, school, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    spec = document_kinds()["member_list"]
    _replace_renderer(monkeypatch, lambda document: 1 / 0)
    client = as_user(coordinator)
    document, response = _ask_through_the_page(
        client, partnership, django_capture_on_commit_callbacks
    )
    page = client.get(response.url).content.decode()
    assert "could not prepare" in page
    assert "ZeroDivisionError" not in page  # the technical error is for support only
    assert reverse("document_retry", args=[document.pk]) in page
    # The download of an unfinished document goes back to its page.
    assert client.get(reverse("document_download", args=[document.pk])).status_code == 302

    _replace_renderer(monkeypatch, spec.renderer)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("document_retry", args=[document.pk]))
    assert retried.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.READY


def test_retry_needs_a_post(as_user, partnership, coordinator):
    with transaction.atomic():
        document = document_request(actor=coordinator, kind="member_list", subject=partnership)
    url = reverse("document_retry", args=[document.pk])
    assert as_user(coordinator).get(url).status_code == 405


@pytest.fixture
def ready_document(partnership, school, coordinator, django_capture_on_commit_callbacks):
    document, _ = _request(partnership, coordinator, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == Status.READY
    return document


DOCUMENT_PAGES = ["document_detail", "document_download", "document_retry"]


def _status_codes(client, document) -> dict[str, int]:
    codes = {}
    for page in DOCUMENT_PAGES:
        url = reverse(page, args=[document.pk])
        response = client.post(url) if page == "document_retry" else client.get(url)
        codes[page] = response.status_code
    return codes


def test_anonymous_is_sent_to_sign_in(client, ready_document):
    for page in DOCUMENT_PAGES:
        url = reverse(page, args=[ready_document.pk])
        response = client.post(url) if page == "document_retry" else client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["leader", "trust_staff", "other_leader"])
def test_member_without_the_right_gets_403(request, as_user, ready_document, persona):
    client = as_user(request.getfixturevalue(persona))
    assert _status_codes(client, ready_document) == dict.fromkeys(DOCUMENT_PAGES, 403)


def test_outsider_gets_404(as_user, ready_document, outsider):
    assert _status_codes(as_user(outsider), ready_document) == dict.fromkeys(DOCUMENT_PAGES, 404)


def test_coordinator_may_open_and_download(as_user, ready_document, coordinator):
    client = as_user(coordinator)
    assert client.get(reverse("document_detail", args=[ready_document.pk])).status_code == 200
    assert client.get(reverse("document_download", args=[ready_document.pk])).status_code == 200


def test_unknown_document_is_404(as_user, coordinator):
    assert as_user(coordinator).get(reverse("document_detail", args=[999999])).status_code == 404


def test_the_file_is_never_served_as_public_media(client, as_user, ready_document, coordinator):
    media_url = f"/media/{ready_document.file.name}"
    assert client.get(media_url).status_code == 404
    assert as_user(coordinator).get(media_url).status_code == 404
