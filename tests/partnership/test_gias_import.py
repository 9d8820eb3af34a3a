"""Importing schools and trusts from DfE GIAS extracts (partnership.gias, import_gias)."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import PartnershipFactory, UserFactory

import partnership
from partnership.gias import GiasImportError, gias_import
from partnership.models import ImportRun, School, Trust
from wellschools.models import AuditEvent

FIXTURES = Path(partnership.__file__).resolve().parent / "fixtures"
ESTABLISHMENTS = FIXTURES / "demo_gias_oxfordshire.csv"
GROUPS = FIXTURES / "demo_gias_groups.csv"
LINKS = FIXTURES / "demo_gias_links.csv"

FITZHARRYS = 142857
ST_EBBES = 123170
PEERS = 123263
MANOR = 149412
WOLVERCOTE = 123081

pytestmark = pytest.mark.django_db


def run_import(data: bytes | None = None, *, groups=False, **kwargs) -> ImportRun:
    data = ESTABLISHMENTS.read_bytes() if data is None else data
    if groups:
        kwargs["groups"] = io.BytesIO(GROUPS.read_bytes())
        kwargs["links"] = io.BytesIO(LINKS.read_bytes())
    kwargs.setdefault("la_codes", ["931"])
    return gias_import(establishments=io.BytesIO(data), filename="demo.csv", **kwargs)


def fixture_rows() -> list[list[str]]:
    text = ESTABLISHMENTS.read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline="")))


def edited(changes: dict[tuple[int, str], str]) -> tuple[bytes, dict[int, int]]:
    """The fixture with some (URN, column) values changed, and each URN's row number."""
    rows = fixture_rows()
    header = rows[0]
    row_numbers = {}
    for number, row in enumerate(rows, start=1):
        if number > 1:
            row_numbers[int(row[0])] = number
    for (urn, column), value in changes.items():
        rows[row_numbers[urn] - 1][header.index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("cp1252"), row_numbers


def snapshot() -> tuple[list, list]:
    return (
        list(School.objects.order_by("urn").values()),
        list(Trust.objects.order_by("group_uid").values()),
    )


def writes_to(queries, *tables: str) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        and any(table in q["sql"] for table in tables)
    ]


# --- A good import -------------------------------------------------------------------------


def test_imports_the_chosen_local_authority_and_skips_the_rest():
    run = run_import()

    assert (run.created, run.updated, run.unchanged, run.skipped) == (34, 0, 0, 3)
    assert run.summary == "created 34, updated 0, unchanged 0, skipped 3"
    assert run.trusts_created == 3
    assert run.la_codes == ["931"]
    assert run.filename == "demo.csv"
    assert School.objects.count() == 34
    assert not School.objects.exclude(la_code="931").exists()
    assert set(School.objects.values_list("la_name", flat=True)) == {"Oxfordshire"}


def test_without_a_filter_every_row_is_imported():
    run = run_import(la_codes=None)

    assert (run.created, run.skipped) == (37, 0)
    assert School.objects.filter(la_code="936", la_name="Surrey").count() == 3


def test_windows_1252_names_are_decoded():
    run_import()

    assert School.objects.get(urn=ST_EBBES).name == "St Ebbe\u2019s CofE Primary School"
    assert School.objects.get(urn=123272).name == "Lord Williams\u2019s School"


def test_an_uploaded_file_is_read_and_left_open():
    upload = SimpleUploadedFile("edubasealldata20250101.csv", ESTABLISHMENTS.read_bytes())

    run = gias_import(establishments=upload, la_codes=["931"])

    assert (run.created, run.skipped) == (34, 3)
    assert run.filename == "edubasealldata20250101.csv"
    assert not upload.closed


def test_columns_are_mapped_by_header_name():
    run_import()

    school = School.objects.get(urn=FITZHARRYS)
    assert school.name == "Fitzharrys School"
    assert school.establishment_type == "Academy converter"
    assert school.phase == "Secondary"
    assert (school.statutory_low_age, school.statutory_high_age) == (11, 18)
    assert school.pupils == 1012
    assert (school.town, school.postcode) == ("Abingdon", "OX14 1NP")
    assert school.open_date == date(2016, 4, 1)
    assert school.close_date is None
    assert school.status == School.Status.OPEN
    assert school.trust.group_uid == "16001"
    assert school.trust.name == "River Thames Learning Trust"
    # "Not applicable" phase (a special school) is stored as no phase.
    assert School.objects.get(urn=123311).phase == ""
    assert School.objects.get(urn=123412).status == School.Status.PROPOSED_TO_CLOSE


def test_columns_in_another_order_and_unknown_columns_are_fine():
    rows = fixture_rows()
    reordered = [list(reversed(row)) + ["ignored"] for row in rows]
    reordered[0][-1] = "SomeNewColumn (name)"
    out = io.StringIO(newline="")
    csv.writer(out).writerows(reordered)

    run = run_import(out.getvalue().encode("cp1252"))

    assert (run.created, run.skipped) == (34, 3)
    assert School.objects.get(urn=FITZHARRYS).pupils == 1012


def test_closed_school_is_marked_closed():
    run_import()

    peers = School.objects.get(urn=PEERS)
    assert peers.status == School.Status.CLOSED
    assert peers.close_date == date(2008, 8, 31)
    assert peers.pupils is None


def test_a_school_that_closes_later_is_updated_not_deleted_and_absent_schools_stay(school):
    run_import()
    data, _ = edited(
        {
            (FITZHARRYS, "EstablishmentStatus (name)"): "Closed",
            (FITZHARRYS, "CloseDate"): "31-08-2025",
        }
    )
    without_st_ebbes = b"\r\n".join(
        line for line in data.split(b"\r\n") if not line.startswith(str(ST_EBBES).encode())
    )
    assert str(ST_EBBES).encode() not in without_st_ebbes

    run = run_import(without_st_ebbes)

    assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 1, 32, 3)
    fitzharrys = School.objects.get(urn=FITZHARRYS)
    assert fitzharrys.status == School.Status.CLOSED
    assert fitzharrys.close_date == date(2025, 8, 31)
    assert School.objects.filter(urn=ST_EBBES).exists()
    assert School.objects.filter(pk=school.pk).exists()
    assert School.objects.count() == 35 + 1  # and partnership B's academy in the trust


def test_a_changed_row_is_updated():
    run_import()
    data, _ = edited({(FITZHARRYS, "NumberOfPupils"): "1040"})

    run = run_import(data)

    assert (run.created, run.updated, run.unchanged) == (0, 1, 33)
    assert School.objects.get(urn=FITZHARRYS).pupils == 1040


@pytest.mark.parametrize("groups", [False, True], ids=["establishments", "with-groups"])
def test_a_second_run_changes_nothing(groups):
    run_import(groups=groups)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        run = run_import(groups=groups)

    assert (run.created, run.updated, run.unchanged, run.skipped) == (0, 0, 34, 3)
    assert run.trusts_created == 0
    assert writes_to(queries, "partnership_school", "partnership_trust") == []
    assert snapshot() == before
    assert ImportRun.objects.count() == 2


def test_head_teacher_names_and_phone_numbers_are_stored_nowhere():
    raw = ESTABLISHMENTS.read_bytes()
    for placeholder in (b"Placeholder", b"Examplehead", b"01865 000000", b"01483 000000"):
        assert placeholder in raw  # The file has them ...
    run_import(groups=True, la_codes=None)

    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            dump.extend(str(row) for row in cursor.fetchall())
    dump = "\n".join(dump)
    assert "Fitzharrys School" in dump  # ... the dump has the import ...
    for placeholder in ("Placeholder", "Examplehead", "000000", "Headteacher"):
        assert placeholder not in dump  # ... but not the head teacher or the phone.
    field_names = {f.name for f in School._meta.get_fields()}
    assert not {"head_name", "telephone", "phone"} & field_names


def test_groups_and_links_link_schools_to_trusts():
    first = run_import()
    assert School.objects.get(urn=MANOR).trust is None  # Not in the extract's Trusts column.
    assert first.trusts_created == 3

    run = run_import(groups=True)

    assert (run.created, run.updated, run.unchanged, run.trusts_created) == (0, 1, 33, 0)
    assert School.objects.get(urn=MANOR).trust.group_uid == "16003"
    trusts = {t.group_uid: t for t in Trust.objects.all()}
    assert set(trusts) == {"16001", "16002", "16003"}  # Not the federation.
    assert {t.group_type for t in trusts.values()} == {"Multi-academy trust"}
    assert trusts["16002"].name == "Cherwell Valley Academies Trust"
    counts = {uid: trust.schools.count() for uid, trust in trusts.items()}
    assert counts == {"16001": 4, "16002": 4, "16003": 5}
    assert School.objects.get(urn=WOLVERCOTE).trust is None


def test_groups_and_links_on_a_first_import():
    run = run_import(groups=True)

    assert (run.created, run.trusts_created) == (34, 3)
    assert School.objects.filter(trust__isnull=False).count() == 13


def test_an_import_is_audited():
    actor = UserFactory()
    partnership = PartnershipFactory(la_codes=["931"])

    run = run_import(actor=actor, partnership=partnership)

    event = AuditEvent.objects.get(action="import.run")
    assert event.actor == actor
    assert event.object_id == str(run.pk)
    assert event.partnership_id == partnership.pk
    assert event.data["filename"] == "demo.csv"
    assert (event.data["created"], event.data["skipped"]) == (34, 3)
    assert event.data["trusts_created"] == 3
    assert ImportRun.objects.get().actor == actor


# --- Files that can't be imported ----------------------------------------------------------


def _with_byte_on_line_5() -> bytes:
    lines = ESTABLISHMENTS.read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b"Primary", b"Prim\x81ary", 1)
    assert b"\x81" in lines[4]
    return b"\r\n".join(lines)


def _bad_date() -> tuple[bytes, str]:
    data, rows = edited({(FITZHARRYS, "OpenDate"): "31-02-2016", (ST_EBBES, "NumberOfPupils"): "1"})
    return data, f"row {rows[FITZHARRYS]}"


def _bad_urn() -> tuple[bytes, str]:
    data, rows = edited({(PEERS, "URN"): "12326X"})
    return data, f"row {rows[PEERS]}"


BAD_FILES = {
    "undecodable-byte": (_with_byte_on_line_5, ["row 5", "Windows-1252", "0x81"]),
    "no-urn-column": (
        lambda: ESTABLISHMENTS.read_bytes().replace(b"URN,", b"Ref,", 1),
        ["no URN column"],
    ),
    "png": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ["PNG", "not a CSV"]),
    "zip": (lambda: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(300), ["ZIP", "not a CSV"]),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ["PDF", "not a CSV"]),
    "binary": (lambda: b"URN,Name\r\n1\x00\x00\x02\x03", ["binary"]),
    "empty": (lambda: b"", ["empty"]),
    "no-header": (lambda: b"\r\n\r\n", ["no header"]),
    "text-not-csv": (lambda: b"Dear colleague,\nPlease find attached.\n", ["no URN column"]),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_a_clear_error_and_changes_nothing(case):
    make, expected = BAD_FILES[case]
    run_import()  # A good import first: the bad one must leave it exactly as it was.
    before, events = snapshot(), AuditEvent.objects.count()

    with pytest.raises(GiasImportError) as error:
        run_import(make())

    for text in expected:
        assert text in error.value.message
    assert "Traceback" not in error.value.message
    assert snapshot() == before
    assert ImportRun.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "make, column", [(_bad_date, "column OpenDate"), (_bad_urn, "column URN")], ids=["date", "urn"]
)
def test_a_malformed_row_names_the_row_and_column_and_changes_nothing(make, column):
    data, row = make()

    with pytest.raises(GiasImportError) as error:
        run_import(data)

    assert row in error.value.message
    assert column in error.value.message
    assert School.objects.count() == 0
    assert Trust.objects.count() == 0
    assert ImportRun.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import.run").exists()


def test_a_malformed_row_in_a_skipped_local_authority_does_not_matter():
    data, _ = edited({(125290, "OpenDate"): "not a date"})

    assert run_import(data).created == 34


def test_groups_need_links():
    with pytest.raises(GiasImportError, match="links"):
        gias_import(establishments=io.BytesIO(b"URN\r\n"), groups=io.BytesIO(b""))
    assert School.objects.count() == 0


def test_a_bad_links_file_changes_nothing():
    with pytest.raises(GiasImportError, match="links file is a PNG image"):
        gias_import(
            establishments=io.BytesIO(ESTABLISHMENTS.read_bytes()),
            groups=io.BytesIO(GROUPS.read_bytes()),
            links=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)),
        )
    assert School.objects.count() == 0
    assert ImportRun.objects.count() == 0


# --- The management command ----------------------------------------------------------------


def test_command_prints_one_line_of_counts():
    out = io.StringIO()

    call_command("import_gias", str(ESTABLISHMENTS), "--la", "931", stdout=out)

    assert out.getvalue() == "GIAS import: created 34, updated 0, unchanged 0, skipped 3\n"
    assert ImportRun.objects.get().filename == "demo_gias_oxfordshire.csv"


def test_command_with_groups_and_links():
    out = io.StringIO()

    call_command(
        "import_gias",
        str(ESTABLISHMENTS),
        "--la",
        "931",
        "--groups",
        str(GROUPS),
        "--links",
        str(LINKS),
        stdout=out,
    )

    assert out.getvalue().splitlines() == [
        "GIAS import: created 34, updated 0, unchanged 0, skipped 3"
    ]
    assert School.objects.get(urn=MANOR).trust.group_uid == "16003"


def test_command_needs_groups_and_links_together():
    with pytest.raises(CommandError, match="together"):
        call_command("import_gias", str(ESTABLISHMENTS), "--groups", str(GROUPS))


def test_command_rejects_a_bad_file_and_changes_nothing(tmp_path):
    picture = tmp_path / "edubasealldata.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))

    with pytest.raises(CommandError, match="PNG"):
        call_command("import_gias", str(picture), stdout=io.StringIO())
    assert School.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_command_names_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError, match=re.escape(str(missing))):
        call_command("import_gias", str(missing), stdout=io.StringIO())
