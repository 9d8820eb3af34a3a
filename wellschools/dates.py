"""The one date format of pages, emails and PDFs (DESIGN.md): 31 March 2027; times 14:30.

Templates use the filters |ukdate, |ukdatetime and |uktime (wellschools_tags, built in);
Python code that writes a date into a message or label uses these functions. Datetimes are
shown in Europe/London. CSV exports and form inputs keep their machine formats.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as django_format

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value: dt.date | dt.datetime | None) -> str:
    """31 March 2027."""
    return django_format(_local(value), DATE_FORMAT) if value else ""


def format_time(value: dt.datetime | dt.time | None) -> str:
    """14:30."""
    return django_format(_local(value), TIME_FORMAT) if value else ""


def format_datetime(value: dt.datetime | None) -> str:
    """31 March 2027, 14:30."""
    return django_format(_local(value), DATETIME_FORMAT) if value else ""
