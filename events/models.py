"""Partnership events, the bookings schools and trusts make for them, and who attends.

A booking is a *group*: one booker books one or more named attendees for one school, trust
or (for open events) organisation. A group is either confirmed (its places count against
the capacity) or waiting; places are never split between the two.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnership.models import Partnership, School, Trust
from wellschools.dates import format_date
from wellschools.workflow import StatusHistory

# No 0/O, 1/I/L: references are read out over the telephone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "WS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.CANCELLED},
        Status.CANCELLED: set(),
    }
    HISTORY = "changes"
    LOCK_RELATED = ("partnership",)

    class Audience(models.TextChoices):
        MEMBERS = "members", "Member schools and trusts of the partnership"
        ANYONE = "anyone", "Anyone with an account"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    online_url = models.URLField("online link", blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(help_text="The number of places.")
    booking_opens_at = models.DateTimeField(null=True, blank=True)
    booking_closes_at = models.DateTimeField(null=True, blank=True)
    cancellation_deadline = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    max_places_per_school = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    # Freed places are held for the waiting list: while anyone waits, new bookers join the
    # list. A coordinator may release held places that no waiting group fits; new bookers
    # may then take this many.
    places_released = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="event_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(name="event_has_places", condition=Q(capacity__gt=0)),
            models.CheckConstraint(
                name="event_has_a_place_to_be", condition=~Q(venue_name="") | ~Q(online_url="")
            ),
            models.CheckConstraint(
                name="event_school_limit_positive",
                condition=Q(max_places_per_school__isnull=True) | Q(max_places_per_school__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({format_date(self.starts_at)})"

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    def transition_fields(self, to: str, now) -> dict:
        if to == self.Status.PUBLISHED:
            return {"published_at": now}
        if to == self.Status.CANCELLED:
            return {"cancelled_at": now}
        return {}

    def get_manage_url(self) -> str:
        return reverse(
            "events_manage:detail", kwargs={"slug": self.partnership.slug, "pk": self.pk}
        )

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue_name

    @property
    def location(self) -> str:
        """One line for calendars and emails."""
        if self.venue_name:
            address = ", ".join(line.strip() for line in self.venue_address.splitlines() if line)
            return f"{self.venue_name}, {address}" if address else self.venue_name
        return "Online"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def opens_at(self):
        return self.booking_opens_at or self.published_at

    @property
    def closes_at(self):
        return self.booking_closes_at or self.starts_at

    @property
    def changes_until(self):
        """Bookers change or cancel until this moment; after it only a coordinator can."""
        return self.cancellation_deadline or self.starts_at

    @property
    def changes_closed(self) -> bool:
        """Past the deadline: bookers can no longer change or cancel confirmed places."""
        return timezone.now() >= self.changes_until


class EventChange(StatusHistory):
    """History of an event's status (draft → published → cancelled) and of its edits."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")


class Booking(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "On the waiting list"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        LEFT = "left", "Left the waiting list"

    TRANSITIONS = {
        "": {Status.WAITING, Status.CONFIRMED},
        Status.WAITING: {Status.CONFIRMED, Status.LEFT, Status.CANCELLED},
        Status.CONFIRMED: {Status.CANCELLED},
        Status.CANCELLED: set(),
        Status.LEFT: set(),
    }
    HISTORY = "changes"
    LOCK_RELATED = ("event__partnership", "booker", "school", "trust")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="bookings")
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    # The calendar entry of this booking: the same UID in every .ics we send for it.
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Grows with every change calendars must apply (event moved, place cancelled, ...).
    sequence = models.PositiveIntegerField(default=0)
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="event_bookings"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="event_bookings"
    )
    organisation = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # The waiting list is first come, first served by this moment.
    waiting_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            models.CheckConstraint(
                name="booking_for_a_school_or_a_trust",
                condition=Q(school__isnull=True) | Q(trust__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("events:booking", kwargs={"reference": self.reference})

    def get_manage_url(self) -> str:
        return reverse(
            "events_manage:booking",
            kwargs={
                "slug": self.event.partnership.slug,
                "pk": self.event_id,
                "reference": self.reference,
            },
        )

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.CONFIRMED)

    @property
    def closed_to_booker(self) -> bool:
        """The one change-deadline rule: a confirmed booking after the event's deadline
        can be changed only by a coordinator (a waiting-list group can always leave)."""
        return self.status == self.Status.CONFIRMED and self.event.changes_closed

    def transition_refused(self, to: str) -> str:
        return f"This booking is {self.get_status_display().lower()} already; nothing was changed."

    def transition_fields(self, to: str, now) -> dict:
        if to == self.Status.CONFIRMED:
            return {"confirmed_at": now}
        if to in (self.Status.CANCELLED, self.Status.LEFT):
            return {"ended_at": now}
        return {}


class BookingChange(StatusHistory):
    """History of a booking: every status change and every change to its attendees."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="changes")


class Attendee(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        REPLACED = "replaced", "Replaced by someone else"

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        PARTIAL = "partial", "Attended part"
        ABSENT = "absent", "Did not attend"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    role = models.CharField("role", max_length=150, blank=True)
    dietary_needs = models.CharField(max_length=300, blank=True)
    access_needs = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["booking_id", "pk"]
        indexes = [models.Index(fields=["booking", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.booking.reference})"
