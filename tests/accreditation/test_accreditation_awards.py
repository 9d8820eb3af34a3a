"""Eligibility, renewal, expiry, the certificate, the public pages and the reminders."""

import io
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from accreditation_helpers import (
    accredited_school,
    award_for,
    complete,
    draft_application,
    in_review,
    pdf_upload,
    submitted_application,
    submitted_check,
)
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accreditation import services
from accreditation.dates import working_days_between
from accreditation.documents import qr_svg
from accreditation.models import Application, Award, Evidence, verification_code_normalise
from accreditation.reminders import remind_renewals
from accreditation.selectors import days_waiting, eligibility
from accreditation.services import AccreditationError
from partnership.models import Membership
from wellschools.documents import document_render, document_request
from wellschools.models import GeneratedDocument

pytestmark = pytest.mark.django_db

S = Application.Status


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- eligibility ---------------------------------------------------------------------------


def test_without_a_well_check_the_page_says_exactly_what_is_missing(as_user, school, leader):
    page = as_user(leader).get(reverse("accreditation:overview", args=[school.urn]))
    assert "has not submitted a Well Check yet" in page.content.decode()
    assert "Start an application" not in page.content.decode()
    with pytest.raises(AccreditationError, match="has not submitted a Well Check"):
        services.application_start(actor=leader, school=school)


def test_a_well_check_older_than_twelve_months_is_not_enough(school, leader):
    submitted_check(school, leader, submitted_at=timezone.now() - timedelta(days=400))
    result = eligibility(school=school)
    assert not result.eligible
    assert "more than 12 months ago" in result.missing[0]
    submitted_check(school, leader, submitted_at=timezone.now() - timedelta(days=20))
    assert eligibility(school=school).eligible


def test_a_school_that_is_not_an_active_member_cannot_apply(school, leader):
    submitted_check(school, leader)
    Membership.objects.filter(school=school).update(status=Membership.Status.LAPSED)
    result = eligibility(school=school)
    assert result.missing == [
        "The school is not an active member of a partnership. Membership must be active before "
        "it can apply for accreditation."
    ]


def test_starting_twice_continues_the_same_application(school, leader):
    first = draft_application(school, leader)
    again = services.application_start(actor=leader, school=school)
    assert first.pk == again.pk
    assert Application.objects.count() == 1


# --- renewal: pre-filled from the previous application, evidence reusable ------------------


def _awarded(school, leader, coordinator):
    application = complete(draft_application(school, leader), leader)
    pillar = application.framework.pillars.order_by("order").first()
    services.pillar_save(
        actor=leader,
        application=application,
        pillar=pillar,
        statement="Our first statement.",
        evidence={
            "title": "PE policy",
            "dated": timezone.localdate() - timedelta(days=500),
            "upload": pdf_upload(),
        },
    )
    services.application_submit(actor=leader, application=application)
    services.application_assign_reviewer(
        actor=coordinator, application=application, reviewer=coordinator
    )
    services.application_decide(
        actor=coordinator, application=application, award=True, feedback="Well done."
    )
    return application


def test_a_renewal_starts_from_the_previous_application(as_user, school, leader, coordinator):
    previous = _awarded(school, leader, coordinator)
    # Renewal opens 90 days before the award ends.
    Award.objects.filter(school=school).update(
        valid_until=timezone.localdate() + timedelta(days=60)
    )
    renewal = services.application_start(actor=leader, school=school)
    assert renewal.pk != previous.pk and renewal.previous == previous
    pillar = renewal.framework.pillars.order_by("order").first()
    assert renewal.statements.get(pillar=pillar).text == "Our first statement."
    assert not renewal.evidence.exists()
    # The earlier evidence is offered for reuse, and a reused file is a copy of its own.
    url = reverse("accreditation:pillar", args=[school.urn, renewal.pk, pillar.key])
    page = as_user(leader).get(url)
    reusable = page.context["reusable"]
    source = next(item for item in reusable if item.kind == Evidence.Kind.FILE)
    response = as_user(leader).post(
        reverse("accreditation:evidence_reuse", args=[school.urn, renewal.pk, source.pk])
    )
    assert response.status_code == 302
    copy = renewal.evidence.get(reused_from=source)
    assert copy.file.name != source.file.name
    assert copy.is_old and copy.dated == source.dated
    with copy.file.open("rb") as a, source.file.open("rb") as b:
        assert a.read() == b.read()
    services.evidence_remove(actor=leader, evidence=copy)
    assert source.file.storage.exists(source.file.name)


# --- awards expire by themselves -------------------------------------------------------------


def test_an_award_expires_by_itself_after_31_august(school, partnership, client):
    award = award_for(school, partnership, awarded_on=date(2025, 11, 15))
    assert award.valid_until == date(2027, 8, 31)
    assert award.is_current(date(2027, 8, 31))
    assert not award.is_current(date(2027, 9, 1))
    with mock.patch("django.utils.timezone.localdate", return_value=date(2027, 9, 1)):
        page = client.get(reverse("accreditation:verify", args=[award.code]))
        assert "Expired" in page.content.decode()
        listed = client.get(reverse("accreditation:accredited"))
        assert school.name not in listed.content.decode()
    with mock.patch("django.utils.timezone.localdate", return_value=date(2027, 8, 31)):
        listed = client.get(reverse("accreditation:accredited"))
        assert school.name in listed.content.decode()


# --- the public pages -----------------------------------------------------------------------


def test_the_verify_page_shows_the_name_status_and_validity_and_nothing_else(
    client, school, partnership, leader
):
    award = award_for(school, partnership, awarded_on=timezone.localdate() - timedelta(days=10))
    page = client.get(reverse("accreditation:verify", args=[award.code])).content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert school.name in main
    assert "Current" in main
    assert f"{award.valid_until:%-d %B %Y}" in main
    # Issue 14: the awarding partnership, the school's URN and the code checked are shown.
    assert partnership.name in main and str(school.urn) in main and award.code in main
    for private in (
        school.town,
        school.postcode,
        leader.email,
        leader.full_name,
        school.trust.name,
    ):
        # Whole words: the town "Oxford" is part of the partnership's name, which is shown.
        assert not re.search(rf"\b{re.escape(private)}\b", main), private
    assert '<meta name="robots" content="noindex">' in page


def test_codes_are_read_forgivingly_and_unknown_codes_are_404(client, school, partnership):
    award = award_for(school, partnership, awarded_on=timezone.localdate())
    assert verification_code_normalise(" ab-cd ") == "ABCD"
    assert verification_code_normalise("o1l") == "011"
    assert client.get(reverse("accreditation:verify", args=[award.code.lower()])).status_code == 200
    assert client.get(reverse("accreditation:verify", args=["ZZZZZZZZZZ"])).status_code == 404
    lookup = client.get(reverse("accreditation:verify_lookup"), {"code": award.code.lower()})
    assert lookup.status_code == 302 and lookup.url.endswith(f"/verify/{award.code}/")


def test_the_public_list_shows_currently_accredited_schools_once(client, school, partnership):
    award_for(school, partnership, awarded_on=timezone.localdate() - timedelta(days=400))
    award_for(school, partnership, awarded_on=timezone.localdate() - timedelta(days=5))
    page = client.get(reverse("accreditation:accredited")).content.decode()
    assert page.count(school.name) == 1
    assert partnership.name in page


# --- the certificate -------------------------------------------------------------------------


def test_the_certificate_has_the_name_dates_code_and_a_qr_code_to_verify(
    school, partnership, coordinator, settings
):
    settings.SITE_URL = "https://wellschools.example.org"
    award = award_for(school, partnership, awarded_on=date(2026, 3, 12))
    document = document_request(actor=coordinator, kind="accreditation_certificate", subject=award)
    assert document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    with document.file.open("rb") as handle:
        content = handle.read()
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert school.name in text
    assert "12 March 2026" in text and "31 August 2027" in text
    assert award.code in text
    assert f"https://wellschools.example.org/verify/{award.code}/" in text
    assert document.filename == f"well-schools-accreditation-{school.urn}-2026.pdf"


def test_the_qr_code_is_inline_svg_of_the_verify_url():
    svg = qr_svg("https://wellschools.example.org/verify/ABCDEFGHJK/")
    assert svg.startswith("<svg") and "<path" in svg and "<title>" in svg
    assert "<?xml" not in svg and "http://" not in svg.replace("http://www.w3.org", "")


# --- the turnaround clock ------------------------------------------------------------------


def test_working_days_count_monday_to_friday():
    monday = date(2026, 3, 2)
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, monday + timedelta(days=4)) == 4  # to Friday
    assert working_days_between(monday, monday + timedelta(days=7)) == 5  # next Monday
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday to Monday
    assert working_days_between(monday, monday + timedelta(days=28)) == 20


def test_days_waiting_do_not_count_the_time_with_the_school(school, leader, coordinator):
    application = in_review(school, leader, coordinator)
    monday = date(2026, 3, 2)
    start = timezone.make_aware(timezone.datetime(2026, 3, 2, 10))
    Application.objects.filter(pk=application.pk).update(waiting_since=start)
    application.refresh_from_db()
    assert days_waiting(application, monday + timedelta(days=7)) == 5
    Application.objects.filter(pk=application.pk).update(
        status=S.CHANGES_REQUESTED, waiting_since=None, working_days_used=5
    )
    application.refresh_from_db()
    assert days_waiting(application, monday + timedelta(days=60)) == 5


def test_the_queue_marks_applications_past_the_target(
    as_user, school, leader, coordinator, partnership
):
    application = submitted_application(school, leader)
    Application.objects.filter(pk=application.pk).update(
        waiting_since=timezone.now() - timedelta(days=35)
    )
    url = reverse("accreditation_review:queue", args=[partnership.slug])
    page = as_user(coordinator).get(url, {"overdue": "on"})
    rows = page.context["page"].object_list
    assert [r.application.pk for r in rows] == [application.pk]
    assert rows[0].overdue and rows[0].days_waiting >= 21
    assert "Past target" in page.content.decode()


# --- renewal reminders ------------------------------------------------------------------------


def _award_expiring_in(school, partnership, days):
    today = timezone.localdate()
    return award_for(
        school,
        partnership,
        awarded_on=today - timedelta(days=300),
        valid_until=today + timedelta(days=days),
    )


def test_renewal_reminders_go_90_and_30_days_before_expiry_once_each(
    school, leader, partnership, on_commit
):
    award = _award_expiring_in(school, partnership, 90)
    with on_commit():
        assert remind_renewals() == 1
        assert remind_renewals() == 0  # claimed: a second scan sends nothing
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert "expires on" in mail.outbox[0].subject
    assert "/schools/" in mail.outbox[0].body
    assert "unsubscribe" in mail.outbox[0].body.lower()  # a reminder, not essential
    today = timezone.localdate()
    award.valid_until = today + timedelta(days=30)
    award.save()
    with on_commit():
        assert remind_renewals() == 1
        assert remind_renewals() == 0
    award.valid_until = today + timedelta(days=120)
    award.save()
    assert remind_renewals() == 0


def test_a_late_first_scan_sends_only_the_30_day_reminder(school, leader, partnership):
    _award_expiring_in(school, partnership, 25)
    assert remind_renewals() == 1
    assert remind_renewals() == 0


def test_no_reminder_once_the_renewal_has_started(school, leader, partnership):
    _award_expiring_in(school, partnership, 60)
    draft_application(school, leader)
    assert remind_renewals() == 0


def test_no_reminder_for_an_expired_award(school, leader, partnership):
    _award_expiring_in(school, partnership, -1)
    assert remind_renewals() == 0


def test_peer_reviewers_come_from_currently_accredited_schools(partnership, coordinator):
    from accreditation.selectors import reviewer_candidates

    _school, peer, _award = accredited_school(partnership)
    people = {p.pk: p.reviewer_description for p in reviewer_candidates(partnership=partnership)}
    assert people[coordinator.pk] == "Coordinator"
    assert "School leader at Windrush Accredited Primary (accredited)" == people[peer.pk]
