"""Importing schools and trusts from DfE "Get Information About Schools" (GIAS) extracts.

The establishment extract (``edubasealldataYYYYMMDD.csv``, ~60 MB for all of England) is
Windows-1252 text; columns drift between releases, so they are found by header name and
unknown columns are ignored. Head teachers' names and telephone numbers are in the file
and are never read into anything that is kept.

An import first reads and checks every file, then writes in one transaction: any problem
means nothing changes. Running the same files again changes nothing.
"""

import codecs
import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db import IntegrityError, transaction

from wellschools.audit import audit_record
from wellschools.errors import DomainError

from .models import ImportRun, Membership, Partnership, School, Trust

ENCODING = "cp1252"
_SNIFF_BYTES = 8192
_BATCH = 500

_NOT_CSV = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook); unzip it and choose the .csv"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an Excel .xls workbook; save it as CSV first"),
    (b"\x1f\x8b", "a gzip archive"),
)
# With errors="surrogateescape" a byte the encoding does not define becomes U+DC80..U+DCFF.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_DATE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")

_STATUSES = {
    "open": School.Status.OPEN,
    "closed": School.Status.CLOSED,
    "open, but proposed to close": School.Status.PROPOSED_TO_CLOSE,
    "proposed to open": School.Status.PROPOSED_TO_OPEN,
}
_PHASE_NONE = {"not applicable"}

# School field <- GIAS column. A column missing from the header leaves that field alone.
_TEXT_COLUMNS = {
    "name": "EstablishmentName",
    "la_code": "LA (code)",
    "la_name": "LA (name)",
    "establishment_type": "TypeOfEstablishment (name)",
    "town": "Town",
    "postcode": "Postcode",
}
_INT_COLUMNS = {
    "statutory_low_age": ("StatutoryLowAge", 32767),
    "statutory_high_age": ("StatutoryHighAge", 32767),
    "pupils": ("NumberOfPupils", 2147483647),
}
_DATE_COLUMNS = {"open_date": "OpenDate", "close_date": "CloseDate"}
_STATUS_COLUMN = "EstablishmentStatus (name)"
_PHASE_COLUMN = "PhaseOfEducation (name)"
_TRUST_CODE_COLUMN = "Trusts (code)"
_TRUST_NAME_COLUMN = "Trusts (name)"
_LA_CODE_COLUMN = "LA (code)"

# Among several trust groups linked to one school, the school's trust is the first kind here.
_TRUST_TYPE_ORDER = ("multi-academy trust", "single-academy trust")


class GiasImportError(DomainError):
    """A GIAS file can't be imported. Nothing was changed."""


# --- Reading CSV -----------------------------------------------------------------------------


class _Prefixed(io.RawIOBase):
    """The bytes already read to look at the start of the file, then the rest of it.

    Works on anything with ``read(n)`` (opened files, Django uploads) and never closes it."""

    def __init__(self, head: bytes, source: IO[bytes]):
        self._head = head
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer) :]
        else:
            data = self._source.read(len(buffer))
            if not data:
                return 0
            if isinstance(data, str):
                raise TypeError("GIAS files must be opened in binary mode")
        buffer[: len(data)] = data
        return len(data)


@dataclass
class _Csv:
    label: str
    columns: dict[str, int]
    reader: Any  # csv.reader

    def col(self, name: str) -> int | None:
        return self.columns.get(name)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, fields) for each non-blank data row; the header is row 1."""
        while True:
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise GiasImportError(
                    f"The {self.label} can't be read as CSV: row {self.reader.line_num}: {exc}."
                ) from exc
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            yield self.reader.line_num, row


def _checked_lines(text: Iterable[str], label: str, encoding_name: str) -> Iterator[str]:
    for number, line in enumerate(text, start=1):
        bad = _UNDECODABLE.search(line)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise GiasImportError(
                f"The {label} can't be read as {encoding_name} text (the encoding GIAS uses): "
                f"row {number} contains the byte 0x{byte:02X}, which that encoding doesn't "
                "define. Download the file from GIAS again rather than re-saving it from "
                "another program."
            )
        yield line


def _open_csv(fileobj: IO[bytes], label: str, required: Iterable[str], what: str) -> _Csv:
    head = fileobj.read(_SNIFF_BYTES)
    if isinstance(head, str):
        raise TypeError("GIAS files must be opened in binary mode")
    head = head or b""
    for magic, kind in _NOT_CSV:
        if head.startswith(magic):
            raise GiasImportError(f"The {label} is {kind}, not a CSV file.")
    if b"\x00" in head:
        raise GiasImportError(f"The {label} is not a CSV file: it contains binary data.")
    if head.startswith(codecs.BOM_UTF8):  # Re-saved as "CSV UTF-8" by a spreadsheet.
        encoding, encoding_name = "utf-8-sig", "UTF-8"
    else:
        encoding, encoding_name = ENCODING, "Windows-1252"
    raw = io.BufferedReader(_Prefixed(head, fileobj), buffer_size=1 << 16)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(_checked_lines(text, label, encoding_name))
    try:
        header = next(reader)
    except StopIteration:
        raise GiasImportError(f"The {label} is empty.") from None
    except csv.Error as exc:
        raise GiasImportError(f"The {label} can't be read as CSV: row 1: {exc}.") from exc
    header = [name.strip().lstrip("\ufeff").strip() for name in header]
    if not any(header):
        raise GiasImportError(f"The {label} has no header row.")
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(name, index)
    missing = [name for name in required if name not in columns]
    if missing:
        shown = ", ".join(name[:40] for name in header[:5] if name) or "nothing"
        nor = f" (nor {', '.join(missing[1:])})" if len(missing) > 1 else ""
        raise GiasImportError(
            f"The {label} has no {missing[0]} column{nor}, so it isn't {what}. "
            f"Its header row starts: {shown}."
        )
    return _Csv(label=label, columns=columns, reader=reader)


# --- Parsing values ----------------------------------------------------------------------


def _get(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _fail(label: str, row: int, column: str, problem: str) -> GiasImportError:
    return GiasImportError(f"The {label}, row {row}, column {column}: {problem}.")


def _shown(value: str) -> str:
    return repr(value[:40])


def _urn(value: str, label: str, row: int, column: str = "URN") -> int:
    if not value:
        raise _fail(label, row, column, "the URN is missing")
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= 2147483647:
        raise _fail(label, row, column, f"{_shown(value)} is not a URN (a whole number)")
    return int(value)


def _int(value: str, label: str, row: int, column: str, maximum: int) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > maximum:
        raise _fail(label, row, column, f"{_shown(value)} is not a whole number")
    return int(value)


def _date(value: str, label: str, row: int, column: str) -> date | None:
    if not value:
        return None
    match = _DATE.fullmatch(value)
    try:
        if not match:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    except ValueError:
        raise _fail(label, row, column, f"{_shown(value)} is not a date (DD-MM-YYYY)") from None


def _text(value: str, label: str, row: int, column: str, max_length: int) -> str:
    if len(value) > max_length:
        raise _fail(label, row, column, f"longer than {max_length} characters")
    return value


# --- Reading the files -------------------------------------------------------------------


@dataclass
class _Parsed:
    schools: dict[int, dict[str, Any]] = field(default_factory=dict)
    school_trust: dict[int, str | None] = field(default_factory=dict)
    manages_trust: bool = False
    trusts: dict[str, dict[str, str]] = field(default_factory=dict)  # uid -> name, group_type
    skipped: int = 0
    # A coordinator's import: rows about schools outside the partnership's area.
    refused: set[int] = field(default_factory=set)


def _read_establishments(
    fileobj, la_filter: set[str] | None, parsed: _Parsed, area_urns: set[int] | None = None
) -> None:
    """Read the rows to import. ``area_urns`` (a coordinator's import): the URNs stored
    with an LA code of the area; a row that would move one of them out of the area is
    refused, not skipped."""
    label = "establishments file"
    required = ["URN", "EstablishmentName"]
    if la_filter is not None:
        required.append(_LA_CODE_COLUMN)
    data = _open_csv(fileobj, label, required, "a GIAS establishment extract (edubasealldata.csv)")
    la_index = data.col(_LA_CODE_COLUMN)
    urn_index = data.col("URN")
    lengths = {f.name: f.max_length for f in School._meta.fields if f.max_length}
    texts = [
        (name, column, data.col(column), lengths[name])
        for name, column in _TEXT_COLUMNS.items()
        if data.col(column) is not None
    ]
    ints = [
        (name, column, data.col(column), maximum)
        for name, (column, maximum) in _INT_COLUMNS.items()
        if data.col(column) is not None
    ]
    dates = [
        (name, column, data.col(column))
        for name, column in _DATE_COLUMNS.items()
        if data.col(column) is not None
    ]
    status_index = data.col(_STATUS_COLUMN)
    phase_index = data.col(_PHASE_COLUMN)
    trust_code_index = data.col(_TRUST_CODE_COLUMN)
    trust_name_index = data.col(_TRUST_NAME_COLUMN)
    parsed.manages_trust = trust_code_index is not None
    first_row: dict[int, int] = {}

    for number, row in data.rows():
        if la_filter is not None and _get(row, la_index) not in la_filter:
            value = _get(row, urn_index)
            if area_urns and value.isdigit() and int(value) in area_urns:
                parsed.refused.add(int(value))
            else:
                parsed.skipped += 1
            continue
        urn = _urn(_get(row, urn_index), label, number)
        if urn in first_row:
            raise _fail(label, number, "URN", f"URN {urn} is also on row {first_row[urn]}")
        first_row[urn] = number
        values: dict[str, Any] = {}
        for name, column, index, max_length in texts:
            values[name] = _text(_get(row, index), label, number, column, max_length)
        if not values["name"]:
            raise _fail(label, number, "EstablishmentName", "the name is missing")
        for name, column, index, maximum in ints:
            values[name] = _int(_get(row, index), label, number, column, maximum)
        for name, column, index in dates:
            values[name] = _date(_get(row, index), label, number, column)
        if status_index is not None:
            status = _get(row, status_index)
            if status.lower() not in _STATUSES:
                raise _fail(label, number, _STATUS_COLUMN, f"{_shown(status)} is not a GIAS status")
            values["status"] = _STATUSES[status.lower()]
        if phase_index is not None:
            phase = _text(_get(row, phase_index), label, number, _PHASE_COLUMN, lengths["phase"])
            values["phase"] = "" if phase.lower() in _PHASE_NONE else phase
        parsed.schools[urn] = values
        if trust_code_index is not None:
            code = _text(_get(row, trust_code_index), label, number, _TRUST_CODE_COLUMN, 20)
            parsed.school_trust[urn] = code or None
            if code:
                name = _text(_get(row, trust_name_index), label, number, _TRUST_NAME_COLUMN, 255)
                trust = parsed.trusts.setdefault(code, {})
                if name and not trust.get("name"):
                    trust["name"] = name


def _read_groups_and_links(groups, links, parsed: _Parsed) -> None:
    # Links first: which groups are linked to the schools being imported.
    label = "links file"
    data = _open_csv(links, label, ["Group UID", "URN"], "a GIAS links file (alllinksdata.csv)")
    uid_index, urn_index = data.col("Group UID"), data.col("URN")
    linked: dict[int, set[str]] = {}
    for number, row in data.rows():
        value = _get(row, urn_index)
        if not value:
            continue
        urn = _urn(value, label, number)
        if urn in parsed.schools:
            uid = _text(_get(row, uid_index), label, number, "Group UID", 20)
            if uid:
                linked.setdefault(urn, set()).add(uid)

    label = "groups file"
    data = _open_csv(
        groups,
        label,
        ["Group UID", "Group Name", "Group Type"],
        "a GIAS groups file (allgroupsdata.csv)",
    )
    wanted = set(parsed.trusts).union(*linked.values())
    uid_index, name_index = data.col("Group UID"), data.col("Group Name")
    type_index, status_index = data.col("Group Type"), data.col("Group Status")
    info: dict[str, dict[str, str]] = {}
    for number, row in data.rows():
        uid = _get(row, uid_index)
        if uid not in wanted:
            continue
        info[uid] = {
            "name": _text(_get(row, name_index), label, number, "Group Name", 255),
            "group_type": _text(_get(row, type_index), label, number, "Group Type", 100),
            "status": _get(row, status_index),
        }

    def is_trust(uid: str) -> bool:
        group = info.get(uid)
        return (
            group is not None
            and "trust" in group["group_type"].lower()
            and group["status"].lower() != "closed"
        )

    def preference(uid: str) -> tuple[int, int, str]:
        kind = info[uid]["group_type"].lower()
        order = _TRUST_TYPE_ORDER
        rank = order.index(kind) if kind in order else len(order)
        return (rank, len(uid), uid)

    # Trusts named in the establishment file take their name and type from the groups file.
    for uid, trust in parsed.trusts.items():
        if uid in info:
            if info[uid]["name"]:
                trust["name"] = info[uid]["name"]
            trust["group_type"] = info[uid]["group_type"]
    for urn, uids in linked.items():
        trust_uids = sorted((uid for uid in uids if is_trust(uid)), key=preference)
        for uid in trust_uids:
            trust = parsed.trusts.setdefault(uid, {})
            trust["name"] = info[uid]["name"] or trust.get("name", "")
            trust["group_type"] = info[uid]["group_type"]
        if trust_uids and not parsed.school_trust.get(urn):
            parsed.school_trust[urn] = trust_uids[0]
    parsed.manages_trust = True
    for urn in parsed.schools:
        parsed.school_trust.setdefault(urn, None)


# --- Writing -----------------------------------------------------------------------------


def _write_trusts(
    parsed: _Parsed, area: list[str] | None = None
) -> tuple[dict[str, int], int, int]:
    existing = Trust.objects.in_bulk(list(parsed.trusts), field_name="group_uid")
    if area is not None:
        # A coordinator's import never renames a trust that has schools outside the area.
        protected = set(
            Trust.objects.filter(
                group_uid__in=list(existing),
                schools__in=School.objects.exclude(la_code__in=area),
            ).values_list("group_uid", flat=True)
        )
    new, changed = [], []
    for uid, wanted in parsed.trusts.items():
        trust = existing.get(uid)
        if trust is not None and area is not None and uid in protected:
            continue
        if trust is None:
            new.append(
                Trust(
                    group_uid=uid,
                    name=wanted.get("name") or f"Trust {uid}",
                    group_type=wanted.get("group_type", ""),
                )
            )
            continue
        dirty = False
        if wanted.get("name") and trust.name != wanted["name"]:
            trust.name, dirty = wanted["name"], True
        if "group_type" in wanted and trust.group_type != wanted["group_type"]:
            trust.group_type, dirty = wanted["group_type"], True
        if dirty:
            changed.append(trust)
    Trust.objects.bulk_create(new, batch_size=_BATCH)
    if changed:
        Trust.objects.bulk_update(changed, ["name", "group_type"], batch_size=_BATCH)
    ids = {
        uid: trust.pk
        for uid, trust in Trust.objects.in_bulk(list(parsed.trusts), field_name="group_uid").items()
    }
    return ids, len(new), len(changed)


def _write_schools(
    parsed: _Parsed, trust_ids: dict[str, int], touched: list[int]
) -> tuple[int, int, int]:
    """Upsert the schools; appends the URNs it created or changed to ``touched``."""
    existing = School.objects.in_bulk(list(parsed.schools), field_name="urn")
    new, changed = [], []
    fields: set[str] = set()
    for urn, values in parsed.schools.items():
        if parsed.manages_trust:
            code = parsed.school_trust.get(urn)
            values["trust_id"] = trust_ids[code] if code else None
        school = existing.get(urn)
        if school is None:
            new.append(School(urn=urn, **values))
            continue
        different = [name for name, value in values.items() if getattr(school, name) != value]
        if different:
            for name in different:
                setattr(school, name, values[name])
            fields.update(different)
            changed.append(school)
    School.objects.bulk_create(new, batch_size=_BATCH)
    touched.extend(school.urn for school in (*new, *changed))
    if changed:
        names = sorted("trust" if name == "trust_id" else name for name in fields)
        School.objects.bulk_update(changed, names, batch_size=_BATCH)
    return len(new), len(changed), len(parsed.schools) - len(new) - len(changed)


def gias_import(
    *,
    establishments,
    la_codes: list[str] | None = None,
    groups=None,
    links=None,
    actor=None,
    filename: str = "",
    partnership: Partnership | None = None,
) -> ImportRun:
    """Create or update schools (by URN) and trusts (by Group UID) from GIAS files.

    ``establishments``, ``groups`` and ``links`` are binary file-like objects. Closed
    schools are marked closed, and schools missing from the file are left alone. Raises
    GiasImportError, changing nothing, if any file can't be read or any imported row is
    malformed.

    A coordinator's import (``partnership``) stays inside the partnership's area (its LA
    codes, which it must have; docs/gias.md, "The area rule"): it creates a school only
    when the file's LA code is in the area, updates only schools whose *stored* LA code is
    in the area and whose file LA code is too, and never renames a trust that has schools
    outside the area. Rows of other areas are *skipped*; rows about a stored school that
    the area rule keeps out are *refused* and listed by URN. Without ``partnership`` (a
    platform admin's command or admin page) ``la_codes`` filters by the file's LA code
    (an empty list means every row of England)."""
    if (groups is None) != (links is None):
        raise GiasImportError(
            "Give both the GIAS groups file (allgroupsdata.csv) and the links file "
            "(alllinksdata.csv), or neither."
        )
    area: list[str] | None = None
    if partnership is not None:
        area = sorted({str(code).strip() for code in partnership.la_codes if str(code).strip()})
        if not area:
            raise GiasImportError(
                f"{partnership.name} has no local-authority codes, so the import cannot tell "
                "which schools are yours. A platform admin sets them in the admin.",
                field="establishments",
            )
        codes = area
    else:
        codes = sorted({str(code).strip() for code in la_codes or [] if str(code).strip()})
    parsed = _Parsed()
    area_urns = (
        set(School.objects.filter(la_code__in=area).values_list("urn", flat=True))
        if area is not None
        else None
    )
    _read_establishments(establishments, set(codes) or None, parsed, area_urns)
    if area is not None:
        # A row in the area's LA about a school stored elsewhere would take it over.
        outside = School.objects.filter(urn__in=list(parsed.schools)).exclude(la_code__in=area)
        for urn in outside.values_list("urn", flat=True):
            parsed.refused.add(urn)
            del parsed.schools[urn]
            parsed.school_trust.pop(urn, None)
    if groups is not None:
        _read_groups_and_links(groups, links, parsed)
    filename = (filename or os.path.basename(str(getattr(establishments, "name", "") or "")))[:255]
    refused = sorted(parsed.refused)

    try:
        with transaction.atomic():
            trust_ids, trusts_created, trusts_updated = _write_trusts(parsed, area)
            touched: list[int] = []
            created, updated, unchanged = _write_schools(parsed, trust_ids, touched)
            run = ImportRun.objects.create(
                actor=actor if actor is not None and actor.pk else None,
                partnership=partnership,
                filename=filename,
                la_codes=codes,
                created=created,
                updated=updated,
                unchanged=unchanged,
                skipped=parsed.skipped,
                trusts_created=trusts_created,
                refused_urns=refused,
            )
            data = {
                "filename": filename,
                "la_codes": codes,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "skipped": parsed.skipped,
                "refused_outside_area": refused,
                "trusts_created": trusts_created,
                "trusts_updated": trusts_updated,
            }
            audit_record(
                actor=actor,
                action="import.run",
                target=run,
                partnership_id=partnership.pk if partnership is not None else None,
                data=data,
            )
            _audit_member_schools_changed(
                actor=actor, run=run, touched=touched, importer=partnership
            )
    except IntegrityError as exc:
        raise GiasImportError(
            "Another change to these schools or trusts happened during the import; "
            "nothing was changed. Run the import again."
        ) from exc
    return run


def _audit_member_schools_changed(
    *, actor, run: ImportRun, touched: list[int], importer: Partnership | None
) -> None:
    """Every partnership whose member school the import created or changed hears of it in
    its own audit log (not only the partnership that imported)."""
    if not touched:
        return
    by_partnership: dict[int, list[int]] = {}
    for partnership_id, urn in Membership.objects.filter(school__urn__in=touched).values_list(
        "partnership_id", "school__urn"
    ):
        by_partnership.setdefault(partnership_id, []).append(urn)
    for partnership_id, urns in sorted(by_partnership.items()):
        audit_record(
            actor=actor,
            action="import.member_schools_changed",
            target=run,
            partnership_id=partnership_id,
            data={
                "filename": run.filename,
                "urns": sorted(urns),
                "imported_by_partnership": importer.pk if importer is not None else None,
            },
        )
