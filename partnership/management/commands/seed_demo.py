"""Demo data for the embedded default: one partnership, its schools, a person per role.

Every person is invented (addresses under example.org). Safe to run again: it resets the
demo people's passwords to a new random one and prints the sign-in details."""

import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partnership.gias import gias_import
from partnership.models import Membership, Partnership, Role, School, Trust
from partnership.services import role_grant
from wellschools.models import User

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
K = Role.Kind

# URNs of demo schools that stay outside the partnership (so joining can be tried).
NOT_MEMBERS = 3


class Command(BaseCommand):
    help = "Load demo data (Oxfordshire partnership, schools, one user per role) and print logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: random)")

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        password = password or secrets.token_urlsafe(9)
        if not School.objects.filter(la_code="931").exists():
            with (
                open(FIXTURES / "demo_gias_oxfordshire.csv", "rb") as establishments,
                open(FIXTURES / "demo_gias_groups.csv", "rb") as groups,
                open(FIXTURES / "demo_gias_links.csv", "rb") as links,
            ):
                run = gias_import(
                    establishments=establishments,
                    groups=groups,
                    links=links,
                    la_codes=["931"],
                    filename="demo_gias_oxfordshire.csv",
                )
            self.stdout.write(f"Imported demo schools: {run.summary}")

        partnership, _ = Partnership.objects.get_or_create(
            slug="oxfordshire",
            defaults={
                "name": "Oxfordshire Well Schools Partnership",
                "la_codes": ["931"],
                "contact_email": "wellschools@example.org",
            },
        )
        open_schools = list(
            School.objects.filter(la_code="931")
            .exclude(status=School.Status.CLOSED)
            .order_by("urn")
        )
        members, outside = open_schools[:-NOT_MEMBERS], open_schools[-NOT_MEMBERS:]
        today = timezone.localdate()
        for school in members:
            Membership.objects.get_or_create(
                partnership=partnership,
                school=school,
                defaults={"status": Membership.Status.ACTIVE, "joined_on": today},
            )
        trust = Trust.objects.filter(schools__in=members).order_by("group_uid").first()
        leader_school = next(
            (s for s in members if s.trust_id == getattr(trust, "pk", None)), members[0]
        )

        people = [
            (
                "coordinator@example.org",
                "Morgan Coordinator",
                K.COORDINATOR,
                {"partnership": partnership},
            ),
            ("leader@example.org", "Alex Leader", K.SCHOOL_LEADER, {"school": leader_school}),
            ("staff@example.org", "Sam Staff", K.SCHOOL_STAFF, {"school": leader_school}),
            ("governor@example.org", "Jo Governor", K.GOVERNOR, {"school": leader_school}),
            ("trustlead@example.org", "Robin Trustlead", K.TRUST_LEAD, {"trust": trust}),
            ("truststaff@example.org", "Kai Truststaff", K.TRUST_STAFF, {"trust": trust}),
        ]
        rows = []
        for email, name, kind, scope in people:
            user = self._user(email, name, password)
            role_grant(actor=None, user=user, kind=kind, **scope)
            rows.append((email, Role.Kind(kind).label, str(next(iter(scope.values())))))

        admin = self._user("admin@example.org", "Pat Admin", password)
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        rows.append(("admin@example.org", "Platform admin", "everything"))

        applicant = self._user("applicant@example.org", "Drew Applicant", password)
        Membership.objects.get_or_create(
            partnership=partnership,
            school=outside[0],
            defaults={
                "status": Membership.Status.APPLIED,
                "applicant": applicant,
                "applicant_role_title": "Head teacher",
                "applied_at": timezone.now(),
            },
        )
        rows.append(
            ("applicant@example.org", "Applicant (no role yet)", f"applied for {outside[0].name}")
        )
        rows.append(("newcomer@example.org", "No role", "can apply at /join/"))
        self._user("newcomer@example.org", "Charlie Newcomer", password)

        self._demo_wellchecks(members, leader_school)
        self._demo_event(partnership)
        active = Membership.objects.filter(partnership=partnership, status="active").count()
        self.stdout.write(
            self.style.SUCCESS(f"\nDemo partnership: {partnership.name}, {active} member schools.")
        )
        self.stdout.write(f"Demo sign-in details (password for all: {password})")
        for email, role, scope in rows:
            self.stdout.write(f"  {email:<26} {role:<26} {scope}")
        self.stdout.write(
            "Coordinator and admin pages ask for two-factor set-up first (any authenticator app)."
        )

    def _demo_wellchecks(self, members, leader_school) -> None:
        """Submitted Well Checks for some schools (enough for partnership medians), and last
        year's for the demo leader's school so "change since" shows once they submit."""
        from django.apps import apps

        if not apps.is_installed("wellcheck"):
            return
        from wellcheck.framework import framework_ensure_first
        from wellcheck.models import Answer, Question, WellCheck, WellCheckHistory, academic_year_of

        framework = framework_ensure_first()
        year = academic_year_of(timezone.localdate())
        questions = list(Question.objects.filter(pillar__framework=framework))
        ratings = ["not_started", "limited", "good", "strong"]
        plan = [(school, year) for school in members[:8] if school != leader_school]
        plan.append((leader_school, year - 1))
        for index, (school, check_year) in enumerate(plan):
            check, created = WellCheck.objects.get_or_create(
                school=school,
                academic_year=check_year,
                defaults={
                    "framework": framework,
                    "status": "submitted",
                    "submitted_at": timezone.now(),
                },
            )
            if not created:
                continue
            Answer.objects.bulk_create(
                Answer(
                    well_check=check,
                    question=q,
                    rating=ratings[(index + n * 3 + q.pillar.order) % 7 % 4],
                )
                for n, q in enumerate(questions)
            )
            WellCheckHistory.objects.create(
                well_check=check, from_status="in_progress", to_status="submitted"
            )
        from wellcheck.services import wellcheck_scores_rebuild

        wellcheck_scores_rebuild(school_ids=[school.pk for school, _ in plan])

    def _demo_event(self, partnership) -> None:
        """The partnership's launch event, published, so booking can be tried."""
        from datetime import datetime, time, timedelta
        from zoneinfo import ZoneInfo

        from events.models import Event
        from events.services import event_create, event_publish

        if Event.objects.filter(partnership=partnership).exists():
            return
        coordinator = User.objects.get(email="coordinator@example.org")
        london = ZoneInfo("Europe/London")
        day = timezone.localdate() + timedelta(days=21)
        event = event_create(
            actor=coordinator,
            partnership=partnership,
            title="Oxfordshire Well Schools Partnership launch",
            description="An afternoon to launch the partnership: the four pillars, the Well "
            "Check, and schools sharing what works.",
            venue_name="Example Conference Centre",
            venue_address="1 Example Road, Oxford OX1 0AA",
            starts_at=datetime.combine(day, time(13, 30), london),
            ends_at=datetime.combine(day, time(16, 0), london),
            capacity=60,
            max_places_per_school=3,
            audience=Event.Audience.MEMBERS,
        )
        event_publish(actor=coordinator, event=event)

    def _user(self, email: str, name: str, password: str) -> User:
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user
