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
from wellschools.extensions import declared
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

        # Each later app adds its own demo data (declared on its AppConfig as demo_data,
        # see wellschools.extensions), so this app never imports the apps built on it.
        for seed in declared("demo_data"):
            seed(partnership=partnership, members=members, leader_school=leader_school)
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

    def _user(self, email: str, name: str, password: str) -> User:
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user
