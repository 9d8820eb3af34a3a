"""CSV downloads that spreadsheets open safely."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

# Spreadsheet programs run cells starting with these characters as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _SafeWriter:
    def __init__(self, response: HttpResponse):
        self._writer = csv.writer(response)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_safe(value) for value in row])


def csv_download(filename: str) -> tuple[HttpResponse, _SafeWriter]:
    """A CSV attachment response and a writer that neutralises formulas in every cell."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, _SafeWriter(response)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(filename: str, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV attachment written as the rows come (a large export never sits whole in the
    worker's memory), formulas neutralised in every cell."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([csv_safe(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
