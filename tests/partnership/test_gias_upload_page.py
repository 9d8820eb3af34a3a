"""The coordinator's GIAS upload page does what the command does, for their area."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnership.models import ImportRun, School
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "partnership" / "fixtures"


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def test_upload_imports_the_partnerships_area(as_user, partnership, coordinator):
    url = reverse("partnership:import", args=[partnership.slug])
    response = as_user(coordinator).post(
        url,
        {
            "establishments": _upload("demo_gias_oxfordshire.csv"),
            "groups": _upload("demo_gias_groups.csv"),
            "links": _upload("demo_gias_links.csv"),
        },
        follow=True,
    )
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.actor == coordinator and run.la_codes == ["931"]
    assert f"Imported demo_gias_oxfordshire.csv: {run.summary}" in response.content.decode()
    assert School.objects.filter(la_code="931").count() == run.created == 34
    assert not School.objects.exclude(la_code="931").exists()
    assert School.objects.filter(trust__isnull=False).exists()
    event = AuditEvent.objects.get(action="import.run")
    assert event.partnership_id == partnership.pk and event.actor == coordinator


def test_a_wrong_file_is_refused_next_to_the_field(as_user, partnership, coordinator):
    url = reverse("partnership:import", args=[partnership.slug])
    bad = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", content_type="text/csv"
    )
    response = as_user(coordinator).post(url, {"establishments": bad})
    assert response.status_code == 400
    errors = response.context["form"].errors["establishments"]
    assert errors and "PDF" in errors[0]
    assert not ImportRun.objects.exists() and not School.objects.exists()


def test_groups_without_links_is_refused(as_user, partnership, coordinator):
    url = reverse("partnership:import", args=[partnership.slug])
    response = as_user(coordinator).post(
        url,
        {
            "establishments": _upload("demo_gias_oxfordshire.csv"),
            "groups": _upload("demo_gias_groups.csv"),
        },
    )
    assert "links" in response.context["form"].errors
    assert not School.objects.exists()


def test_upload_trio(as_user, partnership, coordinator, leader, outsider):
    url = reverse("partnership:import", args=[partnership.slug])
    for person, status in [(leader, 403), (outsider, 404)]:
        response = as_user(person).post(
            url, {"establishments": _upload("demo_gias_oxfordshire.csv")}
        )
        assert response.status_code == status
    assert not ImportRun.objects.exists()


def test_seed_demo_creates_the_partnership_and_a_person_per_role(db):
    from io import StringIO

    from django.core.management import call_command

    from partnership.models import Membership, Partnership, Role

    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)  # a second run changes nothing but passwords
    partnership = Partnership.objects.get(slug="oxfordshire")
    active = Membership.objects.filter(partnership=partnership, status="active")
    assert 25 <= active.count() <= 35
    assert (
        active.filter(school__trust__isnull=False).values("school__trust").distinct().count() == 3
    )
    kinds = set(Role.objects.values_list("kind", flat=True))
    assert kinds == {k.value for k in Role.Kind}
    assert Role.objects.count() == len(Role.Kind)
    text = out.getvalue()
    for email in ["coordinator@example.org", "leader@example.org", "truststaff@example.org"]:
        assert email in text
    assert "password for all:" in text


def test_a_file_over_the_size_limit_is_refused(as_user, partnership, coordinator, settings):
    settings.WELLSCHOOLS_GIAS_MAX_UPLOAD_MB = 0
    url = reverse("partnership:import", args=[partnership.slug])
    response = as_user(coordinator).post(
        url, {"establishments": _upload("demo_gias_oxfordshire.csv")}
    )
    assert "the limit is 0 MB" in response.context["form"].errors["establishments"][0]
    assert not School.objects.exists()
