"""Date rules of accreditation: 12 months, working days and the award's validity."""

from datetime import date, timedelta

# The partnership aims to decide within this many working days of a (re)submission.
TARGET_WORKING_DAYS = 20
# Renewal reminders go out this many days before an award expires.
RENEWAL_REMINDER_DAYS = (90, 30)
# A school holding a current award may start its renewal this many days before it ends
# (when the first reminder goes), not on the day of the award.
RENEWAL_OPENS_DAYS = max(RENEWAL_REMINDER_DAYS)


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def working_days_between(start: date, end: date) -> int:
    """Monday–Friday days after ``start`` up to and including ``end`` (0 if end <= start).

    Bank holidays count as working days: the target is a guide, and the partnership's
    area (England) has 8 a year, which the coordinators know about."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            days += 1
    return days


def award_valid_until(awarded_on: date) -> date:
    """31 August of the academic year after the one the award falls in (two academic years:
    an award on 15 November 2025 or on 15 July 2026 is valid to 31 August 2027)."""
    academic_year = awarded_on.year if awarded_on.month >= 9 else awarded_on.year - 1
    return date(academic_year + 2, 8, 31)
