"""Events' demo data, added by ``manage.py seed_demo`` (declared in apps.py)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from wellschools.models import User

from .models import Event
from .services import event_create, event_publish


def seed_demo(*, partnership, members, leader_school) -> None:
    """The partnership's launch event, published, so booking can be tried."""
    if Event.objects.filter(partnership=partnership).exists():
        return
    coordinator = User.objects.get(email="coordinator@example.org")
    london = ZoneInfo("Europe/London")
    day = timezone.localdate() + timedelta(days=21)
    event = event_create(
        actor=coordinator,
        partnership=partnership,
        title="Oxfordshire Well Schools Partnership launch",
        description="An afternoon to launch the partnership: the four pillars, the Well "
        "Check, and schools sharing what works.",
        venue_name="Example Conference Centre",
        venue_address="1 Example Road, Oxford OX1 0AA",
        starts_at=datetime.combine(day, time(13, 30), london),
        ends_at=datetime.combine(day, time(16, 0), london),
        capacity=60,
        max_places_per_school=3,
        audience=Event.Audience.MEMBERS,
    )
    event_publish(actor=coordinator, event=event)
