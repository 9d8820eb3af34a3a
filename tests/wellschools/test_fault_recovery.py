"""Faults injected for real: a Redis stopped and started again, Celery workers killed with
SIGKILL mid-send and mid-render, a database connection terminated under a task.

Everything here is started by the tests and stopped by them, by pid: a private
``redis-server`` on a free loopback port (never the machine's shared Redis), Celery worker
and beat processes (each in its own process group, so ``kill -9`` takes the whole worker
as a crash would), and an aiosmtpd SMTP sink on a free loopback port that counts what
arrives by Message-ID. The worker uses the PostgreSQL test database (transactional tests).
Beat runs the minute sweeps every 2 seconds here (``WELLSCHOOLS_SWEEP_SECONDS``); in
production they run every 60 s, which bounds recovery at about two minutes.

Every wait has a deadline; on failure the worker's log is shown.
"""

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from factories import MembershipFactory, SchoolFactory

from events.models import Booking, Event
from wellschools import background
from wellschools.celery import app
from wellschools.documents import document_request
from wellschools.email import email_send
from wellschools.models import EmailMessage, GeneratedDocument

pytestmark = [
    pytest.mark.services,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

# The sweeps' interval for the processes these tests start (production: 60 s). Set
# WELLSCHOOLS_TEST_SWEEP_SECONDS=60 to measure recovery with the production interval.
SWEEP_SECONDS = int(os.environ.get("WELLSCHOOLS_TEST_SWEEP_SECONDS", "2"))
REMINDER = {"subject": "A nudge", "lines": ["Something is due."]}
# Recovery times measured by the tests, printed at the end of the module (pytest -s).
MEASURED: dict[str, float] = {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, *, timeout: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{log()}")


# --- a private Redis, stopped and started by pid ---------------------------------------


class PrivateRedis:
    def __init__(self, base: Path):
        self.port = _free_port()
        self.base = base
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except Exception:
                return False

        _wait_for(answers, timeout=15, what="the private redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def _require_services() -> None:
    reason = ""
    if connection.vendor != "postgresql":
        reason = "this test needs PostgreSQL (set DATABASE_URL)"
    elif not os.environ.get("REDIS_URL"):
        reason = "this test needs Redis (set REDIS_URL)"
    elif not shutil.which("redis-server"):
        reason = "this test needs redis-server to start its own Redis"
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def private_redis(django_db_setup, tmp_path_factory):
    _require_services()
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _use_broker(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(private_redis):
    """This process publishes to the private Redis, for real (no in-process tasks)."""
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    _use_broker(private_redis.url)
    app.conf.task_always_eager = False
    background._broker_down_until = 0.0
    yield private_redis
    if private_redis.process is None:
        private_redis.start()
    app.conf.task_always_eager = previous[1]
    _use_broker(previous[0])
    background._broker_down_until = 0.0


# --- an SMTP sink that counts by Message-ID, and can hold a send half-way -----------------


class SinkHandler:
    def __init__(self):
        self.arrived: list[tuple[str, str]] = []  # (Message-ID, recipient)
        self.hold_next = threading.Event()  # the next RCPT waits until released
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        self.arrived.append((message["Message-ID"], envelope.rcpt_tos[0]))
        return "250 Message accepted for delivery"

    def counts(self) -> Counter:
        return Counter(message_id for message_id, _ in self.arrived)


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, handler
    finally:
        handler.release.set()
        controller.stop()


# --- Celery worker and beat processes, each in its own process group ----------------------


def _test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@dataclass
class Processes:
    base: Path
    env: dict
    started: list[subprocess.Popen] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    hostname: str = ""
    count: int = 0

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.base / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wellschools", *command],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg takes main and children
        )
        log.close()
        self.started.append(process)
        return process

    def start_worker(self, *, queues: str = "celery,pdf", concurrency: int = 2) -> None:
        self.count += 1
        self.hostname = f"faults{os.getpid()}n{self.count}@{socket.gethostname()}"
        self.worker = self._spawn(
            "worker",
            [
                "worker",
                "-Q",
                queues,
                f"--concurrency={concurrency}",
                "--pool=prefork",
                f"--hostname={self.hostname}",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
        )
        _wait_for(
            lambda: app.control.ping(destination=[self.hostname], timeout=0.5),
            timeout=60,
            what="the worker to start",
            log=self.log,
        )

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [
                "beat",
                "-S",
                "celery.beat:PersistentScheduler",
                "-s",
                str(self.base / "beat-schedule"),
                "--loglevel=INFO",
            ],
        )

    def kill_worker(self) -> None:
        """kill -9 of the whole worker (main process and pool children) — a crash."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def log(self) -> str:
        path = self.base / "worker.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        return "Worker log:\n" + "\n".join(lines[-60:])

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except ProcessLookupError:
                    pass
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


@pytest.fixture
def processes(broker, smtp_sink, tmp_path, settings):
    port, _handler = smtp_sink
    media = tmp_path / "media"
    media.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "SITE_URL": django_settings.SITE_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "WELLSCHOOLS_SWEEP_SECONDS": str(SWEEP_SECONDS),
    }
    running = Processes(base=tmp_path, env=env)
    settings.MEDIA_ROOT = str(media)
    try:
        yield running
    finally:
        running.stop_all()


def _statuses(model) -> Counter:
    return Counter(model.objects.values_list("status", flat=True))


def _make_event(partnership, capacity=10) -> Event:
    starts = timezone.now() + timezone.timedelta(days=30)
    return Event.objects.create(
        partnership=partnership,
        title="Launch of the partnership",
        description="Meet the partnership.",
        venue_name="Conference centre",
        venue_address="Grenoble Road, Oxford",
        starts_at=starts,
        ends_at=starts + timezone.timedelta(hours=3),
        capacity=capacity,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=1),
    )


# --- the tests -------------------------------------------------------------------------------


def test_a_booking_while_the_broker_is_down_succeeds_and_its_email_arrives_when_it_is_back(
    processes, broker, smtp_sink, as_user, partnership, school, leader, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _port, sink = smtp_sink
    processes.start_worker()
    processes.start_beat()
    event = _make_event(partnership)

    broker.stop()  # Redis is down
    response = as_user(leader).post(
        reverse("events:book", args=[event.pk]),
        {
            "booking_for": f"school:{school.pk}",
            "attendees-TOTAL_FORMS": "1",
            "attendees-INITIAL_FORMS": "0",
            "attendees-MIN_NUM_FORMS": "1",
            "attendees-MAX_NUM_FORMS": "50",
            "attendees-0-name": "Ada Teacher",
            "attendees-0-email": "ada@example.org",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == booking.get_absolute_url()
    assert booking.status == Booking.Status.CONFIRMED
    page = as_user(leader).get(response.url)
    assert page.status_code == 200 and booking.reference in page.content.decode()
    messages = list(EmailMessage.objects.all())
    assert len(messages) == 2 and _statuses(EmailMessage) == {"queued": 2}
    assert sink.arrived == []

    broker.start()  # Redis is back (empty: whatever was in it is gone)
    back = time.monotonic()
    _wait_for(
        lambda: len(sink.arrived) == 2,
        timeout=60 + 2 * SWEEP_SECONDS,
        what="the booking's emails after the outage",
        log=processes.log,
    )
    MEASURED["broker outage: back to delivered"] = time.monotonic() - back
    assert sink.counts() == Counter({m.message_id: 1 for m in messages})
    assert sorted(to for _, to in sink.arrived) == ["ada@example.org", "leader@example.org"]
    _wait_for(lambda: _statuses(EmailMessage) == {"sent": 2}, timeout=10, what="sent rows")


def test_workers_killed_mid_send_and_mid_render_then_restarted_deliver_everything_once(
    processes, smtp_sink, partnership, coordinator
):
    _port, sink = smtp_sink
    # Enough member schools that the render takes a while: it is killed half-way.
    for n in range(150):
        MembershipFactory(partnership=partnership, school=SchoolFactory(name=f"School {n}"))
    processes.start_beat()
    processes.start_worker(concurrency=2)

    sink.hold_next.set()  # the first email stops half-way through its SMTP conversation
    with transaction.atomic():
        messages = email_send(
            to=[f"head{n}@example.org" for n in range(1, 6)], template="reminder", context=REMINDER
        )
        document = document_request(actor=coordinator, kind="member_list", subject=partnership)

    _wait_for(sink.holding.is_set, timeout=30, what="a send to be in progress", log=processes.log)

    def rendering():
        document.refresh_from_db()
        return document.started_at is not None and document.status == "pending"

    _wait_for(rendering, timeout=60, what="the render to start", log=processes.log)
    processes.kill_worker()  # kill -9 while one email is mid-send and the PDF mid-render
    killed = time.monotonic()
    sink.release.set()

    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.PENDING, "the render finished first"
    held = EmailMessage.objects.filter(status=EmailMessage.Status.SENDING)
    assert held.count() == 1, "one email was caught mid-send"
    assert len(sink.arrived) < 5

    processes.start_worker(concurrency=2)
    restarted = time.monotonic()

    def all_done():
        document.refresh_from_db()
        return len(sink.arrived) >= 5 and document.status != "pending"

    _wait_for(
        all_done,
        timeout=90 + 2 * SWEEP_SECONDS,
        what="recovery after the restart",
        log=processes.log,
    )
    MEASURED["worker killed: restart to all delivered and rendered"] = time.monotonic() - restarted
    MEASURED["worker killed: kill to all delivered and rendered"] = time.monotonic() - killed
    time.sleep(2 * SWEEP_SECONDS + 1)  # a few more sweeps: nothing is sent twice

    assert sink.counts() == Counter({m.message_id: 1 for m in messages}), "each exactly once"
    assert _statuses(EmailMessage) == {"sent": 5}
    assert EmailMessage.objects.order_by("-attempts").first().attempts == 2  # the one held
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY, document.error
    assert document.attempts == 2
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_database_connection_dropped_under_a_task_is_retried(processes, smtp_sink):
    _port, sink = smtp_sink
    processes.start_worker(queues="celery", concurrency=1)

    sink.hold_next.set()
    with transaction.atomic():
        (first,) = email_send(to="first@example.org", template="reminder", context=REMINDER)
    _wait_for(sink.holding.is_set, timeout=30, what="the send to start", log=processes.log)

    # The database drops every connection but ours (as a restart or a failover does),
    # while the worker is in the middle of the SMTP conversation.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (terminated,) = cursor.fetchone()
    assert terminated >= 1
    sink.release.set()

    def sent(message):
        message.refresh_from_db()
        return message.status == EmailMessage.Status.SENT

    _wait_for(lambda: sent(first), timeout=60, what="the first email", log=processes.log)
    assert first.attempts == 1 and sink.counts() == Counter({first.message_id: 1})

    # And the next task, on a worker whose connections all died, works as well.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    with transaction.atomic():
        (second,) = email_send(to="second@example.org", template="reminder", context=REMINDER)
    _wait_for(lambda: sent(second), timeout=60, what="the second email", log=processes.log)
    assert sink.counts() == Counter({first.message_id: 1, second.message_id: 1})


def teardown_module(module):
    for what, seconds in MEASURED.items():
        print(f"\n  measured: {what}: {seconds:.1f} s")
