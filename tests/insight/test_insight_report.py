"""The annual impact report: asked for on the page, rendered (eagerly here, by a worker in
production), read back with pdftotext; only the partnership's coordinators open it."""

import shutil
import subprocess

import pytest
from django.urls import reverse
from insight_helpers import submitted_members

from insight.models import AnnualReport
from wellschools.models import GeneratedDocument

pytestmark = pytest.mark.django_db


def _pdftotext(document: GeneratedDocument) -> str:
    document.refresh_from_db()
    assert document.status == "ready", document.error
    with document.file.open("rb") as handle:
        content = handle.read()
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for this test"
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_the_impact_report_has_the_years_numbers(
    as_user, on_commit, settings, tmp_path, partnership, coordinator, leader, coordinator_b
):
    settings.MEDIA_ROOT = str(tmp_path)
    submitted_members(
        partnership, 6, ratings=lambda n: {"move_well": "not_started" if n < 5 else "strong"}
    )
    client = as_user(coordinator)
    url = reverse("insight:report", args=[partnership.slug])
    page = client.get(url)
    year = page.context["year"]
    with on_commit():
        response = client.post(url, {"year": year})
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind="insight_impact_report")
    assert document.object_id == str(
        AnnualReport.objects.get(partnership=partnership, academic_year=year).pk
    )
    text = _pdftotext(document)
    label = page.context["year_label"]
    for expected in [
        f"Annual impact report {label}",
        partnership.name,
        "7 member schools",  # the six and the `leader` fixture's school
        "6 submitted a Well Check",
        "1 had not started",
        "Move Well",
        "Weakest",
        "Strongest",
        "Events held",
    ]:
        assert expected in text, (expected, text)
    # The weakest question is one of Move Well's (five of six schools: Not started).
    weakest = text[text.rindex("Weakest") : text.rindex("Strongest")]
    assert "83% Not started or Limited" in weakest

    assert client.get(document.get_absolute_url()).status_code == 200
    assert as_user(leader).get(document.get_absolute_url()).status_code == 403
    assert as_user(coordinator_b).get(document.get_absolute_url()).status_code == 404


def test_a_malformed_year_is_a_form_error(as_user, partnership, coordinator):
    response = as_user(coordinator).post(
        reverse("insight:report", args=[partnership.slug]), {"year": "19x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert not GeneratedDocument.objects.exists()
