"""Against real Redis and a real Celery worker process that these tests start and stop.

The worker is another process, so it needs the same database as the test: PostgreSQL,
with transactional tests (data committed for real) and DATABASE_URL pointing at the test
database. It writes files to a shared media folder and email to a shared folder (the file
email backend). Run with, for example:

    DATABASE_URL=postgres://wellschools:wellschools@127.0.0.1:5432/wellschools_bg \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/pytest tests/wellschools -p no:playwright
"""

import email
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from wellschools.celery import app
from wellschools.documents import document_request
from wellschools.email import email_send
from wellschools.models import EmailMessage, GeneratedDocument

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

QUEUES = ("celery", "pdf")
REMINDER = {"subject": "A nudge from the worker", "lines": ["Something is due."]}


@dataclass
class Worker:
    hostname: str
    pid: int
    media: Path
    mail: Path
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _require_services() -> None:
    # The module fixture runs before conftest's per-test guards, so it checks for itself.
    reason = ""
    if connection.vendor != "postgresql":
        reason = "this test needs PostgreSQL (set DATABASE_URL)"
    elif not os.environ.get("REDIS_URL"):
        reason = "this test needs Redis (set REDIS_URL)"
    else:
        try:
            import redis

            redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
        except Exception:
            reason = "this test needs Redis (REDIS_URL does not answer)"
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


def _test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


def _queue_keys(queue: str) -> list[str]:
    # kombu's Redis transport keeps a list per queue and per priority step.
    return [queue] + [f"{queue}\x06\x16{step}" for step in (3, 6, 9)]


def _queued(queue: str) -> int:
    client = _redis()
    return sum(client.llen(key) for key in _queue_keys(queue))


def _wait_for(condition, *, timeout: float, worker: Worker, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{worker.log_tail()}")


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """One worker for the module: `celery -A wellschools worker -Q celery,pdf`, prefork
    with one child as in production (time limits need prefork), stopped with TERM."""
    _require_services()
    base = tmp_path_factory.mktemp("worker")
    media, mail, log = base / "media", base / "mail", base / "worker.log"
    media.mkdir()
    mail.mkdir()
    pidfile = base / "worker.pid"
    hostname = f"bgtest{os.getpid()}@{socket.gethostname()}"
    client = _redis()
    for queue in QUEUES:  # messages left by an interrupted earlier run
        client.delete(*_queue_keys(queue))
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_CONN_MAX_AGE": "0",  # no idle connections left on the test database
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "EMAIL_HOST": "",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wellschools",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--concurrency=1",
        "--pool=prefork",
        f"--hostname={hostname}",
        f"--pidfile={pidfile}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    started = Worker(hostname=hostname, pid=process.pid, media=media, mail=mail, log=log)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The worker did not start:\n{started.log_tail()}")
        started.pid = int(pidfile.read_text().strip())
        yield started
    finally:
        # Warm shutdown: TERM to the pid in the pidfile; the worker reaps its child.
        pid = int(pidfile.read_text().strip()) if pidfile.exists() else process.pid
        try:
            os.kill(pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def real_tasks(worker, settings):
    """Tasks go to Redis for the worker instead of running in this process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.MEDIA_ROOT = str(worker.media)
    yield worker
    app.conf.task_always_eager = previous


def _pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        )
        text = result.stdout.decode()
    else:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def test_a_document_asked_for_through_the_page_is_rendered_by_the_worker(
    real_tasks, as_user, partnership, school, other_school, coordinator
):
    client = as_user(coordinator)
    response = client.post(reverse("partnership:members_pdf", args=[partnership.slug]))
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert response.url == document.get_absolute_url()

    def ready_fragment():
        fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
        document.refresh_from_db()
        if document.status == GeneratedDocument.Status.FAILED:
            pytest.fail(f"The render failed: {document.error}\n{real_tasks.log_tail()}")
        return fragment if "Download" in fragment else None

    fragment = _wait_for(ready_fragment, timeout=60, worker=real_tasks, what="the render")
    assert "hx-trigger" not in fragment

    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    text = _pdf_text(b"".join(download.streaming_content))
    assert "Member schools of Oxfordshire Well Schools Partnership" in text
    assert school.name in text and other_school.name in text
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY and document.attempts == 1
    assert (real_tasks.media / document.file.name).is_file()
    assert "wellschools.tasks.render_document" in real_tasks.log.read_text()


def test_an_email_queued_in_a_committed_transaction_is_delivered_by_the_worker(real_tasks):
    with transaction.atomic():
        (message,) = email_send(
            to="head@school.example",
            template="reminder",
            context=REMINDER,
            kind="worker_test",
            essential=False,
        )

    def sent():
        message.refresh_from_db()
        return message.status == EmailMessage.Status.SENT

    _wait_for(sent, timeout=30, worker=real_tasks, what="the email")
    (written,) = [
        email.message_from_string(path.read_text().split("\n" + "-" * 79)[0])
        for path in real_tasks.mail.iterdir()
    ]
    assert written["To"] == "head@school.example"
    assert written["Subject"] == "[Well Schools] A nudge from the worker"
    unsubscribe = " ".join(written["List-Unsubscribe"].split())
    assert re.fullmatch(r"<http://\S+/email/unsubscribe/\S+/>", unsubscribe)
    assert written["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_rolled_back_transaction_enqueues_nothing(real_tasks, partnership, coordinator):
    # Stop the worker consuming, so whatever is enqueued stays visible in Redis.
    for queue in QUEUES:
        replies = app.control.cancel_consumer(
            queue, destination=[real_tasks.hostname], reply=True, timeout=5
        )
        assert replies, f"the worker did not answer:\n{real_tasks.log_tail()}"
    try:
        assert (_queued("celery"), _queued("pdf")) == (0, 0)
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                email_send(to="head@school.example", template="reminder", context=REMINDER)
                document_request(actor=coordinator, kind="member_list", subject=partnership)
                raise RuntimeError("the request failed")
        time.sleep(0.5)
        assert (_queued("celery"), _queued("pdf")) == (0, 0)
        assert not EmailMessage.objects.exists()
        assert not GeneratedDocument.objects.exists()

        # The same calls committed do reach the queues (so the check above can see them).
        with transaction.atomic():
            (message,) = email_send(to="head@school.example", template="reminder", context=REMINDER)
            document = document_request(actor=coordinator, kind="member_list", subject=partnership)
        assert (_queued("celery"), _queued("pdf")) == (1, 1)
    finally:
        for queue in QUEUES:
            app.control.add_consumer(
                queue, destination=[real_tasks.hostname], reply=True, timeout=5
            )

    def both_done():
        message.refresh_from_db()
        document.refresh_from_db()
        return (
            message.status == EmailMessage.Status.SENT
            and document.status == GeneratedDocument.Status.READY
        )

    _wait_for(both_done, timeout=60, worker=real_tasks, what="the committed tasks")
