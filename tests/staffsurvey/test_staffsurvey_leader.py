"""A leader runs a survey through the real pages: start it, share it (link, QR code, A4
poster PDF, single-use emailed links), change settings, close it; the report PDF; the
reminders and notices of the periodic scan."""

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from survey_helpers import answer, answer_many, end, make_survey

from staffsurvey.models import Survey, SurveyHistory, SurveyLink
from wellschools.models import AuditEvent, EmailMessage, GeneratedDocument
from wellschools.reminders import reminders_scan

pytestmark = pytest.mark.django_db


def pdf_text(document: GeneratedDocument) -> str:
    document.refresh_from_db()
    assert document.status == "ready", document.error
    with document.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
    else:  # pragma: no cover - poppler-utils is installed wherever the suite runs
        from pypdf import PdfReader

        out = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return " ".join(out.split())


def test_a_leader_starts_a_survey(as_user, school, leader):
    client = as_user(leader)
    url = reverse("staffsurvey:create", args=[school.urn])
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "title": "Spring check-in",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "staff_count": "40",
            "threshold": "6",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    assert (survey.title, survey.threshold, survey.staff_count) == ("Spring check-in", 6, 40)
    assert survey.status == "open" and survey.framework.is_published
    assert SurveyHistory.objects.filter(survey=survey, from_status="", to_status="open").exists()
    assert AuditEvent.objects.filter(action="staffsurvey.created").exists()
    page = client.get(survey.get_absolute_url()).content.decode()
    assert survey.public_url() in page
    assert "<svg" in page  # the QR code
    qr = client.get(reverse("staffsurvey:qr", args=[school.urn, survey.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_bad_input_on_the_start_form_keeps_what_was_typed(as_user, school, leader):
    client = as_user(leader)
    today = timezone.localdate()
    response = client.post(
        reverse("staffsurvey:create", args=[school.urn]),
        {
            "title": "Spring check-in",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
            "staff_count": "lots",
            "threshold": "3",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The closing date must be on or after the opening date." in html
    assert "Enter a whole number, for example 48." in html
    assert "greater than or equal to 5" in html
    assert 'value="Spring check-in"' in html
    assert not Survey.objects.exists()


def test_a_second_survey_while_one_runs_is_refused(as_user, school, leader):
    make_survey(school, leader)
    today = timezone.localdate()
    response = as_user(leader).post(
        reverse("staffsurvey:create", args=[school.urn]),
        {
            "title": "Another",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=3)).isoformat(),
            "threshold": "5",
        },
    )
    assert response.status_code == 400
    assert "already has a survey running" in response.content.decode()
    assert Survey.objects.count() == 1


def test_the_settings_form_posted_back_unchanged_changes_nothing(as_user, school, leader):
    survey = make_survey(school, leader, staff_count=20)
    client = as_user(leader)
    url = reverse("staffsurvey:edit", args=[school.urn, survey.pk])
    page = client.get(url).content.decode()
    fields = dict(re.findall(r'name="(title|staff_count|threshold)"[^>]*value="([^"]*)"', page))
    history_before = SurveyHistory.objects.count()
    audit_before = AuditEvent.objects.count()
    response = client.post(url, fields)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.staff_count, survey.threshold, survey.withhold_comments) == (
        "Staff wellbeing survey, autumn",
        20,
        5,
        False,
    )
    assert SurveyHistory.objects.count() == history_before
    assert AuditEvent.objects.count() == audit_before


def test_the_threshold_only_goes_up(as_user, school, leader):
    survey = make_survey(school, leader, threshold=7)
    client = as_user(leader)
    url = reverse("staffsurvey:edit", args=[school.urn, survey.pk])
    response = client.post(url, {"title": survey.title, "threshold": "5"})
    assert response.status_code == 400
    assert "can only go up: 7 or more" in response.content.decode()
    response = client.post(
        url, {"title": survey.title, "threshold": "9", "withhold_comments": "on"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.threshold == 9 and survey.withhold_comments


def test_closing_needs_confirmation_and_goes_through_the_workflow(as_user, school, leader):
    survey = make_survey(school, leader)
    client = as_user(leader)
    url = reverse("staffsurvey:close", args=[school.urn, survey.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert Survey.objects.get(pk=survey.pk).status == "open"
    assert client.post(url, {"confirm": "on"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed" and survey.closed_at is not None
    row = SurveyHistory.objects.get(survey=survey, to_status="closed")
    assert row.from_status == "open" and row.actor == leader
    assert AuditEvent.objects.filter(action="staffsurvey.closed").exists()
    again = client.post(url, {"confirm": "on"})
    assert again.status_code == 400 and "already closed" in again.content.decode()


def test_inviting_checks_the_addresses_first(as_user, school, leader):
    survey = make_survey(school, leader)
    url = reverse("staffsurvey:invite", args=[school.urn, survey.pk])
    response = as_user(leader).post(url, {"emails": "good@example.org\nnot an address"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "These are not email addresses: not an address" in html
    assert "good@example.org" in html  # nothing typed is lost
    assert not SurveyLink.objects.exists() and not EmailMessage.objects.exists()


def test_the_poster_pdf_has_the_link(as_user, on_commit, school, leader):
    survey = make_survey(school, leader)
    with on_commit():
        response = as_user(leader).post(reverse("staffsurvey:poster", args=[school.urn, survey.pk]))
    document = GeneratedDocument.objects.get(kind="staffsurvey_poster")
    assert response["Location"] == document.get_absolute_url()
    text = pdf_text(document)
    assert "How are you doing at work?" in text
    assert survey.public_url() in text
    assert school.name in text


def test_the_report_pdf_has_the_results_and_withholds_written_answers(
    as_user, on_commit, school, leader
):
    survey = make_survey(school, leader)
    answer_many(survey, {"teaching": 5}, value=4, by_area={"demands": 2})
    answer(survey, group="support", comment="A quiet room for lunch")
    end(survey)
    client = as_user(leader)
    url = reverse("staffsurvey:report", args=[school.urn, survey.pk])
    with on_commit():
        client.post(url)
    text = pdf_text(GeneratedDocument.objects.get(kind="staffsurvey_report"))
    for expected in [
        school.name,
        "Areas to act on",
        "Demands",
        "Manager support",
        "6 staff answered",
    ]:
        assert expected in text, expected
    assert "A quiet room for lunch" not in text
    assert "No staff group can be shown" in text  # 5 teaching + 1 support: suppressed
    with on_commit():
        client.post(url, {"with_comments": "1"})
    text = pdf_text(GeneratedDocument.objects.get(kind="staffsurvey_report_full"))
    assert "A quiet room for lunch" in text


def _survey_notices():
    return sorted(
        (m.kind, m.recipient)
        for m in EmailMessage.objects.filter(kind__startswith="staffsurvey_").exclude(
            kind="staffsurvey_invitation"
        )
    )


def test_halfway_reminder_threshold_notice_and_closing_are_sent_once(school, leader, on_commit):
    from staffsurvey.services import survey_invite

    today = timezone.localdate()
    survey = make_survey(school, leader, opens_on=today, closes_on=today + timedelta(days=10))
    with on_commit():
        survey_invite(actor=leader, survey=survey, emails=["a@example.org", "b@example.org"])
    with on_commit():
        reminders_scan()
    assert _survey_notices() == []  # not halfway yet, no responses
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=today - timedelta(days=6), closes_on=today + timedelta(days=4)
    )
    answer_many(survey, {"teaching": 5})
    mail.outbox.clear()
    with on_commit():
        reminders_scan()
    with on_commit():
        reminders_scan()  # a second scan sends nothing more
    assert _survey_notices() == [
        ("staffsurvey_halfway", "a@example.org"),
        ("staffsurvey_halfway", "b@example.org"),
        ("staffsurvey_threshold", leader.email),
    ]
    halfway = next(m for m in mail.outbox if "Halfway" in m.subject)
    assert survey.public_url() in halfway.body
    assert "unsubscribe" in halfway.body.lower()  # a reminder, not essential email
    Survey.objects.filter(pk=survey.pk).update(closes_on=today - timedelta(days=1))
    mail.outbox.clear()
    with on_commit():
        reminders_scan()
    with on_commit():
        reminders_scan()
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert SurveyHistory.objects.get(survey=survey, to_status="closed").actor is None
    closed = [m for m in mail.outbox if "has closed" in m.subject]
    assert [m.to[0] for m in closed] == [leader.email]
    assert "results" in closed[0].body.lower()
