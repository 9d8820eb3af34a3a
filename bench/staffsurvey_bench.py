"""The staff survey benchmark: 500 staff answering within 10 minutes, against gunicorn and
PostgreSQL on this machine's loopback, and the answering page against the trivial view.

    source .env.sh && .venv/bin/python bench/staffsurvey_bench.py
    source .env.sh && .venv/bin/python bench/staffsurvey_bench.py --staff 100 --concurrency 10

Not run in CI (it takes minutes and wants the machine to itself). What it does:

1. A PostgreSQL database of its own, ``ws_bench_survey`` (dropped and created again each
   run; it refuses any name not starting with ``ws_bench``), migrated; one school, its
   leader, an open survey (the real services).
2. gunicorn, 2 sync workers, production settings (``bench/bench_settings.py``: DEBUG off,
   Redis cache, the trivial view at ``/bench/trivial/``; static files without the
   collectstatic manifest) on a free loopback port.
3. ``--staff`` people (500) answer through the real pages, ``--concurrency`` (25) at a time,
   each in their own cookie jar: start page, "Start", the staff group, one screen per area
   (every statement answered), the written answer, check your answers, send, thank you —
   about 25 requests each, with their CSRF token. Bounded: the run stops at
   ``--limit-seconds`` (600). The goal: every person's answers stored, within the limit.
   The rate limit is per client address and every bench client is 127.0.0.1, so the
   bench raises it (``STAFFSURVEY_SUBMISSIONS_PER_MINUTE``); real staff come from many.
4. wrk, alternating the answering page (a step screen with a draft cookie) and the trivial
   view, ``--rounds`` times: the median ratio of requests per second (goal ≥ 0.25).
5. Checks the database: responses, answers per response, no drafts left, no 5xx.

Results go to ``bench/results/staffsurvey-<label>.json`` and are printed.
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DEFAULT_DATABASE_URL = "postgres://wellschools:wellschools@127.0.0.1:5432/ws_bench_survey"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--limit-seconds", type=float, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--label", default="latest")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_SURVEY_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    return parser.parse_args()


def bench_env(args, workdir: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0" if args.redis_url else "1",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        # Static files are not what this measures: no collectstatic manifest to build.
        "DJANGO_MANIFEST_STATIC": "0",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "EMAIL_HOST": "",
        "DJANGO_LOG_LEVEL": "WARNING",
        "STAFFSURVEY_SUBMISSIONS_PER_MINUTE": "1000000",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"ws_bench[a-z0-9_]*", name):
        raise SystemExit(f"Refusing to recreate {name!r}: the bench database is ws_bench*.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{parts.username}"')


def prepare(args, env: dict) -> dict:
    """Migrate and set up one school's open survey."""
    run = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    os.environ.update(env)
    for path in (str(ROOT), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()
    from django.utils import timezone

    from partnership.models import Membership, Partnership, Role, School
    from staffsurvey.services import survey_create
    from wellschools.models import User

    partnership = Partnership.objects.create(
        name="Bench partnership", slug="bench", la_codes=["931"]
    )
    school = School.objects.create(urn=900001, name="Bench Primary School", la_code="931")
    Membership.objects.create(partnership=partnership, school=school, status="active")
    leader = User.objects.create_user("leader@bench.example.org", "bench-password")
    Role.objects.create(user=leader, kind="school_leader", school=school)
    today = timezone.localdate()
    survey = survey_create(
        actor=leader,
        school=school,
        title="Bench survey",
        opens_on=today,
        closes_on=today + timedelta(days=14),
        staff_count=args.staff,
    )
    areas = [
        [item.pk for item in area.items.all()]
        for area in survey.framework.areas.prefetch_related("items")
    ]
    return {"code": survey.public_code, "survey_id": survey.pk, "areas": areas}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, env: dict, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "wellschools.wsgi:application",
            "--pythonpath",
            f"{BENCH},{ROOT}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/trivial/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start:\n{(workdir / 'gunicorn.log').read_text()}")
        time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


class Person:
    """One member of staff with their own cookie jar and connection."""

    COOKIE = re.compile(r"^([^=]+)=([^;]*)")

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.statuses: list[int] = []

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = "&".join(f"{k}={v}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                match = self.COOKIE.match(value)
                if match:
                    if "max-age=0" in value.lower():
                        self.cookies.pop(match.group(1), None)
                    else:
                        self.cookies[match.group(1)] = match.group(2)
        self.statuses.append(response.status)
        return response.status, response.getheader("Location", ""), content

    def expect(self, method, path, form=None, status=200) -> str:
        got, location, _ = self.request(method, path, form)
        if got != status:
            raise RuntimeError(f"{method} {path}: {got}, expected {status}")
        return location


def answer_survey(port: int, plan: dict, n: int) -> list[int]:
    person = Person(port)
    base = f"/s/{plan['code']}/"
    person.expect("GET", base)
    person.expect("POST", base, {}, status=302)
    group = ("teaching", "support", "leadership", "not_stated")[n % 4]
    person.expect("GET", f"{base}step/1/")
    person.expect("POST", f"{base}step/1/", {"staff_group": group}, status=302)
    for number, items in enumerate(plan["areas"], start=2):
        person.expect("GET", f"{base}step/{number}/")
        form = {f"item_{pk}": str(1 + (n + pk) % 5) for pk in items}
        person.expect("POST", f"{base}step/{number}/", form, status=302)
    last = len(plan["areas"]) + 2
    person.expect("GET", f"{base}step/{last}/")
    comment = "More+time+to+plan" if n % 5 == 0 else ""
    person.expect("POST", f"{base}step/{last}/", {"comment": comment}, status=302)
    person.expect("GET", f"{base}check/")
    person.expect("POST", f"{base}check/", {}, status=302)
    person.expect("GET", f"{base}thanks/")
    return person.statuses


def run_staff(args, port: int, plan: dict) -> dict:
    started = time.monotonic()
    deadline = started + args.limit_seconds
    statuses: list[int] = []
    errors: list[str] = []
    done = 0
    stop_event = threading.Event()

    def one(n):
        if stop_event.is_set() or time.monotonic() > deadline:
            return None
        return answer_survey(port, plan, n)

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(one, n) for n in range(args.staff)]
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # recorded in the results and fails the goal
                errors.append(str(error))
                continue
            if result is None:
                stop_event.set()
                continue
            statuses.extend(result)
            done += 1
    elapsed = time.monotonic() - started
    return {
        "people": args.staff,
        "finished": done,
        "seconds": round(elapsed, 1),
        "requests": len(statuses),
        "requests_per_second": round(len(statuses) / elapsed, 1) if elapsed else None,
        "server_errors": sum(1 for s in statuses if s >= 500),
        "errors": errors[:10],
    }


def run_wrk(port: int, path: str, cookie: str, duration: int, workdir: Path) -> float:
    script = workdir / "cookie.lua"
    script.write_text(f'wrk.headers["Cookie"] = "{cookie}"\n' if cookie else "")
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c20",
            f"-d{duration}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"wrk on {path}: {non_2xx.group(1)} failed responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def page_ratio(args, port: int, plan: dict, workdir: Path) -> dict:
    """The answering page (a step screen of a started draft) over the trivial view."""
    person = Person(port)
    base = f"/s/{plan['code']}/"
    person.expect("GET", base)
    person.expect("POST", base, {}, status=302)
    cookie = "; ".join(f"{k}={v}" for k, v in person.cookies.items())
    ratios = []
    for _ in range(args.rounds):
        trivial = run_wrk(port, "/bench/trivial/", "", args.duration, workdir)
        page = run_wrk(port, f"{base}step/2/", cookie, args.duration, workdir)
        ratios.append(round(page / trivial, 3))
    return {"ratios": ratios, "median_ratio": statistics.median(ratios), "goal": 0.25}


def check_database(plan: dict) -> dict:
    from django.db.models import Count

    from staffsurvey.models import Response, ResponseAnswer, SurveyDraft

    responses = Response.objects.filter(survey_id=plan["survey_id"])
    per_response = set(
        ResponseAnswer.objects.filter(response__survey_id=plan["survey_id"])
        .values("response_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    return {
        "responses": responses.count(),
        "answers_per_response": sorted(per_response),
        "statements": sum(len(a) for a in plan["areas"]),
        "drafts_left": SurveyDraft.objects.filter(survey_id=plan["survey_id"]).count(),
    }


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="staffsurvey-bench-"))
    env = bench_env(args, workdir)
    recreate_database(args.database_url)
    plan = prepare(args, env)
    port = free_port()
    server = start_gunicorn(port, env, workdir)
    try:
        staff = run_staff(args, port, plan)
        database = check_database(plan)
        RESULTS.mkdir(exist_ok=True)
        partial = {"label": args.label, "staff": staff, "database": database}
        (RESULTS / f"staffsurvey-{args.label}.json").write_text(json.dumps(partial, indent=2))
        print(json.dumps(partial, indent=2), flush=True)
        ratio = page_ratio(args, port, plan, workdir)
    finally:
        stop(server)
    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "cpus": os.cpu_count(),
        "staff": staff,
        "answering_page": ratio,
        "database": database,
    }
    goals = {
        "every person's answers stored": database["responses"] == args.staff
        and database["answers_per_response"] == [database["statements"]]
        and database["drafts_left"] == 0,
        f"within {args.limit_seconds:.0f} s": staff["finished"] == args.staff
        and staff["seconds"] <= args.limit_seconds,
        "no server errors": staff["server_errors"] == 0 and not staff["errors"],
        "answering page ≥ 0.25 × trivial": ratio["median_ratio"] >= 0.25,
    }
    result["goals"] = goals
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"staffsurvey-{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for goal, met in goals.items():
        print(f"{'met    ' if met else 'MISSED '} {goal}")
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
