"""The page benchmark: every page people use, under load, against a trivial view served by
the same gunicorn in the same run, on data at the scale of all of England. Writes the
"pages" section of docs/benchmarks.md.

    source .env.sh && .venv/bin/python bench/page_bench.py --label after   # full scale
    source .env.sh && .venv/bin/python bench/page_bench.py --small          # a quick run

What it does, in order:

1. A PostgreSQL database of its own (``ws_bench``; ``BENCH_DATABASE_URL`` to change it),
   never your own or a test database, migrated to the current code. Its data is built
   once per scale and seed by ``bench/scale_data.py`` (a generated GIAS file of 24,000
   schools through the real import, then the project's services: a 3,000-school
   partnership with 2,000 submitted Well Checks, a 60-school trust, 500 action plans,
   500 accreditation applications, 50 events with up to 300 attendees) and reused by later
   runs (``--rebuild`` builds it again; a new seed or scale does too).
2. gunicorn, 2 sync workers, production settings (``DJANGO_DEBUG=0``, manifest static
   files, Redis cache and broker; ``DJANGO_SECURE=0`` because it is plain HTTP on
   loopback) with one extra URL, ``/bench/trivial/`` (``bench/bench_urls.py``).
3. For each page: its query count (Django's test client in this process, same database),
   the time of one request (the median of sequential requests on a warm server), then
   wrk at 20 connections for ``--duration`` seconds, alternating with the trivial view,
   ``--rounds`` times. The ratio is the page's requests per second over the trivial
   view's in the run just before it; the table gives the median ratio and median p50/p95.
4. The large documents (member-list PDF of the whole partnership, the 60-school trust's
   summary, a full Well Check report): render time and the process's peak memory, each in
   a fresh process (``bench/pdf_bench.py``'s helpers).

Results are kept in ``bench/results/pages-<label>.json``; the section of
docs/benchmarks.md shows every label found there (e.g. ``before`` and ``after``).
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DEFAULT_DATABASE_URL = "postgres://wellschools:wellschools@127.0.0.1:5432/ws_bench"
ADMIN_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
CSRF_TOKEN = "benchbenchbenchbenchbenchbench12"  # a 32-character secret: cookie and header
GOALS = {
    "signed-in trivial view": ("ratio", 0.9),
    "autosave POST": ("ratio", 0.25),
    "Well Check pillar page": ("ratio", 0.25),
    "event page (300 attendees)": ("ratio", 0.25),
    "booking POST": ("ratio", 0.25),
    "school home": ("ratio", 0.2),
    "results": ("ratio", 0.2),
    "action plan": ("ratio", 0.2),
    "trust home (60 schools)": ("ratio", 0.2),
    "partnership Well Check scores": ("p95", 300),
    "partnership scores CSV": ("p95", 300),
}
ONE_REQUEST_GOALS = {
    "results": 15,
    "partnership Well Check scores": 100,
    "partnership scores CSV": 100,
    # Issue 15: each insight page within 100 ms at 3,000 member schools.
    **{
        f"insight {name}": 100
        for name in ("overview", "pillars", "questions", "trends", "schools", "nudges")
    },
    "insight impact report": 100,
}


@dataclass
class Page:
    label: str
    persona: str | None  # a key of the manifest's users, or None for anonymous
    path: str
    method: str = "GET"
    body: str = ""  # {n}: unique per request; {version}, {rating}: the autosave's
    expect: int = 200
    htmx: bool = False
    autosave: bool = False
    note: str = ""
    results: dict = field(default_factory=dict)


# --- environment and database ------------------------------------------------------------


def bench_env(args, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": args.database_url,
        "WELLSCHOOLS_BENCH_DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "EMAIL_HOST": "",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }
    return env


def setup_django(env: dict) -> None:
    os.environ.update(env)
    for path in (str(ROOT), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def recreate_database(url: str, admin_url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    owner = urlsplit(url).username
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or not name.startswith("ws_bench"):
        raise SystemExit(f"Refusing to recreate {name!r}: the bench database is ws_bench*.")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')


def database_exists(url: str, admin_url: str) -> bool:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone())


# --- personas ------------------------------------------------------------------------------


def session_cookies(manifest: dict) -> dict[str, str]:
    """A signed-in session per persona, made the way django.contrib.auth.login makes one."""
    from importlib import import_module

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from wellschools.models import User

    engine = import_module(settings.SESSION_ENGINE)
    cookies = {}
    for persona, pk in manifest["users"].items():
        user = User.objects.get(pk=pk)
        session = engine.SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Signed in with the second factor, as the two-factor middleware requires of a
        # coordinator (allauth's record of how this session signed in).
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
        cookies[persona] = (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}"
        )
    return cookies


def pages_for(manifest: dict) -> list[Page]:
    from partnership.models import Trust

    year, a, b = manifest["year"], manifest["school_a"], manifest["school_b"]
    q = manifest["question_b"]
    slug = manifest["partnership"]
    trust_pk = Trust.objects.get(group_uid=manifest["trust"]).pk
    schools = manifest["counts"]["members"]
    book = (
        f"booking_for=school:{manifest['school_a_pk']}&attendees-TOTAL_FORMS=1"
        "&attendees-INITIAL_FORMS=0&attendees-MIN_NUM_FORMS=1&attendees-MAX_NUM_FORMS=50"
        "&attendees-0-name=Bench+Person+{n}&attendees-0-email=bench{n}%40example.org"
        "&attendees-0-role=PE+lead&attendees-0-dietary_needs=&attendees-0-access_needs="
    )
    return [
        Page("signed-in trivial view", "leader", "/bench/trivial/"),
        Page(
            "autosave POST",
            "editor",
            f"/schools/{b}/wellcheck/{year}/answers/{q}/",
            method="POST",
            body=f"rating_{q}={{rating}}&comment_{q}=&version_{q}={{version}}",
            htmx=True,
            autosave=True,
        ),
        Page(
            "Well Check pillar page",
            "editor",
            f"/schools/{b}/wellcheck/{year}/pillars/{manifest['pillar_b']}/",
        ),
        Page("school home", "leader", f"/schools/{a}/"),
        Page("results", "leader", f"/schools/{a}/wellcheck/{year}/results/"),
        Page("action plan", "leader", f"/schools/{a}/wellcheck/{year}/plan/"),
        Page("event page (300 attendees)", "leader", f"/events/{manifest['event']}/"),
        Page("events list", "leader", "/events/"),
        Page(
            "booking POST",
            "leader",
            f"/events/{manifest['booking_event']}/book/",
            method="POST",
            body=book,
            expect=302,
        ),
        Page("trust home (60 schools)", "trust_lead", f"/trusts/{manifest['trust']}/"),
        Page(
            "partnership Well Check scores",
            "coordinator",
            f"/partnership/{slug}/wellchecks/",
            note=f"{schools:,} schools",
        ),
        Page(
            "partnership scores CSV",
            "coordinator",
            f"/partnership/{slug}/wellchecks/export.csv",
            note=f"{schools:,} schools",
        ),
        Page("member list", "coordinator", f"/partnership/{slug}/members/"),
        Page(
            "member list, one trust",
            "coordinator",
            f"/partnership/{slug}/members/?trust={trust_pk}",
        ),
        Page(
            "member list CSV",
            "coordinator",
            f"/partnership/{slug}/members/export.csv",
            note=f"{schools:,} schools",
        ),
        # Insight (issue 15): every page an aggregate over the whole partnership.
        *[
            Page(f"insight {label}", "coordinator", f"/partnership/{slug}/insight/{path}")
            for label, path in [
                ("overview", ""),
                ("pillars", "pillars/"),
                ("questions", "questions/"),
                ("trends", "trends/"),
                ("schools", "schools/?sort=overall&order=desc"),
                ("nudges", "nudges/?reason=not_started"),
                ("impact report", "report/"),
            ]
        ],
        Page(
            "insight schools CSV",
            "coordinator",
            f"/partnership/{slug}/insight/schools/export.csv",
            note=f"{schools:,} schools",
        ),
        Page("insight trust (60 schools)", "trust_lead", f"/trusts/{manifest['trust']}/insight/"),
    ]


# --- requests --------------------------------------------------------------------------------


class Requester:
    """Sequential requests on one keep-alive connection, with the autosave's version."""

    def __init__(self, port: int):
        import http.client

        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.counter = 0
        self.version = {}

    def body_for(self, page: Page) -> str:
        self.counter += 1
        return (
            page.body.replace("{n}", f"s{os.getpid()}x{self.counter}x{time.time_ns()}")
            .replace("{version}", str(self.version.get(page.path, 0)))
            .replace("{rating}", "good" if self.counter % 2 else "strong")
        )

    def send(self, page: Page, cookie: str | None) -> tuple[int, bytes, float]:
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if page.method == "POST":
            body = self.body_for(page)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = CSRF_TOKEN
        if page.htmx:
            headers["HX-Request"] = "true"
        start = time.perf_counter()
        self.connection.request(page.method, page.path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        if page.autosave:
            found = re.search(rb'id="version-\d+" value="(\d+)"', data)
            if found:
                self.version[page.path] = int(found.group(1))
        return response.status, data, elapsed


def current_version(manifest: dict) -> int:
    from wellcheck.models import Answer

    answer = Answer.objects.filter(
        well_check__school__urn=manifest["school_b"],
        well_check__academic_year=manifest["year"],
        question_id=manifest["question_b"],
    ).first()
    return answer.version if answer else 0


LUA = r"""
local cfg = %(config)s
local counter = 0
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created)
end
function init(args)
  version = cfg.version
end
function request()
  counter = counter + 1
  local body = nil
  if cfg.body ~= "" then
    body = cfg.body
    body = (body:gsub("{n}", "w" .. cfg.run .. "t" .. tid .. "x" .. counter))
    body = (body:gsub("{version}", tostring(version)))
    body = (body:gsub("{rating}", (counter %% 2 == 0) and "good" or "strong"))
  end
  return wrk.format(cfg.method, cfg.path, cfg.headers, body)
end
%(response)s
function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"errors": %%d, "status_errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""
LUA_TRACK_VERSION = r"""
function response(status, headers, body)
  local v = body:match('id="version%-%d+" value="(%d+)"')
  if v then version = v end
end
"""


def lua_literal(value) -> str:
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"[{lua_literal(k)}] = {lua_literal(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid Lua string literal here


def run_wrk(args, workdir: Path, page: Page, cookie: str | None, run: int, version: int) -> dict:
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    if page.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = CSRF_TOKEN
    if page.htmx:
        headers["HX-Request"] = "true"
    config = {
        "method": page.method,
        "path": page.path,
        "headers": headers,
        "body": page.body,
        # Unique across runs and processes: the booking emails must never repeat.
        "run": f"{os.getpid()}r{run}",
        "version": version,
    }
    script = workdir / "page.lua"
    script.write_text(
        LUA
        % {"config": lua_literal(config), "response": LUA_TRACK_VERSION if page.autosave else ""}
    )
    # One thread per connection: wrk threads are light event loops, and each keeps its own
    # Lua state (the autosave's version, the unique booking emails).
    output = subprocess.run(
        [
            "wrk",
            f"-t{args.connections}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://127.0.0.1:{args.port}{page.path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "wellschools.wsgi:application",
            "--pythonpath",
            f"{BENCH},{ROOT}",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--keep-alive",
            "5",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import http.client

    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/bench/trivial/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start:\n{(workdir / 'gunicorn.log').read_text()}")
        time.sleep(0.3)


def settle(port: int, limit_ms: float = 50, wait: float = 600) -> float:
    """Wait until the workers have finished what the last wrk run left queued (sync workers
    finish every accepted request: a slow page leaves minutes of work behind) and a
    trivial request is quick again. Returns the seconds waited."""
    trivial = Page("trivial", None, "/bench/trivial/")
    start = time.monotonic()
    while time.monotonic() < start + wait:
        try:
            requester = Requester(port)
            times = [requester.send(trivial, None)[2] * 1000 for _ in range(3)]
            if min(times) < limit_ms:
                break
        except OSError:  # still busy: the request timed out
            pass
        time.sleep(0.5)
    return time.monotonic() - start


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# --- measurements ---------------------------------------------------------------------------


def count_queries(page: Page, cookie: str | None) -> tuple[int, int]:
    """Queries and response size of one request, through the same middleware and views."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
    for part in (cookie or "").split("; "):
        if "=" in part:
            name, value = part.split("=", 1)
            client.cookies[name] = value
    headers = {"HX-Request": "true"} if page.htmx else {}
    # Warm up: the session's first request saves it once (SessionTouchMiddleware) and
    # fills process caches; count a request as people make them all day.
    client.get("/bench/trivial/")
    requester = Requester.__new__(Requester)
    requester.counter, requester.version = 0, {}
    if page.autosave:
        requester.version[page.path] = current_version(MANIFEST)
    body = requester.body_for(page) if page.method == "POST" else None
    with CaptureQueriesContext(connection) as queries:
        if page.method == "POST":
            response = client.post(
                page.path, body, content_type="application/x-www-form-urlencoded", headers=headers
            )
        else:
            response = client.get(page.path, headers=headers)
        content = b"".join(response) if response.streaming else response.content
    if response.status_code != page.expect:
        raise SystemExit(f"{page.label}: {page.path} answered {response.status_code}")
    return len(queries), len(content)


def one_request_times(port: int, page: Page, cookie: str | None, n: int) -> list[float]:
    requester = Requester(port)
    if page.autosave:
        requester.version[page.path] = current_version(MANIFEST)
    for _ in range(2):
        status, body, _ = requester.send(page, cookie)
        if status != page.expect:
            raise SystemExit(f"{page.label}: {page.path} answered {status}:\n{body[:2000]!r}")
    times = []
    budget = time.monotonic() + 20  # a slow page gets fewer (at least three)
    for _ in range(n):
        if len(times) >= 3 and time.monotonic() > budget:
            break
        status, _, elapsed = requester.send(page, cookie)
        if status != page.expect:
            raise SystemExit(f"{page.label}: {page.path} answered {status}")
        times.append(elapsed)
    return times


def document_child(kind: str, object_type: str, object_id: str) -> None:
    """In a fresh process: a trivial render (imports, fonts), then the document once."""
    from pdf_bench import peak_rss_kib, reset_peak_rss, rss_kib, trivial_pdf

    setup_django(
        {k: v for k, v in os.environ.items() if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    )
    from django.apps import apps

    from wellschools.documents import document_kind
    from wellschools.models import GeneratedDocument

    subject = apps.get_model(object_type).objects.get(pk=object_id)
    document = GeneratedDocument.objects.create(
        kind=kind,
        object_type=object_type,
        object_id=str(object_id),
        object_label=str(subject)[:300],
        status=GeneratedDocument.Status.READY,
    )
    trivial_pdf()
    before = rss_kib()
    reset_peak_rss()
    start = time.perf_counter()
    try:
        name, pdf = document_kind(kind).renderer(document)
        result = {"seconds": time.perf_counter() - start, "bytes": len(pdf)}
    except Exception as error:  # a refusal (too large for a PDF) is a result too
        result = {"refused": getattr(error, "message", str(error))}
    result.update(before_kib=before, peak_kib=peak_rss_kib())
    document.delete()
    print("RESULT " + json.dumps(result))


DOCUMENT_TIMEOUT = 600


def measure_documents(env: dict, manifest: dict) -> list[dict]:
    from partnership.models import Partnership, Trust
    from wellcheck.models import WellCheck

    partnership = Partnership.objects.get(slug=manifest["partnership"])
    trust = Trust.objects.get(group_uid=manifest["trust"])
    check = WellCheck.objects.get(school__urn=manifest["school_a"], academic_year=manifest["year"])
    cases = [
        ("member_list", partnership, f"member list ({manifest['counts']['members']:,} members)"),
        ("trust_summary", trust, f"summary of the {trust.schools.count()}-school trust"),
        ("wellcheck_report", check, "a full Well Check report (with the partnership's medians)"),
    ]
    results = []
    for kind, subject, what in cases:
        print(f"  document {kind} ...", flush=True)
        try:
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child-document",
                    kind,
                    subject._meta.label_lower,
                    str(subject.pk),
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
                timeout=DOCUMENT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            # A worker's task would have been killed long before (CELERY_TASK_TIME_LIMIT).
            results.append({"kind": kind, "what": what, "timeout": DOCUMENT_TIMEOUT})
            print(f"    gave up after {DOCUMENT_TIMEOUT} s", flush=True)
            continue
        line = [x for x in output.stdout.splitlines() if x.startswith("RESULT ")]
        if not line:
            raise SystemExit(f"document {kind} failed:\n{output.stderr[-3000:]}")
        result = json.loads(line[-1][len("RESULT ") :])
        result.update(kind=kind, what=what)
        results.append(result)
        print(f"    {result}", flush=True)
    return results


# --- the run ------------------------------------------------------------------------------------

MANIFEST: dict = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument(
        "--small",
        action="store_const",
        const="small",
        dest="scale",
        help="a quick run: 3,000 schools in England, a 300-school partnership",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument("--label", default="", help="results name (default: the scale)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="alternations per page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--one-request", type=int, default=15, help="sequential requests")
    parser.add_argument("--page", action="append", help="only pages whose label has this")
    parser.add_argument("--no-documents", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    environ = os.environ.get
    parser.add_argument(
        "--database-url", default=environ("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument(
        "--admin-database-url", default=environ("BENCH_ADMIN_DATABASE_URL", ADMIN_DATABASE_URL)
    )
    parser.add_argument(
        "--redis-url", default=environ("BENCH_REDIS_URL") or environ("REDIS_URL", "")
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the section from bench/results/"
    )
    parser.add_argument(
        "--queries-only", action="store_true", help="count the queries again for --label"
    )
    args = parser.parse_args()
    if args.queries_only:
        recount_queries(args)
        return
    if args.report_only:
        from report import write_section

        write_section(args.output, "pages", render_report(), first=True)
        return
    if not args.redis_url:
        raise SystemExit("Set REDIS_URL (source .env.sh): the app is served as in production.")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    args.label = args.label or args.scale
    args.port = free_port()
    started = time.perf_counter()
    commit = git_commit()  # the code the server loads now

    workdir = ROOT / "var" / f"bench-{args.scale}"
    workdir.mkdir(parents=True, exist_ok=True)
    env = bench_env(args, workdir)
    manifest_path = workdir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    wanted = (args.scale, args.seed, args.database_url)
    have = manifest and (manifest["scale"]["name"], manifest["seed"], manifest.get("database"))
    exists = database_exists(args.database_url, args.admin_database_url)
    rebuild = args.rebuild or have != wanted or not exists
    if rebuild:
        print(f"Recreating {urlsplit(args.database_url).path.lstrip('/')} ...", flush=True)
        recreate_database(args.database_url, args.admin_database_url)
    setup_django(env)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if rebuild:
        from scale_data import SCALES, build

        manifest = build(SCALES[args.scale], args.seed, workdir)
        manifest["database"] = args.database_url
        manifest_path.write_text(json.dumps(manifest, indent=2))
    MANIFEST.update(manifest)
    cookies = session_cookies(manifest)
    pages = pages_for(manifest)
    if args.page:
        pages = [p for p in pages if any(w in p.label for w in args.page)]
    trivial = Page("anonymous trivial view", None, "/bench/trivial/")

    server = start_gunicorn(args, env, workdir)
    try:
        for page in [trivial, *pages]:
            cookie = cookies.get(page.persona)
            queries, size = count_queries(page, cookie)
            times = one_request_times(args.port, page, cookie, args.one_request)
            page.results.update(queries=queries, bytes=size, one_ms=statistics.median(times) * 1000)
            print(
                f"{page.label}: {queries} queries, {size / 1024:.0f} KiB, "
                f"one request {page.results['one_ms']:.1f} ms",
                flush=True,
            )
        runs = 0
        trivial_runs = []
        for round_ in range(args.rounds):
            for page in pages:
                runs += 1
                settle(args.port)
                base = run_wrk(args, workdir, trivial, None, runs, 0)
                trivial_runs.append(base)
                runs += 1
                version = current_version(manifest) if page.autosave else 0
                settle(args.port)
                result = run_wrk(args, workdir, page, cookies.get(page.persona), runs, version)
                result["ratio"] = result["rps"] / base["rps"] if base["rps"] else 0
                page.results.setdefault("runs", []).append(result)
                print(
                    f"  round {round_ + 1} {page.label}: {result['rps']:.0f} req/s "
                    f"({result['ratio']:.3f}× trivial {base['rps']:.0f}), "
                    f"p50 {result['p50_us'] / 1000:.1f} ms, p95 {result['p95_us'] / 1000:.1f} ms"
                    + (f", {result['status_errors']} bad" if result["status_errors"] else ""),
                    flush=True,
                )
    finally:
        stop(server)
        purge_queues(args.redis_url)
    trivial.results["runs"] = trivial_runs
    documents = [] if args.no_documents else measure_documents(env, manifest)

    record = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit,
        "machine": machine(),
        "settings": {
            "duration": args.duration,
            "rounds": args.rounds,
            "connections": args.connections,
            "one_request": args.one_request,
        },
        "manifest": {k: manifest[k] for k in ("scale", "seed", "gias", "timings", "counts")},
        "trivial": summarise(trivial),
        "pages": [summarise(p) for p in pages],
        "documents": documents,
        "seconds": time.perf_counter() - started,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"pages-{args.label}.json").write_text(json.dumps(record, indent=2))
    from report import write_section

    write_section(args.output, "pages", render_report(), first=True)
    print(f"Wrote {args.output} ({record['seconds']:.0f} s)")


def recount_queries(args) -> None:
    """Count each page's queries again (no server, no load) into an existing record."""
    workdir = ROOT / "var" / f"bench-{args.scale}"
    env = bench_env(args, workdir)
    setup_django(env)
    manifest = json.loads((workdir / "manifest.json").read_text())
    MANIFEST.update(manifest)
    cookies = session_cookies(manifest)
    path = RESULTS / f"pages-{args.label or args.scale}.json"
    record = json.loads(path.read_text())
    for page in pages_for(manifest):
        queries, size = count_queries(page, cookies.get(page.persona))
        for summary in record["pages"]:
            if summary["label"] == page.label:
                summary.update(queries=queries, bytes=size)
    path.write_text(json.dumps(record, indent=2))


def purge_queues(redis_url: str) -> None:
    """The bench's bookings enqueue emails that no worker takes: drop them."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("celery", "pdf")


def summarise(page: Page) -> dict:
    runs = page.results.get("runs", [])
    summary = {k: v for k, v in page.results.items() if k != "runs"}
    summary["label"], summary["path"], summary["note"] = page.label, page.path, page.note
    if runs:
        summary["rps"] = statistics.median(r["rps"] for r in runs)
        summary["p50_ms"] = statistics.median(r["p50_us"] for r in runs) / 1000
        summary["p95_ms"] = statistics.median(r["p95_us"] for r in runs) / 1000
        summary["status_errors"] = sum(r["status_errors"] for r in runs)
        if "ratio" in runs[0]:
            summary["ratio"] = statistics.median(r["ratio"] for r in runs)
    return summary


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        return ""


def machine() -> str:
    import django

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL and Redis on loopback; "
        "shared with other jobs"
    )


# --- the report -------------------------------------------------------------------------------


def _goal(label: str, page: dict) -> str:
    parts = []
    goal = GOALS.get(label)
    if goal and goal[0] == "ratio" and "ratio" in page:
        share = page["ratio"] / goal[1]
        parts.append(f"≥ {goal[1]:g}×: " + ("met" if share >= 1 else f"**{share:.0%} of it**"))
    if goal and goal[0] == "p95" and "p95_ms" in page:
        ok = page["p95_ms"] < goal[1] and page.get("rps", 0) > 0  # 0 req/s: none finished
        parts.append(f"p95 < {goal[1]} ms: {'met' if ok else '**missed**'}")
    one = ONE_REQUEST_GOALS.get(label)
    if one is not None and "one_ms" in page:
        parts.append(f"one ≤ {one} ms: {'met' if page['one_ms'] <= one else '**missed**'}")
    return "; ".join(parts) or "—"


def _table(record: dict) -> list[str]:
    trivial = record["trivial"]
    p50 = trivial.get("p50_ms")
    lines = [
        f"Trivial view (the unit): {trivial['rps']:.0f} req/s (median of its runs)"
        + (f", p50 {p50:.1f} ms" if p50 is not None else "")
        + f", one request {trivial['one_ms']:.1f} ms, {trivial['queries']} query.",
        "",
        "| page | × trivial | req/s | p50 | p95 | one request | queries | size | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in record["pages"]:
        label = page["label"] + (f" ({page['note']})" if page.get("note") else "")
        bad = f" ({page['status_errors']} bad statuses)" if page.get("status_errors") else ""
        finished = page.get("rps", 0) > 0
        p50 = f"{page['p50_ms']:.1f} ms" if finished else "none finished"
        p95 = f"{page['p95_ms']:.1f} ms" if finished else "—"
        lines.append(
            f"| {label} | {page.get('ratio', 0):.3f} | {page.get('rps', 0):.0f}{bad} "
            f"| {p50} | {p95} "
            f"| {page['one_ms']:.1f} ms | {page['queries']} | {page['bytes'] / 1024:.0f} KiB "
            f"| {_goal(page['label'], page)} |"
        )
    if record.get("documents"):
        lines += [
            "",
            "| document | time | peak memory of the process | size |",
            "|---|---:|---:|---:|",
        ]
        for d in record["documents"]:
            if "timeout" in d:
                lines.append(f"| {d['what']} | not finished after {d['timeout']} s | — | — |")
            elif "refused" in d:
                peak = d["peak_kib"] / 1024
                lines.append(f"| {d['what']} | refused: {d['refused']} | {peak:.0f} MiB | — |")
            else:
                lines.append(
                    f"| {d['what']} | {d['seconds']:.1f} s | {d['peak_kib'] / 1024:.0f} MiB "
                    f"| {d['bytes'] / 1024:.0f} KiB |"
                )
    m = record["manifest"]
    t = m["timings"]
    lines += [
        "",
        f"GIAS import of the generated {m['gias']['schools']:,}-school file "
        f"({m['gias']['bytes'] / 1e6:.1f} MB): {t['gias_import_first']:.1f} s into an empty "
        f"database, {t['gias_import_again']:.1f} s for the same file again "
        f'("{m["gias"]["runs"]["gias_import_again"]}").',
    ]
    return lines


def render_report() -> str:
    records = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("pages-*.json"))]
    order = {"before": 0, "after": 1}
    records.sort(key=lambda r: (order.get(r["label"], 2), r["label"]))
    lines = [
        "## Pages under load (`bench/page_bench.py`)",
        "",
        "    source .env.sh && .venv/bin/python bench/page_bench.py [--small] [--label after]",
        "",
        "gunicorn (2 sync workers) with production settings on PostgreSQL (its own `ws_bench`",
        "database) and Redis, loopback only; wrk at 20 connections against each page, each",
        "run right after a run of the trivial anonymous one-query view `/bench/trivial/` in",
        "the same server. *× trivial* is the page's requests per second over the trivial",
        "view's in the run before it (median over the rounds); p50/p95 are wrk's latencies at",
        "20 connections; *one request* is the median of sequential requests on a warm server;",
        "*queries* is one request's SQL count. Data: a generated GIAS file for all of England",
        "imported for real, then the project's services (`bench/scale_data.py`).",
    ]
    for record in records:
        m = record["manifest"]
        c = m["counts"]
        s = record["settings"]
        lines += [
            "",
            f"### {record['label']}: {record['when']}, commit `{record['commit']}`",
            "",
            f"{record['machine']}. Scale `{m['scale']['name']}` (seed {m['seed']}): "
            f"{c['schools']:,} schools, a {c['members']:,}-school partnership with "
            f"{c['submitted_this_year']:,} submitted Well Checks this year "
            f"({c['submitted_last_year']:,} last year, {c['open_checks']:,} open), "
            f"{c['answers']:,} answers, a {c['trust_schools']}-school trust, "
            f"{c['bookings']:,} bookings with {c['attendees']:,} attendees. "
            f"{s['rounds']} rounds of {s['duration']} s per page; whole run "
            f"{record['seconds'] / 60:.1f} min."
            + (
                f" (Record rebuilt {record['reconstructed']}.)" if "reconstructed" in record else ""
            ),
            "",
            *_table(record),
        ]
    notes = BENCH / "results" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-document":
        sys.path.insert(0, str(BENCH))
        document_child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
