"""The production stack and its safety nets: docker-compose.yml, the Dockerfile, the CI and
run scripts, `check --deploy`, /healthz, security headers and the session idle timeout."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from ruamel.yaml import YAML

BASE_DIR = Path(django_settings.BASE_DIR)
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "worker-pdf", "beat")

# Variables the project reads; stripped from the environment of `manage.py check`
# subprocesses so the caller's configuration (e.g. CI's DATABASE_URL) cannot leak in.
_PROJECT_ENV = re.compile(
    r"^(DJANGO_|WELLSCHOOLS_|DATABASE_URL$|REDIS_URL$|SITE_URL$|EMAIL_|CELERY_|"
    r"ACCOUNT_|DEFAULT_FROM_EMAIL$)"
)
# A value that is nothing but one ${VAR}, ${VAR:?message}, ${VAR:-} or ${VAR-} reference.
_INTERPOLATION_ONLY = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*(:?\?[^}]*|:?-)?\}$")


# --- docker-compose.yml ----------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return YAML(typ="safe").load(COMPOSE_FILE.read_text())


def _environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_is_valid_against_the_compose_spec():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_has_the_five_services_each_with_a_healthcheck(compose):
    services = compose["services"]
    assert {"web", "worker", "worker-pdf", "beat", "db", "redis"} <= set(services)
    assert "version" not in compose  # the compose spec has no version key
    for name in ("web", "worker", "worker-pdf", "db", "redis"):
        healthcheck = services[name].get("healthcheck") or {}
        assert healthcheck.get("test"), f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
    if not (services["beat"].get("healthcheck") or {}).get("test"):
        assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_runs_exactly_one_beat_scheduler(compose):
    beat = compose["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "scale" not in beat
    assert "django_celery_beat.schedulers:DatabaseScheduler" in _command(beat)


def test_compose_app_services_wait_for_healthy_database_and_redis(compose):
    for name in APP_SERVICES:
        depends_on = compose["services"][name]["depends_on"]
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency in ("db", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_compose_commands(compose):
    services = compose["services"]
    web = _command(services["web"])
    assert "manage.py migrate --noinput" in web
    assert "gunicorn wellschools.wsgi:application" in web
    assert web.index("migrate") < web.index("gunicorn")
    assert "/healthz" in json.dumps(services["web"]["healthcheck"]["test"])
    # Email and PDFs on separate worker processes: a long render never delays email.
    worker = _command(services["worker"])
    assert "celery -A wellschools worker" in worker
    assert re.search(r"-Q celery(\s|$)", worker) and "pdf" not in worker
    pdf_worker = _command(services["worker-pdf"])
    assert "celery -A wellschools worker" in pdf_worker
    assert re.search(r"-Q pdf(\s|$)", pdf_worker) and "celery," not in pdf_worker
    assert "--max-memory-per-child=" in worker and "--max-memory-per-child=" in pdf_worker
    hostnames = [
        re.search(r"--hostname=(\S+)", _command(services[n])) for n in ("worker", "worker-pdf")
    ]
    assert all(hostnames) and hostnames[0].group(1) != hostnames[1].group(1)
    for name, prefix in (("worker", "email@"), ("worker-pdf", "pdf@")):
        assert f"-d {prefix}" in json.dumps(services[name]["healthcheck"]["test"]), name
    for name in APP_SERVICES:
        assert services[name].get("build"), f"{name} is not built from this repository"


def test_compose_declares_volumes_for_data_and_media(compose):
    volumes = compose["volumes"]
    services = compose["services"]

    def mounted(name):
        return {str(v).split(":")[0] for v in services[name].get("volumes", [])}

    for service in ("db", "redis", "web", "worker", "worker-pdf"):
        assert mounted(service) & set(volumes), f"{service} keeps its data in no named volume"
    assert mounted("web") & mounted("worker-pdf"), "web and the PDF worker share the media volume"


def test_compose_commits_no_secrets(compose):
    for name, service in compose["services"].items():
        env = _environment(service)
        for key, value in env.items():
            if re.search(r"PASSWORD|SECRET|TOKEN|_KEY$", key):
                assert value is None or _INTERPOLATION_ONLY.match(str(value)), (
                    f"{name}: {key} is a literal value, not ${{...}} from the environment"
                )
                assert ":-" not in str(value) or str(value).endswith(":-}"), (
                    f"{name}: {key} has a non-empty default"
                )
        if "DATABASE_URL" in env:
            assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"], name
    for name in APP_SERVICES:
        env = _environment(compose["services"][name])
        assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
        assert str(env["DJANGO_SECURE"]) == "1"
        assert env["REDIS_URL"].startswith("redis://")
        assert env["DATABASE_URL"].startswith("postgres://")
    assert _environment(compose["services"]["db"])["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )


def test_dockerfile_runs_as_a_non_root_user_and_bakes_in_no_secret():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm", dockerfile, re.M)
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "requirements.lock" in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic" in dockerfile
    env_lines = " ".join(re.findall(r"^ENV .*(?:\\\n.*)*", dockerfile, re.M))
    assert "DJANGO_SECRET_KEY" not in env_lines, "the build-time key must not outlive its RUN"
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", "var", ".git", "test-results"} <= set(ignored)


@pytest.mark.parametrize("script", [".ci/run", "scripts/test", "scripts/dev"])
def test_scripts_are_executable_bash(script):
    path = BASE_DIR / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    assert "set -euo pipefail" in path.read_text()
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- manage.py check --deploy -------------------------------------------------------------


def _production_env(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not _PROJECT_ENV.match(k)}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_DEBUG="0",
        DJANGO_SECURE="1",
        DJANGO_ALLOWED_HOSTS="wellschools.example.org",
        SITE_URL="https://wellschools.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        WELLSCHOOLS_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_environment(tmp_path):
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_django_secure(tmp_path):
    # Proves the check above can fail: without DJANGO_SECURE=1 there is no HSTS and no
    # HTTPS redirect.
    result = _check_deploy(_production_env(tmp_path, DJANGO_SECURE=None))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "security.W004" in output, output
    assert "security.W008" in output, output


@pytest.mark.parametrize("site_url", [None, "http://localhost:8000", "http://127.0.0.1:8000"])
def test_check_deploy_fails_without_a_public_site_url(tmp_path, site_url):
    # Emailed links, .ics files and certificates' QR codes would point at nowhere.
    result = _check_deploy(_production_env(tmp_path, SITE_URL=site_url))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "wellschools.E001" in output, output


# --- /healthz ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    assert body["outbox"] == {"pending": 0, "oldest_pending_seconds": 0, "state": "ok"}
    assert body["documents"] == {"pending": 0, "oldest_pending_seconds": 0, "state": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "down"
    assert body["database"] == "ok"
    assert body["status"] != "ok"


@pytest.mark.django_db
def test_healthz_reports_a_failing_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "down"
    assert body["status"] != "ok"


# --- security headers and sessions --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/accounts/login/"])
def test_security_headers(client, settings, url):
    # Render pages without needing `collectstatic` (no manifest) in the test run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = client.get(url)
    assert response.status_code in (200, 503), response.status_code
    csp = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp, csp
    assert "default-src 'self'" in csp, csp
    assert "frame-ancestors 'none'" in csp, csp
    assert "'unsafe-inline'" not in csp, csp
    assert "'unsafe-eval'" not in csp, csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"]
    assert response["Permissions-Policy"]


def test_sessions_expire_after_thirty_idle_minutes():
    assert django_settings.SESSION_COOKIE_AGE == 1800
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False  # touched once a minute
    assert django_settings.SESSION_TOUCH_SECONDS == 60
    assert "wellschools.middleware.SessionTouchMiddleware" in django_settings.MIDDLEWARE
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
