"""iCalendar files for bookings (RFC 5545 / 5546), built with the ``icalendar`` library.

One booking is one calendar entry: its UID never changes, its SEQUENCE grows whenever the
event moves or a place is cancelled, and a cancellation is sent as METHOD:CANCEL, so
calendar programs update or remove the entry instead of adding a second one. Times carry
the Europe/London zone with its VTIMEZONE definition.
"""

from datetime import date, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

from .models import Booking, Event

LONDON = "Europe/London"
PRODID = "-//Well Schools Partnership//Events//EN"
MIMETYPE_REQUEST = "text/calendar; charset=utf-8; method=REQUEST"
MIMETYPE_CANCEL = "text/calendar; charset=utf-8; method=CANCEL"


def booking_uid(booking: Booking) -> str:
    return f"{booking.calendar_uid}@wellschools"


def _organizer(event: Event) -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{event.partnership.contact_email or address}")
    organizer.params["cn"] = vText(event.partnership.name or name)
    return organizer


def booking_calendar(
    *,
    booking: Booking,
    method: str = "PUBLISH",
    attendee: tuple[str, str] | None = None,
    cancelled: bool = False,
) -> str:
    """The .ics text of one booking's entry.

    ``method`` is PUBLISH for a download, REQUEST for an email that adds or updates the
    entry, CANCEL for one that removes it. ``attendee`` is the (name, email) an emailed
    REQUEST or CANCEL is addressed to."""
    event = booking.event
    london = ZoneInfo(LONDON)
    starts = timezone.localtime(event.starts_at, london)
    ends = timezone.localtime(event.ends_at, london)
    cancelled = cancelled or method == "CANCEL"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # The zone's rules for the years around the event only, to keep the file small.
    calendar.add_component(
        Timezone.from_tzid(
            LONDON,
            first_date=date(starts.year - 1, 1, 1),
            last_date=date(ends.year + 1, 12, 31),
        )
    )

    entry = VEvent()
    entry.add("uid", booking_uid(booking))
    entry.add("sequence", booking.sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", starts)
    entry.add("dtend", ends)
    entry.add("summary", event.title)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("transp", "OPAQUE")
    entry.add("location", event.location)
    url = event.online_url or settings.SITE_URL + event.get_absolute_url()
    entry.add("url", url)
    lines = [f"Booking reference {booking.reference} ({booking.organisation})."]
    if event.online_url:
        lines.append(f"Join online: {event.online_url}")
    if event.description:
        lines.append(event.description)
    entry.add("description", "\n\n".join(lines))
    if method in ("REQUEST", "CANCEL"):
        entry.add("organizer", _organizer(event))
        if attendee is not None:
            name, email = attendee
            address = vCalAddress(f"mailto:{email}")
            address.params["cn"] = vText(name)
            address.params["role"] = vText("REQ-PARTICIPANT")
            address.params["rsvp"] = vText("FALSE")
            entry.add("attendee", address, encode=0)
    if not cancelled:
        # A calendar reminder the day before, on top of our own email two days before.
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Tomorrow: {event.title}")
        alarm.add("trigger", timedelta(days=-1))
        entry.add_component(alarm)
    calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")


def calendar_filename(booking: Booking) -> str:
    return f"{booking.reference.lower()}.ics"
