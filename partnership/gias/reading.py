"""Reading and checking GIAS extracts: the CSV files, their values, the rows to import.

Nothing here writes; ``partnership.gias.gias_import`` writes what this reads.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from wellschools.errors import DomainError

from ..models import School

ENCODING = "cp1252"
_SNIFF_BYTES = 8192

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
class Parsed:
    schools: dict[int, dict[str, Any]] = field(default_factory=dict)
    school_trust: dict[int, str | None] = field(default_factory=dict)
    manages_trust: bool = False
    trusts: dict[str, dict[str, str]] = field(default_factory=dict)  # uid -> name, group_type
    skipped: int = 0
    # A coordinator's import: rows about schools outside the partnership's area.
    refused: set[int] = field(default_factory=set)


def read_establishments(
    fileobj, la_filter: set[str] | None, parsed: Parsed, area_urns: set[int] | None = None
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


def read_groups_and_links(groups, links, parsed: Parsed) -> None:
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
