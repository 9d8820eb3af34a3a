"""The partnership network: practice stories, contact opt-ins and relayed messages,
partners' offers, networks (named groups) and who gets the weekly digest."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from partnership.models import Partnership, School
from wellcheck.models import Pillar, Question
from wellschools.workflow import StatusHistory


class Phase(models.TextChoices):
    ANY = "any", "Any phase"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"


def phase_of_school(school: School) -> str:
    """The story phase that fits a school's GIAS phase of education."""
    text = (school.phase or "").lower()
    for phase in (Phase.ALL_THROUGH, Phase.SECONDARY, Phase.PRIMARY):
        if phase.label.lower() in text:
            return phase
    return Phase.SPECIAL if "special" in (school.establishment_type or "").lower() else Phase.ANY


def _private_name(folder: str, filename: str) -> str:
    # A random name (the original is kept in the database): nothing under MEDIA_ROOT can be
    # guessed from a school or a file name, and MEDIA_ROOT is never served.
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"network/{folder}/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{suffix}"


class PracticeStory(models.Model):
    """A school's short account of something that worked, moderated by a coordinator."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned"

    S = Status
    TRANSITIONS = {
        S.DRAFT: {S.SUBMITTED},
        S.SUBMITTED: {S.PUBLISHED, S.RETURNED},
        S.RETURNED: {S.SUBMITTED},
        S.PUBLISHED: {S.DRAFT},  # the school withdraws it to change it
    }
    EDITABLE = (S.DRAFT, S.RETURNED)
    HISTORY = "history"
    LOCK_RELATED = ("school", "partnership")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="practice_stories"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="practice_stories")
    title = models.CharField(max_length=200)
    what_we_did = models.TextField("What we did")
    for_whom = models.CharField("For whom", max_length=300)
    impact = models.TextField("What changed (impact)")
    cost = models.CharField("What it cost", max_length=300)
    who_to_ask = models.CharField(
        "Who to ask",
        max_length=200,
        help_text="A role, for example “our wellbeing lead”. Addresses are never shown.",
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.ANY)
    pillars = models.ManyToManyField(Pillar, related_name="+")
    questions = models.ManyToManyField(Question, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = "practice story"
        verbose_name_plural = "practice stories"
        indexes = [models.Index(fields=["partnership", "status"], name="story_partnership_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:story", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def transition_fields(self, to: str, now) -> dict:
        if to == self.Status.SUBMITTED:
            return {"submitted_at": now}
        if to == self.Status.PUBLISHED:
            return {"published_at": now}
        if to == self.Status.DRAFT:
            return {"published_at": None}
        return {}

    def transition_refused(self, to: str) -> str:
        return (
            f"This story is {self.get_status_display().lower()}: it cannot be "
            f"{self.Status(to).label.lower()} now."
        )


class PracticeStoryHistory(StatusHistory):
    story = models.ForeignKey(PracticeStory, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name_plural = "practice story history"


def attachment_upload_to(instance: "PracticeAttachment", filename: str) -> str:
    return _private_name("stories", filename)


class PracticeAttachment(models.Model):
    story = models.ForeignKey(PracticeStory, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class PracticeLink(models.Model):
    story = models.ForeignKey(PracticeStory, on_delete=models.CASCADE, related_name="links")
    url = models.URLField("Web address", max_length=500)
    label = models.CharField("Link text", max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label


class ContactOptIn(models.Model):
    """The school agrees to be suggested to, and contacted by, other member schools about
    one pillar. Kept by pillar key, so it outlives framework versions; no row = not opted in."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contact_opt_ins")
    pillar_key = models.SlugField(max_length=40)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "pillar_key"], name="one_opt_in_per_pillar")
        ]

    def __str__(self) -> str:
        return f"{self.school.name}: {self.pillar_key}"


class ContactRequest(models.Model):
    """“Ask this school”: a message relayed by the platform. Neither side's address is shown
    until the receiving school replies."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    from_school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    story = models.ForeignKey(
        PracticeStory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="contact_request_between_two_schools",
                condition=~Q(from_school=models.F("to_school")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_school.name} asks {self.to_school.name}"

    def get_absolute_url(self) -> str:
        return reverse("network:message", kwargs={"pk": self.pk})

    @property
    def is_replied(self) -> bool:
        return self.replied_at is not None


class Offer(models.Model):
    """An opportunity from a local or national partner, listed until its closing date."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    pillar_keys = models.JSONField(default=list)
    phases = models.JSONField(default=list)
    url = models.URLField("Link", max_length=500)
    closes_on = models.DateField("Closing date", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["closes_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closes_on >= timezone.localdate()


class Network(models.Model):
    """A named group, e.g. Wellbeing Leads, that people join or are added to."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="networks")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="NetworkMember",
        through_fields=("network", "user"),
        related_name="+",
    )
    meetings = models.ManyToManyField(Event, through="NetworkMeeting", related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="network_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:group", kwargs={"pk": self.pk})


class NetworkMember(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="one_network_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.network}"


class NetworkMeeting(models.Model):
    """An event of the events app held as this network's meeting (booked like any other)."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meeting_links")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "event"], name="one_link_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.network})"


def network_file_upload_to(instance: "NetworkItem", filename: str) -> str:
    return _private_name("groups", filename)


class NetworkItem(models.Model):
    """A note or a shared file, visible to the network's members only."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    file = models.FileField(upload_to=network_file_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="network_item_note_or_file", condition=~Q(note="") | ~Q(file="")
            )
        ]

    def __str__(self) -> str:
        return self.title


class DigestSubscription(models.Model):
    """The person asked for the weekly digest (it is sent as non-essential email, so the
    email preferences and the unsubscribe link apply on top)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_digest"
    )
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Digest for {self.user}"
