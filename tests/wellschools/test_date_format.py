"""One date format on pages, emails and PDFs: 31 March 2027; times 14:30 (DESIGN.md).

Three nets: every template uses the shared filters (or Django's default, which the format
module sets) rather than a format of its own; the demo partnership's pages, rendered for
each role, show no other date format; an event's emails neither.
"""

import io
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.template import Context, Template
from django.utils import formats, timezone

from events.models import Event
from events.services.bookings import booking_create
from events.services.core import AttendeeData
from partnership.models import Partnership
from wellcheck.models import WellCheck, academic_year_of
from wellschools.models import User

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Machine formats stay: .ics stamps (Ymd) and ISO 8601 in metadata ('c').
MACHINE_FORMATS = {"Ymd", "c"}

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# What a person must never see: other date shapes, abbreviated months, 12-hour clocks.
WRONG = [
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "numeric date like 31/03/2027"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "ISO date like 2027-03-31"),
    (
        re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?=[\s,]|$)"),
        "abbreviated month",
    ),
    (re.compile(rf"\b({MONTHS}) \d{{1,2}}, \d{{4}}\b"), "US month-first date"),
    (re.compile(r"\b\d{1,2}(:\d{2})?\s?(a\.m\.|p\.m\.|am|pm)(?!\w)", re.I), "12-hour time"),
    (re.compile(r"\bmidnight\b|\bnoon\b"), "Django's words for times"),
]
RIGHT = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b")


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def wrong_dates(text: str) -> list[str]:
    return [f"{why}: {m.group(0)!r}" for pattern, why in WRONG for m in pattern.finditer(text)]


def test_the_format_module_gives_31_march_2027_and_14_30():
    moment = datetime(2027, 3, 31, 14, 30, tzinfo=ZoneInfo("Europe/London"))
    assert formats.date_format(date(2027, 3, 31)) == "31 March 2027"
    assert formats.date_format(moment, "DATETIME_FORMAT") == "31 March 2027, 14:30"
    assert formats.time_format(moment.time()) == "14:30"
    rendered = Template(
        "{{ d|ukdate }}|{{ t|ukdatetime }}|{{ t|uktime }}|{{ t|ukdaydatetime }}|{{ d }}"
    ).render(Context({"d": date(2027, 3, 31), "t": moment}))
    assert rendered == (
        "31 March 2027|31 March 2027, 14:30|14:30|Wednesday 31 March 2027, 14:30|31 March 2027"
    )


def test_datetimes_are_shown_in_london_time():
    summer_utc = datetime(2027, 6, 30, 13, 30, tzinfo=ZoneInfo("UTC"))
    assert Template("{{ t|ukdatetime }}").render(Context({"t": summer_utc})) == (
        "30 June 2027, 14:30"
    )


def test_no_template_brings_its_own_date_format():
    own = []
    for path in TEMPLATES.rglob("*"):
        if not path.is_file() or path.suffix not in {".html", ".txt", ".ics"}:
            continue
        for match in re.finditer(r"""\|(date|time):["']([^"']*)["']""", path.read_text()):
            if match.group(2) not in MACHINE_FORMATS:
                own.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert not own, "use |ukdate, |ukdatetime, |uktime (wellschools_tags) instead:\n" + "\n".join(
        own
    )


def test_wrong_date_shapes_are_caught():
    # The net itself: each wrong shape is found, the right one is not.
    for sample in ["31/03/2027", "2027-03-31", "31 Mar 2027", "March 31, 2027", "2:30 p.m."]:
        assert wrong_dates(sample), sample
    assert not wrong_dates("Wednesday 31 March 2027, 14:30")


@pytest.fixture
def demo(db):
    call_command("seed_demo", password="a-long-test-password", stdout=io.StringIO())
    return Partnership.objects.get(slug="oxfordshire")


def test_pages_of_every_role_show_one_date_format(client, demo):
    event = Event.objects.get(partnership=demo)
    year = academic_year_of(timezone.localdate())
    submitted = WellCheck.objects.filter(academic_year=year, status="submitted").first()
    leader = User.objects.get(email="leader@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    from conftest import enrol_totp

    enrol_totp(coordinator)
    leader_school = leader.roles.get().school
    pages = {
        None: ["/", "/events/", f"/events/{event.pk}/", "/accredited/"],
        leader: [
            f"/schools/{leader_school.urn}/",
            f"/schools/{leader_school.urn}/wellcheck/",
            f"/schools/{leader_school.urn}/wellcheck/{year - 1}/",
            "/events/bookings/",
        ],
        coordinator: [
            f"/partnership/{demo.slug}/",
            f"/partnership/{demo.slug}/members/",
            f"/partnership/{demo.slug}/applications/",
            f"/partnership/{demo.slug}/audit/",
            f"/partnership/{demo.slug}/import/",
            f"/partnership/{demo.slug}/events/",
            f"/partnership/{demo.slug}/events/{event.pk}/",
            f"/schools/{submitted.school.urn}/wellcheck/{year}/",
            f"/schools/{submitted.school.urn}/wellcheck/{year}/results/",
        ],
    }
    seen_dates = 0
    for person, paths in pages.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            text = visible_text(response.content.decode())
            assert not wrong_dates(text), f"{path}: {wrong_dates(text)}"
            seen_dates += len(RIGHT.findall(text))
    assert seen_dates >= 10  # the pages do show dates, in the one format


def test_event_emails_show_one_date_format(demo, django_capture_on_commit_callbacks):
    event = Event.objects.get(partnership=demo)
    leader = User.objects.get(email="leader@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(
            actor=leader,
            event=event,
            school=leader.roles.get().school,
            attendees=[AttendeeData(name="Sam Staff", email="sam.staff@example.org")],
        )
    assert mail.outbox, "booking sends a confirmation"
    for message in mail.outbox:
        bodies = [message.subject, message.body] + [
            visible_text(content)
            for content, kind in getattr(message, "alternatives", [])
            if kind == "text/html"
        ]
        for body in bodies:
            assert not wrong_dates(body), f"{message.subject}: {wrong_dates(body)}"
        assert RIGHT.search(message.body), message.body
