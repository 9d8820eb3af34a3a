"""The page benchmark's data at scale, reproducible from a seed.

1. A generated GIAS-like establishment file (Windows-1252, the real column names, head
   teachers' names and telephone numbers included so the import has to leave them out)
   for all of England's ~24,000 open schools, imported through the real import
   (``partnership.gias.gias_import``), timed once on an empty database and once again
   (the idempotent second run).
2. The project's own services for the workflows: Well Checks are submitted with
   ``wellcheck_submit``, action plans written with ``action_create``, accreditation
   applications started and submitted with ``application_start``/``application_submit``,
   events created and published with ``event_create``/``event_publish``. Rows with no
   workflow of their own (memberships, people and roles, answers, attendees) are
   bulk-inserted, as the bench cases of ``bench/cases.py`` do: booking 15,000 attendees
   through the booking service would render and enqueue 5,000 emails and calendar files
   and take most of the run.

``build(scale, seed, workdir)`` returns a manifest (ids and URLs of the personas and the
pages to measure) that ``page_bench.py`` keeps beside the database.
"""

import csv
import random
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path


@dataclass(frozen=True)
class Scale:
    name: str
    gias_schools: int
    partnership_schools: int
    submitted: int
    in_progress: int
    previous_year: int
    trust_schools: int
    action_plans: int
    applications: int
    events: int
    max_attendees: int


FULL = Scale("full", 24_000, 3_000, 2_000, 300, 800, 60, 500, 500, 50, 300)
SMALL = Scale("small", 3_000, 300, 200, 30, 80, 60, 50, 50, 10, 100)
SCALES = {"full": FULL, "small": SMALL}

PARTNERSHIP_LAS = 20
OTHER_LAS = 130
TOWNS = [
    "Oxford", "Banbury", "Bicester", "Witney", "Abingdon", "Didcot", "Thame", "Henley",
    "Wantage", "Wallingford", "Carterton", "Chipping Norton", "Kidlington", "Faringdon",
]  # fmt: skip
KINDS = ["St Mary’s", "Church of England", "Community", "Park", "Meadow", "Brook", "Hill"]
PHASES = [("Primary", 4, 11)] * 7 + [("Secondary", 11, 18)] * 2 + [("All-through", 4, 18)]
TYPES = ["Academy converter", "Community school", "Voluntary aided school", "Free schools"]
GIAS_COLUMNS = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (name)", "EstablishmentStatus (name)", "OpenDate", "CloseDate",
    "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "NumberOfPupils",
    "Trusts (code)", "Trusts (name)", "Street", "Town", "Postcode", "HeadTitle (name)",
    "HeadFirstName", "HeadLastName", "TelephoneNum",
]  # fmt: skip
TRUST_OF_SIXTY_UID = "19060"


def la_code(n: int) -> str:
    return str(800 + n)


def write_gias_file(path: Path, scale: Scale, rng: random.Random) -> dict:
    """All of England, invented: the partnership's area first (its 20 local authorities
    hold the members and a tenth more), then 130 other authorities."""
    area = int(scale.partnership_schools * 1.1) + 1
    trusts: list[tuple[str, str, int]] = [(TRUST_OF_SIXTY_UID, "Bench Sixty Learning Trust", 0)]
    uid = 20000
    rows = []
    # The first trust_schools schools of the area form the 60-school trust; about a third
    # of the others are in trusts of 2 to 30 schools.
    remaining_in_trust = 0
    for n in range(scale.gias_schools):
        urn = 100000 + n
        in_area = n < area
        la = la_code(n % PARTNERSHIP_LAS) if in_area else la_code(PARTNERSHIP_LAS + n % OTHER_LAS)
        phase, low, high = PHASES[rng.randrange(len(PHASES))]
        town = TOWNS[rng.randrange(len(TOWNS))]
        status = "Open"
        if n >= scale.partnership_schools:  # members are open; others sometimes not
            status = rng.choices(
                ["Open", "Closed", "Open, but proposed to close", "Proposed to open"],
                [95, 3, 1, 1],
            )[0]
        if n < scale.trust_schools:
            trust_uid, trust_name = TRUST_OF_SIXTY_UID, "Bench Sixty Learning Trust"
        elif remaining_in_trust > 0:
            remaining_in_trust -= 1
            trust_uid, trust_name = trusts[-1][0], trusts[-1][1]
        elif rng.random() < 0.06:
            uid += 1
            remaining_in_trust = rng.randint(1, 29)
            trusts.append((str(uid), f"{town} {KINDS[uid % len(KINDS)]} Learning Trust {uid}", 0))
            trust_uid, trust_name = trusts[-1][0], trusts[-1][1]
        else:
            trust_uid = trust_name = ""
        opened = date(1950, 1, 1) + timedelta(days=rng.randrange(27000))
        rows.append(
            [
                urn,
                la,
                f"Bench Authority {la}",
                2000 + n % 8000,
                f"{town} {KINDS[n % len(KINDS)]} {phase} School {n}",
                TYPES[rng.randrange(len(TYPES))],
                status,
                opened.strftime("%d-%m-%Y"),
                "31-08-2025" if status == "Closed" else "",
                phase,
                low,
                high,
                rng.randint(40, 1600),
                trust_uid,
                trust_name,
                f"{rng.randint(1, 200)} School Lane",
                town,
                f"OX{rng.randint(1, 49)} {rng.randint(1, 9)}{'ABDEFGHJ'[rng.randrange(8)]}Q",
                "Mrs",
                "Invented",
                f"Headteacher{n}",
                f"01865 {rng.randint(100000, 999999)}",
            ]
        )
    with open(path, "w", encoding="cp1252", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(GIAS_COLUMNS)
        writer.writerows(rows)
    return {"area_schools": area, "trusts": len(trusts), "bytes": path.stat().st_size}


def _timed(label: str, timings: dict, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    timings[label] = time.perf_counter() - start
    print(f"  {label}: {timings[label]:.1f} s", flush=True)
    return result


def import_gias(path: Path, timings: dict) -> dict:
    from partnership.gias import gias_import

    runs = {}
    for label in ("gias_import_first", "gias_import_again"):
        with open(path, "rb") as establishments:
            run = _timed(
                label,
                timings,
                gias_import,
                establishments=establishments,
                la_codes=None,
                groups=None,
                links=None,
                actor=None,
                filename=path.name,
            )
        runs[label] = run.summary
    return runs


def _users(prefix: str, schools) -> dict[int, object]:
    from wellschools.models import User

    User.objects.bulk_create(
        User(email=f"{prefix}{s.urn}@bench.example.org", full_name=f"Leader of {s.urn}")
        for s in schools
    )
    by_email = {u.email: u for u in User.objects.filter(email__endswith="@bench.example.org")}
    return {s.pk: by_email[f"{prefix}{s.urn}@bench.example.org"] for s in schools}


def build(scale: Scale, seed: int, workdir: Path) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from accreditation.models import Evidence, PillarStatement
    from accreditation.services import application_start, application_submit
    from events.models import Attendee, Booking, BookingChange
    from events.services import event_create, event_publish
    from partnership.models import Membership, Partnership, Role, School, Trust
    from wellcheck.framework import framework_ensure_first
    from wellcheck.models import Answer, DataAnswer, Question, WellCheck, academic_year_of
    from wellcheck.services import action_create, wellcheck_submit
    from wellschools.models import User

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    print(f"Building the {scale.name} data set (seed {seed}) ...", flush=True)

    gias_path = workdir / "edubasealldata-bench.csv"
    gias = _timed("gias_file", timings, write_gias_file, gias_path, scale, rng)
    gias["schools"] = scale.gias_schools
    gias["runs"] = import_gias(gias_path, timings)

    start = time.perf_counter()
    partnership = Partnership.objects.create(
        name="Bench Well Schools Partnership",
        slug="bench",
        la_codes=[la_code(n) for n in range(PARTNERSHIP_LAS)],
        contact_email="bench@example.org",
    )
    members = list(
        School.objects.filter(urn__lt=100000 + scale.partnership_schools).order_by("urn")
    )
    Membership.objects.bulk_create(
        Membership(
            partnership=partnership,
            school=s,
            status=Membership.Status.ACTIVE,
            joined_on=date(2025, 9, 1),
        )
        for s in members
    )
    # Some applications and former members in the area, as a real directory has.
    others = list(
        School.objects.filter(
            la_code__in=partnership.la_codes, urn__gte=100000 + scale.partnership_schools
        ).order_by("urn")[: max(10, scale.partnership_schools // 20)]
    )
    Membership.objects.bulk_create(
        Membership(
            partnership=partnership,
            school=s,
            status=[Membership.Status.APPLIED, Membership.Status.LAPSED, Membership.Status.LEFT][
                n % 3
            ],
            applied_at=timezone.now(),
        )
        for n, s in enumerate(others)
    )
    leaders = _users("leader", members)
    Role.objects.bulk_create(
        Role(user=leaders[s.pk], kind=Role.Kind.SCHOOL_LEADER, school=s) for s in members
    )
    coordinator = User.objects.create(
        email="coordinator@bench.example.org", full_name="Bench Coordinator"
    )
    Role.objects.create(user=coordinator, kind=Role.Kind.COORDINATOR, partnership=partnership)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "bench-not-a-secret"}
    )
    trust = Trust.objects.get(group_uid=TRUST_OF_SIXTY_UID)
    trust_lead = User.objects.create(email="trustlead@bench.example.org", full_name="Trust Lead")
    Role.objects.create(user=trust_lead, kind=Role.Kind.TRUST_LEAD, trust=trust)
    timings["people_and_memberships"] = time.perf_counter() - start

    # --- Well Checks ---------------------------------------------------------------------
    start = time.perf_counter()
    framework = framework_ensure_first()
    questions = list(Question.objects.filter(pillar__framework=framework))
    data_questions = list(framework.data_questions.all())
    year = academic_year_of(timezone.localdate())
    ratings = ["not_started", "limited", "good", "strong"]
    # The persona schools: school A (submitted, last year too, action plan, application:
    # results, plan, home, booking) is in the 60-school trust; school B has an open check.
    submitted = members[: scale.submitted]
    open_checks = members[scale.submitted : scale.submitted + scale.in_progress]
    previous = members[: scale.previous_year]

    def make_checks(schools, check_year: int, complete: bool):
        checks = WellCheck.objects.bulk_create(
            WellCheck(
                school=s,
                academic_year=check_year,
                framework=framework,
                started_by=leaders[s.pk],
            )
            for s in schools
        )
        answers = []
        for check in checks:
            bias = rng.random()
            chosen = questions if complete else questions[: rng.randrange(len(questions))]
            for q in chosen:
                rating = ratings[min(3, int(rng.random() * 2 + bias * 2))]
                answers.append(
                    Answer(
                        well_check=check,
                        question=q,
                        rating=rating,
                        comment="A weekly club run by Year 6 sports leaders."
                        if rng.random() < 0.3
                        else "",
                        updated_by=leaders[check.school_id],
                    )
                )
        Answer.objects.bulk_create(answers, batch_size=5000)
        if complete:
            DataAnswer.objects.bulk_create(
                (
                    DataAnswer(
                        well_check=c,
                        question=q,
                        value=q.minimum + (q.maximum - q.minimum) * rng.randrange(10) / 10,
                    )
                    for c in checks
                    for q in data_questions
                ),
                batch_size=5000,
            )
        return checks

    for check in make_checks(previous, year - 1, True):
        wellcheck_submit(actor=leaders[check.school_id], well_check=check)
    this_year = make_checks(submitted, year, True)
    for check in this_year:
        wellcheck_submit(actor=leaders[check.school_id], well_check=check)
    open_list = make_checks(open_checks, year, False)
    timings["well_checks"] = time.perf_counter() - start

    # --- action plans (the service) --------------------------------------------------------
    start = time.perf_counter()
    pillars = list(framework.pillars.order_by("order"))
    for check in this_year[: scale.action_plans]:
        leader = leaders[check.school_id]
        for n in range(rng.randint(3, 6)):
            action_create(
                actor=leader,
                well_check=check,
                pillar=pillars[n % len(pillars)],
                title=f"{pillars[n % len(pillars)].name}: a priority the school chose ({n + 1})",
                success_measure="A measurable change the governors will see by the spring term.",
                due_date=timezone.localdate() + timedelta(days=rng.randint(-30, 200)),
                owner=leader,
            )
    timings["action_plans"] = time.perf_counter() - start

    # --- accreditation applications (the services) -------------------------------------------
    start = time.perf_counter()
    for check in this_year[: scale.applications]:
        leader = leaders[check.school_id]
        application = application_start(actor=leader, school=check.school)
        PillarStatement.objects.filter(application=application).update(
            text="We do this well, across the school.", updated_by=leader
        )
        Evidence.objects.bulk_create(
            Evidence(
                application=application,
                pillar=pillar,
                kind=Evidence.Kind.NOTE,
                title=f"{pillar.name} policy",
                dated=timezone.localdate() - timedelta(days=30),
                note="Staff shared drive > Policies",
                added_by=leader,
            )
            for pillar in pillars
        )
        application_submit(actor=leader, application=application)
    timings["applications"] = time.perf_counter() - start

    # --- events --------------------------------------------------------------------------
    start = time.perf_counter()
    events = []
    for n in range(scale.events):
        starts = timezone.now() + timedelta(days=7 + n * 3, hours=n % 5)
        event = event_create(
            actor=coordinator,
            partnership=partnership,
            title=f"Well Schools network meeting {n + 1}",
            description="Meet the partnership, hear from schools, plan the year.",
            venue_name="Kassam Stadium Conference Centre",
            venue_address="Grenoble Road\nOxford OX4 4XP",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            capacity=scale.max_attendees if n == 0 else rng.randint(40, scale.max_attendees),
            audience="members",
        )
        events.append(event_publish(actor=coordinator, event=event))
    booking_event = event_publish(
        actor=coordinator,
        event=event_create(
            actor=coordinator,
            partnership=partnership,
            title="Bench booking target (places enough for every booking the bench makes)",
            description="",
            venue_name="Online",
            venue_address="",
            starts_at=timezone.now() + timedelta(days=60),
            ends_at=timezone.now() + timedelta(days=60, hours=2),
            capacity=1_000_000,
            audience="members",
        ),
    )
    with transaction.atomic():
        for n, event in enumerate(events):
            target = event.capacity if n == 0 else rng.randint(0, event.capacity)
            bookings, groups, taken = [], [], 0
            while taken < target:
                size = min(rng.randint(1, 5), target - taken)
                school = members[rng.randrange(len(members))]
                bookings.append(
                    Booking(
                        event=event,
                        booker=leaders[school.pk],
                        school=school,
                        organisation=school.name,
                        status=Booking.Status.CONFIRMED,
                        confirmed_at=timezone.now(),
                    )
                )
                groups.append(size)
                taken += size
            bookings = Booking.objects.bulk_create(bookings)
            BookingChange.objects.bulk_create(
                BookingChange(booking=b, to_status=b.status, comment="Booked") for b in bookings
            )
            Attendee.objects.bulk_create(
                Attendee(
                    booking=b,
                    name=f"Attendee {b.pk}-{i}",
                    email=f"attendee{b.pk}-{i}@example.org",
                    role="PE lead",
                    dietary_needs="Vegetarian" if rng.random() < 0.1 else "",
                )
                for b, size in zip(bookings, groups, strict=True)
                for i in range(size)
            )
    timings["events"] = time.perf_counter() - start

    school_a, school_b = submitted[0], open_list[0].school
    pillar_b = pillars[0]
    question_b = Question.objects.filter(pillar=pillar_b).order_by("order", "pk").first()
    return {
        "scale": asdict(scale),
        "seed": seed,
        "gias": gias,
        "timings": timings,
        "year": year,
        "partnership": partnership.slug,
        "trust": trust.group_uid,
        "users": {
            "leader": leaders[school_a.pk].pk,
            "editor": leaders[school_b.pk].pk,
            "trust_lead": trust_lead.pk,
            "coordinator": coordinator.pk,
        },
        "school_a": school_a.urn,
        "school_a_pk": school_a.pk,
        "school_b": school_b.urn,
        "pillar_b": pillar_b.key,
        "question_b": question_b.pk,
        "event": events[0].pk,
        "booking_event": booking_event.pk,
        "counts": {
            "schools": School.objects.count(),
            "members": len(members),
            "submitted_this_year": len(this_year),
            "submitted_last_year": len(previous),
            "open_checks": len(open_list),
            "answers": Answer.objects.count(),
            "trust_schools": trust.schools.count(),
            "bookings": Booking.objects.count(),
            "attendees": Attendee.objects.count(),
        },
    }
