"""The Well Check report and the trust summary, rendered (eagerly here; by a real worker in
the background-work tests) and read back as text."""

import io

import pytest
from django.urls import reverse
from factories import SchoolFactory, submitted_check
from pypdf import PdfReader

from wellcheck.models import Answer
from wellschools.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def _text(document: GeneratedDocument) -> str:
    document.refresh_from_db()
    assert document.status == "ready", document.error
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_report_has_scores_growth_areas_data_and_plan(as_user, on_commit, school, leader):
    wc = submitted_check(school, leader, ratings={"move_well": "limited", "well_culture": "strong"})
    Answer.objects.filter(well_check=wc, question__key="mw_active_travel").update(
        comment="Bike shed <img src='file:///etc/passwd'> is full"
    )
    with on_commit():
        response = as_user(leader).post(
            reverse("wellcheck:report", args=[school.urn, wc.academic_year])
        )
    document = GeneratedDocument.objects.get(kind="wellcheck_report")
    assert response.status_code == 302
    text = _text(document)
    for expected in [
        school.name,
        "Well Check",
        "Well Culture",
        "Move Well",
        "100%",
        "33%",
        "Growth areas",
        "Data answers",
        "Action plan",
        "Bike shed",
    ]:
        assert expected in text, expected
    assert "root:" not in text  # user text is text, never fetched


def test_a_report_is_refused_across_schools(
    as_user, on_commit, school, leader, other_leader, outsider
):
    wc = submitted_check(school, leader)
    url = reverse("wellcheck:report", args=[school.urn, wc.academic_year])
    assert as_user(other_leader).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    with on_commit():
        as_user(leader).post(url)
    document = GeneratedDocument.objects.get()
    download = reverse("document_download", args=[document.pk])
    assert as_user(other_leader).get(download).status_code == 403
    assert as_user(outsider).get(download).status_code == 404
    response = as_user(leader).get(download)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_trust_summary_lists_every_school(
    as_user, on_commit, trust, school, leader, trust_staff
):
    submitted_check(school, leader, ratings={"lead_well": "strong"})
    SchoolFactory(trust=trust, name="Not Started Academy")
    with on_commit():
        as_user(trust_staff).post(reverse("wellcheck:trust_report", args=[trust.group_uid]))
    text = _text(GeneratedDocument.objects.get(kind="trust_summary"))
    assert trust.name in text and school.name in text and "Not Started Academy" in text
    assert "not started" in text


def test_trust_summary_trio(as_user, trust, school, trust_staff, leader, outsider):
    url = reverse("wellcheck:trust_report", args=[trust.group_uid])
    assert as_user(leader).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_a_fifty_school_trust_summary_spans_pages(trust, leader, trust_staff):
    from types import SimpleNamespace

    from wellcheck.documents import render_trust_summary

    for n in range(50):
        school = SchoolFactory(trust=trust, name=f"Summary School {n:02d}")
        if n % 3:
            submitted_check(school, leader)
    filename, pdf = render_trust_summary(SimpleNamespace(subject=trust, requested_by=trust_staff))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) >= 2 and filename.endswith(".pdf")
    assert "Summary School 00" in text and "Summary School 49" in text


def test_a_long_action_plan_still_renders(school, leader):
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from wellcheck.documents import render_wellcheck_report
    from wellcheck.services import action_create

    wc = submitted_check(school, leader, ratings={"live_well": "limited"})
    for pillar in wc.framework.pillars.all():
        for n in range(3):
            action_create(
                actor=leader,
                well_check=wc,
                pillar=pillar,
                title=f"{pillar.name} action {n} " * 4,
                success_measure="A measurable change that the governors will see. " * 3,
                due_date=timezone.localdate() + timedelta(days=30 + n),
            )
    _name, pdf = render_wellcheck_report(SimpleNamespace(subject=wc))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Live Well action 2" in text
