"""The GIAS area rule (docs/gias.md): a coordinator's import touches only schools of their
own partnership's area, and every partnership whose member school changed hears of it.

Finding 1 of the tenancy issue: a Somerset coordinator's upload could rename an
Oxfordshire member school, move it to LA 933 and into another trust, or close it."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from factories import TrustFactory

from partnership.gias import GiasImportError, gias_import
from partnership.models import ImportRun, School
from wellschools.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = [
    "URN",
    "EstablishmentName",
    "LA (code)",
    "LA (name)",
    "EstablishmentStatus (name)",
    "Trusts (code)",
    "Trusts (name)",
]


def gias_file(*rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("cp1252")


def upload(client, partnership, data: bytes):
    return client.post(
        reverse("partnership:import", args=[partnership.slug]),
        {"establishments": SimpleUploadedFile("edubase.csv", data, content_type="text/csv")},
        follow=True,
    )


def _state(school):
    school.refresh_from_db()
    return (school.name, school.la_code, school.trust_id, school.status)


def test_a_coordinator_cannot_take_over_another_partnerships_school(
    as_user, partnership, partnership_b, school, trust, coordinator_b
):
    before = _state(school)
    other = TrustFactory(name="Somerset Takeover Trust")
    data = gias_file(
        # The file claims the Oxfordshire school is in Somerset and in another trust ...
        [school.urn, "Renamed By Somerset", "933", "Somerset", "Open", other.group_uid, "X"],
    )
    response = upload(as_user(coordinator_b), partnership_b, data)

    assert response.status_code == 200
    assert _state(school) == before
    run = ImportRun.objects.get()
    assert run.refused_urns == [school.urn] and run.partnership == partnership_b
    assert (run.created, run.updated) == (0, 0)
    page = response.content.decode()
    assert f"skipped: outside your area 1 (URN {school.urn})" in page


def test_a_file_row_in_your_la_cannot_rename_or_close_a_school_stored_elsewhere(
    partnership, partnership_b, school, coordinator_b
):
    before = _state(school)
    data = gias_file([school.urn, "Closed By Somerset", "933", "Somerset", "Closed", "", ""])
    run = gias_import(
        establishments=io.BytesIO(data), actor=coordinator_b, partnership=partnership_b
    )
    assert _state(school) == before
    assert run.refused_urns == [school.urn]


def test_a_coordinator_cannot_move_their_own_school_out_of_the_area(
    partnership, school, coordinator
):
    """Moving a school to another LA would hand it to that LA's partnership: a platform
    admin's import does that, never a coordinator's."""
    data = gias_file([school.urn, school.name, "933", "Somerset", "Open", "", ""])
    run = gias_import(establishments=io.BytesIO(data), actor=coordinator, partnership=partnership)
    school.refresh_from_db()
    assert school.la_code == "931" and run.refused_urns == [school.urn]


def test_new_schools_only_in_the_area_and_updates_of_your_own(
    partnership, partnership_b, school, coordinator_b
):
    data = gias_file(
        [990001, "New Oxfordshire School", "931", "Oxfordshire", "Open", "", ""],
        [990002, "New Somerset School", "933", "Somerset", "Open", "", ""],
    )
    run = gias_import(
        establishments=io.BytesIO(data), actor=coordinator_b, partnership=partnership_b
    )
    assert not School.objects.filter(urn=990001).exists()
    assert School.objects.get(urn=990002).la_code == "933"
    assert (run.created, run.skipped, run.refused_urns) == (1, 1, [])
    renamed = gias_file([990002, "Renamed Somerset School", "933", "Somerset", "Open", "", ""])
    run = gias_import(
        establishments=io.BytesIO(renamed), actor=coordinator_b, partnership=partnership_b
    )
    assert run.updated == 1 and School.objects.get(urn=990002).name == "Renamed Somerset School"


def test_a_trust_with_schools_outside_the_area_is_not_renamed(
    partnership, partnership_b, school, school_b, trust, coordinator_b
):
    data = gias_file(
        [school_b.urn, school_b.name, "933", "Somerset", "Open", trust.group_uid, "Hijacked"]
    )
    gias_import(establishments=io.BytesIO(data), actor=coordinator_b, partnership=partnership_b)
    trust.refresh_from_db()
    assert trust.name == "Cherwell Valley Academies Trust"
    school_b.refresh_from_db()
    assert school_b.trust == trust


def test_a_partnership_without_la_codes_cannot_import(partnership, coordinator):
    partnership.la_codes = []
    partnership.save()
    data = gias_file([990003, "Anywhere School", "201", "London", "Open", "", ""])
    with pytest.raises(GiasImportError, match="no local-authority codes"):
        gias_import(establishments=io.BytesIO(data), actor=coordinator, partnership=partnership)
    assert not School.objects.filter(urn=990003).exists()
    assert not ImportRun.objects.exists()


def test_the_upload_page_says_so_for_a_partnership_without_la_codes(
    as_user, partnership, coordinator
):
    partnership.la_codes = []
    partnership.save()
    data = gias_file([990003, "Anywhere School", "201", "London", "Open", "", ""])
    response = upload(as_user(coordinator), partnership, data)
    assert response.status_code == 400
    assert "no local-authority codes" in response.content.decode()
    assert not School.objects.filter(urn=990003).exists()


def test_a_platform_admin_imports_all_of_england_with_the_command(tmp_path, partnership, school):
    path = tmp_path / "edubase.csv"
    path.write_bytes(
        gias_file(
            [990004, "London School", "201", "City of London", "Open", "", ""],
            [school.urn, "Cherwell Primary Academy", "931", "Oxfordshire", "Open", "", ""],
        )
    )
    call_command("import_gias", str(path))
    assert School.objects.filter(urn=990004).exists()
    run = ImportRun.objects.get()
    assert run.partnership is None and run.actor is None
    # The partnership whose member school changed hears of it in its own audit log.
    event = AuditEvent.objects.get(action="import.member_schools_changed")
    assert event.partnership_id == partnership.pk and event.data["urns"] == [school.urn]


def test_every_partnership_whose_member_school_changed_gets_the_audit_event(
    partnership, partnership_b, border_school, coordinator
):
    data = gias_file([border_school.urn, "Border CE School", "931", "Oxfordshire", "Open", "", ""])
    gias_import(establishments=io.BytesIO(data), actor=coordinator, partnership=partnership)
    events = AuditEvent.objects.filter(action="import.member_schools_changed")
    assert {e.partnership_id for e in events} == {partnership.pk, partnership_b.pk}
    assert all(e.data["urns"] == [border_school.urn] for e in events)
    run_event = AuditEvent.objects.get(action="import.run")
    assert run_event.partnership_id == partnership.pk


def test_import_history_shows_only_your_partnerships_imports(
    as_user, partnership, partnership_b, coordinator, coordinator_b
):
    upload(
        as_user(coordinator_b),
        partnership_b,
        gias_file([990005, "Secret Somerset File School", "933", "Somerset", "Open", "", ""]),
    )
    somerset_run = ImportRun.objects.get()
    somerset_run.filename = "somerset-secret-file.csv"
    somerset_run.save()
    client = as_user(coordinator)
    page = client.get(reverse("partnership:import", args=[partnership.slug])).content.decode()
    assert "somerset-secret-file.csv" not in page
    dashboard = client.get(reverse("partnership:home", args=[partnership.slug]))
    assert dashboard.context["latest_import"] is None
    upload(
        client,
        partnership,
        gias_file([990006, "Oxford File School", "931", "Oxfordshire", "Open", "", ""]),
    )
    page = client.get(reverse("partnership:import", args=[partnership.slug])).content.decode()
    assert "edubase.csv" in page and "somerset-secret-file.csv" not in page
