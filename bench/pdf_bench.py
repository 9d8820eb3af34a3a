"""Benchmark the PDF documents: render time, peak memory, and a worker's memory over 100
renders in a row. Writes docs/benchmarks.md.

    .venv/bin/python bench/pdf_bench.py
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/pdf_bench.py   # real worker

Every document kind declared on an app's ``AppConfig.documents`` that has a
case in ``bench/cases.py`` is measured, against a throwaway SQLite database built for the
run (your own database is never touched):

- render time: the kind's renderer called in this process, after two warm-up renders;
  the median of ``--runs`` renders, and its ratio to a trivial one-page PDF rendered in
  the same run (machines here are shared and noisy: compare ratios, quote medians);
- peak memory: a fresh process renders the document once and reports its peak resident
  size (``ru_maxrss``), the growth over the same process after a trivial render, and the
  Python heap peak (``tracemalloc``);
- worker memory: one worker renders one kind 100 times in a row (``--worker-renders``) and
  its resident size is sampled after each render. With ``REDIS_URL`` reachable that is a
  real ``celery worker`` (prefork, one child, on a queue of its own, production settings)
  and the child's memory is read from /proc; otherwise a process that runs the same task
  code in a loop.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_HTML = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Trivial</title>'
    '<link rel="stylesheet" href="/static/css/print.css"></head>'
    "<body><h1>Trivial</h1><p>One line of text.</p></body></html>"
)


# --- set-up ---------------------------------------------------------------------------


def configure(workdir: Path, database_url: str | None = None) -> None:
    """Point Django at the bench's own database (a throwaway SQLite file unless
    ``database_url`` or ``WELLSCHOOLS_BENCH_DATABASE_URL`` names one — the page benchmark's
    PostgreSQL database) and media folder, then set up."""
    database_url = database_url or os.environ.get("WELLSCHOOLS_BENCH_DATABASE_URL")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["WELLSCHOOLS_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["EMAIL_HOST"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "wellschools.settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    for path in (str(ROOT), str(ROOT / "bench")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def _status_kib(field: str, pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def rss_kib(pid: int | str = "self") -> int:
    return _status_kib("VmRSS", pid)


def peak_rss_kib() -> int:
    """The process's peak resident size. VmHWM, unlike ru_maxrss, is not inherited from
    the parent through fork and exec."""
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def bench_requester():
    """A platform admin sees every subject whole: documents rendered for the person who
    asked (``per_requester``) then show everything, as the bench expects."""
    from wellschools.models import User

    user, _ = User.objects.get_or_create(
        email="bench.admin@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def bench_document(kind: str, subject):
    from wellschools.models import GeneratedDocument

    return GeneratedDocument.objects.create(
        kind=kind,
        object_type=subject._meta.label_lower,
        object_id=str(subject.pk),
        object_label=str(subject)[:300],
        requested_by=bench_requester(),
        status=GeneratedDocument.Status.READY,  # a row for the renderer, not a request
    )


def trivial_pdf() -> bytes:
    from wellschools.pdf import pdf_from_html

    return pdf_from_html(html=TRIVIAL_HTML)


def pages_of(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- measurements ---------------------------------------------------------------------


def time_renders(render, runs: int) -> list[float]:
    render()
    render()  # warm-up: imports, fonts, template caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return times


def measure_memory_in_child(workdir: Path, kind: str, document_id: int) -> dict:
    """A fresh process: trivial render (imports, fonts), then the document once."""
    output = subprocess.run(
        [sys.executable, __file__, "--child-memory", kind, str(document_id), str(workdir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def child_memory(kind: str, document_id: int, workdir: Path) -> None:
    configure(workdir)
    from wellschools.documents import document_kind
    from wellschools.models import GeneratedDocument

    spec = document_kind(kind)
    document = GeneratedDocument.objects.get(pk=document_id)
    document.subject  # noqa: B018 - load it before measuring
    trivial_pdf()
    before = rss_kib()
    reset_peak_rss()
    spec.renderer(document)
    after = peak_rss_kib()
    tracemalloc.start()
    spec.renderer(document)
    heap_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"before_kib": before, "peak_kib": after, "heap_peak_bytes": heap_peak}))


def worker_loop_in_child(workdir: Path, kind: str, subject_document_id: int, renders: int):
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child-worker-loop",
            kind,
            str(subject_document_id),
            str(workdir),
            str(renders),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def child_worker_loop(kind: str, subject_document_id: int, workdir: Path, renders: int) -> None:
    """The task code a worker child runs, in a loop, in one process."""
    configure(workdir)
    from wellschools.celery import app
    from wellschools.models import GeneratedDocument
    from wellschools.tasks import render_document

    app.conf.task_always_eager = True
    template = GeneratedDocument.objects.get(pk=subject_document_id)
    samples = []
    for _ in range(renders):
        document = GeneratedDocument.objects.create(
            kind=kind,
            object_type=template.object_type,
            object_id=template.object_id,
            requested_by=template.requested_by,
        )
        render_document.apply(args=[document.pk])
        samples.append(rss_kib())
    print(json.dumps({"samples_kib": samples, "mode": "in-process loop of the task"}))


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def worker_with_celery(workdir: Path, kind: str, subject_document_id: int, renders: int):
    """A real `celery worker` on a queue of its own; the child's RSS after each render."""
    from wellschools.celery import app
    from wellschools.models import GeneratedDocument
    from wellschools.tasks import render_document

    queue = f"bench-pdf-{os.getpid()}"
    pidfile = workdir / "worker.pid"
    log = workdir / "worker.log"
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0", "DJANGO_LOG_LEVEL": "WARNING"}
    hostname = f"bench{os.getpid()}@{platform.node()}"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wellschools",
                "worker",
                "-Q",
                queue,
                "--concurrency=1",
                "--pool=prefork",
                f"--hostname={hostname}",
                f"--pidfile={pidfile}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    app.conf.task_always_eager = False
    template = GeneratedDocument.objects.get(pk=subject_document_id)
    samples, children = [], set()
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"The worker did not start:\n{log.read_text()[-3000:]}")
        main_pid = int(pidfile.read_text())
        for n in range(renders):
            document = GeneratedDocument.objects.create(
                kind=kind, object_type=template.object_type, object_id=template.object_id
            )
            render_document.apply_async(args=[document.pk], queue=queue)
            deadline = time.monotonic() + 180
            while GeneratedDocument.objects.filter(
                pk=document.pk, status=GeneratedDocument.Status.PENDING
            ).exists():
                if time.monotonic() > deadline:
                    raise SystemExit(f"Render {n} did not finish:\n{log.read_text()[-3000:]}")
                time.sleep(0.02)
            document.refresh_from_db()
            if document.status != GeneratedDocument.Status.READY:
                raise SystemExit(f"Render {n} failed: {document.error}")
            child = Path(f"/proc/{main_pid}/task/{main_pid}/children").read_text().split()
            children.update(child)
            samples.append(rss_kib(child[0]) if child else 0)
    finally:
        pid = int(pidfile.read_text()) if pidfile.exists() else process.pid
        try:
            os.kill(pid, signal.SIGTERM)
            process.wait(timeout=60)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            process.kill()
    return {
        "samples_kib": samples,
        "mode": "celery worker (prefork, one child, production settings)",
        "children": len(children),
    }


# --- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed renders per kind")
    parser.add_argument("--kind", action="append", help="only these kinds (repeatable)")
    parser.add_argument("--worker", choices=["auto", "celery", "loop", "none"], default="auto")
    parser.add_argument("--worker-renders", type=int, default=100)
    parser.add_argument("--worker-kind", help="the kind rendered in a row (default: cases.py)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--keep", action="store_true", help="keep the bench's work folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="wellschools-bench-"))
    try:
        run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path) -> None:
    configure(workdir)
    from cases import BENCH_CASES, WORKER_KINDS
    from django.core.management import call_command

    from wellschools.documents import document_kinds

    print(f"Work folder {workdir}; migrating the bench database ...", flush=True)
    call_command("migrate", verbosity=0)
    registered = document_kinds()
    wanted = args.kind or list(BENCH_CASES)
    kinds = [k for k in wanted if k in registered and k in BENCH_CASES]
    not_registered = [k for k in wanted if k not in registered]
    without_case = sorted(set(registered) - set(BENCH_CASES))

    trivial_times = time_renders(trivial_pdf, args.runs)
    trivial_median = statistics.median(trivial_times)
    print(f"trivial one-page PDF: median {trivial_median * 1000:.0f} ms", flush=True)

    results, documents = [], {}
    for kind in kinds:
        case, spec = BENCH_CASES[kind], registered[kind]
        subject = case.build()
        document = bench_document(kind, subject)
        documents[kind] = document
        last = {}

        def render(spec=spec, document=document, last=last):
            last["pdf"] = spec.renderer(document)[1]

        times = time_renders(render, args.runs)
        memory = measure_memory_in_child(workdir, kind, document.pk)
        median = statistics.median(times)
        result = {
            "kind": kind,
            "description": case.description,
            "goal": case.goal_seconds,
            "median": median,
            "min": min(times),
            "max": max(times),
            "ratio": median / trivial_median,
            "pages": pages_of(last["pdf"]),
            "size_kib": len(last["pdf"]) / 1024,
            **memory,
        }
        results.append(result)
        print(
            f"{kind}: median {median:.3f} s ({result['ratio']:.1f}× trivial), "
            f"{result['pages']} pages, peak RSS {memory['peak_kib'] / 1024:.0f} MiB",
            flush=True,
        )

    worker = None
    worker_kind = args.worker_kind or next((k for k in WORKER_KINDS if k in documents), None)
    if args.worker != "none" and worker_kind in documents:
        mode = args.worker
        if mode == "auto":
            mode = "celery" if _redis_reachable() else "loop"
        print(f"{worker_kind}: {args.worker_renders} renders in a row ({mode}) ...", flush=True)
        if mode == "celery":
            worker = worker_with_celery(
                workdir, worker_kind, documents[worker_kind].pk, args.worker_renders
            )
        else:
            worker = worker_loop_in_child(
                workdir, worker_kind, documents[worker_kind].pk, args.worker_renders
            )
        worker["kind"] = worker_kind

    from report import write_section

    report = render_report(args, results, trivial_median, worker, not_registered, without_case)
    write_section(args.output, "pdf", report)
    print(f"Wrote {args.output}")


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def render_report(args, results, trivial_median, worker, not_registered, without_case) -> str:
    import weasyprint

    lines = [
        "## PDF documents (`bench/pdf_bench.py`)",
        "",
        f"- run: {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"{args.runs} timed renders per kind after 2 warm-up renders",
        f"- trivial one-page PDF (the unit of the ratios): median {trivial_median * 1000:.0f} ms",
        "",
        "### Render time and memory by document kind",
        "",
        "| kind | what | pages | size | median | min–max | × trivial | goal | peak RSS "
        "| RSS growth | Python heap peak |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        goal = "—"
        if r["goal"]:
            goal = f"< {r['goal']:g} s: {'met' if r['median'] < r['goal'] else '**missed**'}"
        lines.append(
            f"| `{r['kind']}` | {r['description']} | {r['pages']} | {r['size_kib']:.0f} KiB "
            f"| {r['median']:.3f} s | {r['min']:.3f}–{r['max']:.3f} s | {r['ratio']:.1f} "
            f"| {goal} | {_mib(r['peak_kib'])} MiB "
            f"| {_mib(r['peak_kib'] - r['before_kib'])} MiB "
            f"| {r['heap_peak_bytes'] / 1048576:.0f} MiB |"
        )
    lines += [
        "",
        "*Peak RSS*: the whole process (Python, Django, WeasyPrint, fonts) at its largest while",
        "rendering the document once in a fresh process (VmHWM); *RSS growth*: that peak over",
        "the same process just before, after a trivial render; *Python heap peak*:",
        "`tracemalloc` during a second render (Pango's own memory is not in it).",
        "",
    ]
    if not_registered:
        lines.append(
            "Not measured (no such document kind registered yet): "
            + ", ".join(f"`{k}`" for k in not_registered)
            + "."
        )
    if without_case:
        lines.append(
            "Registered kinds without a bench case in `bench/cases.py`: "
            + ", ".join(f"`{k}`" for k in without_case)
            + "."
        )
    if worker:
        samples = worker["samples_kib"]
        n = len(samples)
        picks = [i for i in (1, 10, 25, 50, 75, 100) if i <= n]
        settled_at = min(10, n)  # the first renders warm caches and fonts up
        settled = samples[settled_at - 1]
        growth = samples[-1] - settled
        flat = growth <= max(10 * 1024, 0.05 * settled)
        lines += [
            "",
            f"### A worker's memory over {n} renders in a row",
            "",
            f"`{worker['kind']}` rendered {n} times by {worker['mode']}; resident size after",
            "the render:",
            "",
            "| render | " + " | ".join(str(i) for i in picks) + " |",
            "|---|" + "---:|" * len(picks),
            "| RSS (MiB) | " + " | ".join(_mib(samples[i - 1]) for i in picks) + " |",
            "",
            f"From render {settled_at} to render {n}: {growth / 1024:+.1f} MiB "
            f"({growth / settled * 100:+.1f} %), maximum {_mib(max(samples))} MiB — "
            + ("**flat**." if flat else "**growing**: look for a leak.")
            + (
                f" The worker used {worker['children']} child process(es) (a child is"
                " replaced past `CELERY_WORKER_MAX_MEMORY_PER_CHILD`)."
                if "children" in worker
                else ""
            ),
            "",
            "WeasyPrint's resident size is known to creep up slowly in a long-lived process",
            "(Pango and font caches, freed memory the allocator keeps; Kozea/WeasyPrint#1496,",
            "#1977); Python objects do not accumulate (a `tracemalloc` comparison over 20",
            "renders of the task found a few KiB). `CELERY_WORKER_MAX_MEMORY_PER_CHILD`",
            "(300 MB) bounds it by replacing the child between tasks.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-memory":
        child_memory(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-worker-loop":
        child_worker_loop(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
