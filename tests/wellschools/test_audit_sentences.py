"""The audit log reads as sentences: every kind of event that a service records has one,
and the coordinator's page shows sentences, never codes such as ``event.register_marked``."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accreditation.models import Application
from wellschools.audit import AUDIT_SENTENCES, audit_record, audit_sentence
from wellschools.models import AuditEvent

ROOT = Path(settings.BASE_DIR)
APPS = ["wellschools", "partnership", "wellcheck", "accreditation", "events"]
ACTION = re.compile(r'(?:action|audit)=(f?)"([a-z_]+)\.([a-z_{}]+)"')
CHOSEN = re.compile(r'"([a-z_]+\.[a-z_]+)" if .+ else "([a-z_]+\.[a-z_]+)"')


def recorded_kinds() -> set[str]:
    """Every audit kind the code can record, read from the source of the apps."""
    kinds = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if "action=" not in line and "audit=" not in line:
                    continue
                for pair in CHOSEN.findall(line):
                    kinds.update(pair)
                for is_f, area, what in ACTION.findall(line):
                    if is_f and what == "{to}" and area == "accreditation":
                        kinds.update(f"accreditation.{s}" for s in Application.Status.values)
                    elif not is_f:
                        kinds.add(f"{area}.{what}")
    return kinds


def test_the_source_scan_finds_the_kinds():
    kinds = recorded_kinds()
    assert {"event.register_marked", "booking.cancelled", "accreditation.awarded"} <= kinds
    assert len(kinds) > 30


def test_every_recorded_kind_has_a_sentence():
    missing = sorted(recorded_kinds() - set(AUDIT_SENTENCES))
    assert not missing, f"add sentences to wellschools/audit.py for {missing}"


@pytest.mark.parametrize("kind", sorted(AUDIT_SENTENCES))
def test_each_sentence_reads_as_a_sentence_even_without_data(kind):
    event = AuditEvent(action=kind, object_label="Cherwell Primary School", data={})
    sentence = audit_sentence(event)
    assert sentence[0].isupper() and sentence.endswith((".", "”.")), sentence
    assert "{" not in sentence and kind not in sentence and "_" not in sentence


@pytest.mark.parametrize(
    "kind, data, expected",
    [
        (
            "event.register_marked",
            {"marks": 12},
            "Marked the register of Launch (12/05/2027) for 12 people.",
        ),
        (
            "event.register_marked",
            {"marks": 1},
            "Marked the register of Launch (12/05/2027) for 1 person.",
        ),
        (
            "role.removed",
            {"user": "sam@example.org", "kind": "school_staff", "scope": "Cherwell Primary"},
            "Removed sam@example.org as school staff at Cherwell Primary.",
        ),
        (
            "accreditation.award_granted",
            {"school": 700001, "valid_until": "2027-08-31"},
            "Granted Launch (12/05/2027), valid until 31 August 2027.",
        ),
        (
            "event.changed",
            {"fields": ["starts_at", "venue_name"]},
            "Changed the starts at, venue name of the event Launch (12/05/2027).",
        ),
        (
            "membership.status_changed",
            {"from": "active", "to": "lapsed"},
            "Changed the membership from active to lapsed (Launch (12/05/2027)).",
        ),
    ],
)
def test_sentences_use_the_events_details(kind, data, expected):
    event = AuditEvent(action=kind, object_label="Launch (12/05/2027)", data=data)
    assert audit_sentence(event) == expected


def test_an_unknown_kind_is_spelled_out_not_shown_as_a_code():
    event = AuditEvent(action="survey.closed_early", object_label="Staff survey", data={})
    assert audit_sentence(event) == "Survey: closed early (Staff survey)."


@pytest.mark.django_db
def test_the_coordinators_audit_page_shows_sentences(as_user, partnership, coordinator, school):
    audit_record(
        actor=coordinator,
        action="event.register_marked",
        target=school,
        partnership_id=partnership.pk,
        data={"marks": 3},
    )
    page = as_user(coordinator).get(reverse("partnership:audit", args=[partnership.slug]))
    html = page.content.decode()
    assert f"Marked the register of {school} for 3 people." in html
    assert "event.register_marked" not in html and "marks: 3" not in html
