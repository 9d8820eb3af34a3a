"""Shared fixtures: the personas of STYLE.md and the service guards for CI.

Personas around one partnership:
  school         a member school, in `trust`
  leader         school leader at `school`
  colleague      school staff at `school`
  governor       governor viewer at `school`
  other_school / other_leader   another member school of the same partnership
  trust_lead / trust_staff      at `trust`
  coordinator    coordinator of the partnership, TOTP enrolled
  outsider       leader of a school in another partnership (no right here at all)

Every test world holds two partnerships (DESIGN.md, "Tenancy"): `partnership` (A,
Oxfordshire, LA 931) always comes with `partnership_b` (B, Somerset, LA 933), and `trust`
spans both (`school_b` is its academy in Somerset, an active member of B). Personas of B:
  coordinator_b  coordinator of B, TOTP enrolled
  leader_b       school leader at `school_b` (B's member, in the spanning `trust`)
  trust_b / trust_staff_b   a trust with schools only in B, and its staff
  border_school  an Oxfordshire school, active in A, that has only *applied* to B
More:
  coordinator_without_totp   coordinator of A who has not enrolled TOTP
  schools_by_status          A's schools in every membership status ({status: school})
"""

import datetime
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
from django.db import connection
from factories import (
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    TrustFactory,
    UserFactory,
    grant,
)

from partnership.models import Membership, Role

# The per-app helpers (tests/<app>/<app>_helpers.py) for tests that cross apps, such as
# the tenancy matrix.
for _app in ("wellcheck", "accreditation", "events", "insight"):
    if str(Path(__file__).parent / _app) not in sys.path:
        sys.path.append(str(Path(__file__).parent / _app))

K = Role.Kind
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _unavailable(reason: str):
    # In CI (REQUIRE_SERVICES=1) a missing service is a failure, never a silent skip.
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(autouse=True)
def _service_guards(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _unavailable("this test needs PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("services") and not _redis_reachable():
        _unavailable("this test needs Redis (set REDIS_URL)")
    if request.node.get_closest_marker("browser") and not shutil.which("chromium"):
        _unavailable("this test needs Chromium (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _framework_loaded(request):
    """The first framework version comes from a data migration; transactional tests flush
    it away, so put it back for every test that uses the database."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from wellcheck.framework import framework_ensure_first

    framework_ensure_first()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tests read static files through the finders, without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ACCOUNT_RATE_LIMITS = False
    # Hashing passwords for real takes a third of a second each: far too slow for fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process unless a test starts a real worker (issue: background work)."""
    from wellschools.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- personas ---------------------------------------------------------------------------


@pytest.fixture
def partnership(db):
    oxfordshire = PartnershipFactory(
        name="Oxfordshire Well Schools Partnership", slug="oxfordshire", la_codes=["931"]
    )
    # Two partnerships in every test world; B comes second (the join page's default is A).
    _somerset()
    return oxfordshire


def _somerset():
    return PartnershipFactory(
        name="Somerset Well Schools Partnership", slug="somerset", la_codes=["933"]
    )


@pytest.fixture
def partnership_b(partnership):
    return _somerset()


@pytest.fixture
def trust(db):
    return TrustFactory(name="Cherwell Valley Academies Trust")


def _somerset_school(**kwargs):
    return SchoolFactory(la_code="933", la_name="Somerset", town="Taunton", **kwargs)


@pytest.fixture
def school_b(partnership_b, trust):
    """Partnership B's member school in the trust that spans both partnerships."""
    school = _somerset_school(name="Levels Academy", trust=trust)
    MembershipFactory(partnership=partnership_b, school=school)
    return school


@pytest.fixture
def trust_b(partnership_b):
    """A trust whose only school is a member of partnership B."""
    trust = TrustFactory(name="Quantock Learning Trust")
    school = _somerset_school(name="Quantock Primary School", trust=trust)
    MembershipFactory(partnership=partnership_b, school=school)
    return trust


@pytest.fixture
def border_school(partnership, partnership_b):
    """An Oxfordshire member of A that has only applied to B (overlapping geography)."""
    school = SchoolFactory(name="Border Church of England School")
    MembershipFactory(partnership=partnership, school=school)
    MembershipFactory(
        partnership=partnership_b, school=school, status=Membership.Status.APPLIED, joined_on=None
    )
    return school


@pytest.fixture
def schools_by_status(partnership) -> dict:
    """One Oxfordshire school per membership status of partnership A."""
    schools = {}
    for status in Membership.Status.values:
        school = SchoolFactory(name=f"{status.title()} Status Primary School")
        MembershipFactory(
            partnership=partnership,
            school=school,
            status=status,
            joined_on=None if status in ("applied", "declined") else datetime.date(2024, 9, 1),
        )
        schools[status] = school
    return schools


@pytest.fixture
def school(partnership, trust, school_b):
    # `school_b` makes `trust` span both partnerships in every world that has `school`.
    school = SchoolFactory(name="Cherwell Primary School", trust=trust)
    MembershipFactory(partnership=partnership, school=school)
    return school


@pytest.fixture
def other_school(partnership):
    school = SchoolFactory(name="Isis Valley Primary School")
    MembershipFactory(partnership=partnership, school=school)
    return school


def _person(email, name):
    return UserFactory(email=email, full_name=name)


@pytest.fixture
def leader(school):
    user = _person("leader@example.org", "Alex Leader")
    grant(user, K.SCHOOL_LEADER, school=school)
    return user


@pytest.fixture
def colleague(school):
    user = _person("colleague@example.org", "Sam Colleague")
    grant(user, K.SCHOOL_STAFF, school=school)
    return user


@pytest.fixture
def governor(school):
    user = _person("governor@example.org", "Jo Governor")
    grant(user, K.GOVERNOR, school=school)
    return user


@pytest.fixture
def other_leader(other_school):
    user = _person("other.leader@example.org", "Lee Otherschool")
    grant(user, K.SCHOOL_LEADER, school=other_school)
    return user


@pytest.fixture
def trust_lead(trust, school):
    user = _person("trust.lead@example.org", "Robin Trustlead")
    grant(user, K.TRUST_LEAD, trust=trust)
    return user


@pytest.fixture
def trust_staff(trust, school):
    user = _person("trust.staff@example.org", "Kai Truststaff")
    grant(user, K.TRUST_STAFF, trust=trust)
    return user


def enrol_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret())


def totp_code(user=None, *, secret: str | None = None) -> str:
    """The current code of the person's authenticator (or of ``secret``), computed."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    if secret is None:
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        secret = get_adapter().decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def coordinator(partnership):
    user = _person("coordinator@example.org", "Morgan Coordinator")
    grant(user, K.COORDINATOR, partnership=partnership)
    enrol_totp(user)
    return user


@pytest.fixture
def coordinator_without_totp(partnership):
    user = _person("coordinator.nototp@example.org", "Jamie Notyet")
    grant(user, K.COORDINATOR, partnership=partnership)
    return user


@pytest.fixture
def coordinator_b(partnership_b):
    user = _person("coordinator.b@example.org", "Avery Somerset")
    grant(user, K.COORDINATOR, partnership=partnership_b)
    enrol_totp(user)
    return user


@pytest.fixture
def leader_b(school_b):
    user = _person("leader.b@example.org", "Charlie Levels")
    grant(user, K.SCHOOL_LEADER, school=school_b)
    return user


@pytest.fixture
def trust_staff_b(trust_b):
    user = _person("trust.staff.b@example.org", "Drew Quantock")
    grant(user, K.TRUST_STAFF, trust=trust_b)
    return user


@pytest.fixture
def personas_b(coordinator_b, leader_b, trust_staff_b) -> dict:
    """Every persona of partnership B, by name."""
    return {"coordinator_b": coordinator_b, "leader_b": leader_b, "trust_staff_b": trust_staff_b}


@pytest.fixture
def outsider(db):
    elsewhere = PartnershipFactory(name="Surrey Well Schools", slug="surrey", la_codes=["936"])
    school = SchoolFactory(name="Surrey Hills Primary", la_code="936", la_name="Surrey")
    MembershipFactory(partnership=elsewhere, school=school)
    user = _person("outsider@example.org", "Riley Outsider")
    grant(user, K.SCHOOL_LEADER, school=school)
    return user


def record_second_factor(client, user) -> None:
    """Mark the client's session as signed in with the second factor, as allauth does
    after the TOTP step of signing in (RequireTwoFactorMiddleware checks the session)."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "type": "totp", "at": time.time()},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """``client.force_login(user)`` stands for a complete sign-in: for a person with an
    authenticator that includes the TOTP step. Tests of the two-factor rule itself sign in
    through the real pages."""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            record_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def as_user(client):
    """as_user(person) -> a test client signed in as that person."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (emails, tasks) as the request's transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
