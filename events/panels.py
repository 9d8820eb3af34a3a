"""Events' panels on the school, trust and partnership home pages (declared in apps.py)."""

from django.utils import timezone

from partnership.permissions import is_trust_person

from . import selectors
from .models import Event
from .permissions import can_book_for, can_manage_events

TRUST_PANEL_BOOKINGS = 10


def trust_panel(request, trust):
    """Trust staff see their trust's bookings (its own and its schools') across events.
    The trust page itself is open only to people who may view the trust."""
    user = request.user
    # The trust's own people only: a coordinator must not see the bookings a trust that
    # spans partnerships made for another partnership's events.
    if not is_trust_person(user, trust):
        return None
    bookings = selectors.bookings_for_trust(trust=trust)
    return {
        "trust": trust,
        # The next few; a large trust's full list is on its bookers' booking pages.
        "bookings": list(bookings[:TRUST_PANEL_BOOKINGS]),
        "total": bookings.count(),
        "can_book": can_book_for(user, trust),
    }


def school_panel(request, school):
    if not can_book_for(request.user, school):
        return None
    return {"school": school, "bookings": list(selectors.bookings_for_school(school=school))}


def partnership_panel(request, partnership):
    if not can_manage_events(request.user, partnership):
        return None
    events = selectors.events_for_partnership(partnership=partnership).filter(
        ends_at__gt=timezone.now()
    )
    return {"partnership": partnership, "events": list(events.order_by("starts_at", "pk")[:5])}


def landing_panel(request, _obj):
    """The landing page's next few public events (the same list as /events/)."""
    return {"events": list(selectors.events_upcoming().filter(status=Event.Status.PUBLISHED)[:4])}
