"""Well Schools Accreditation: applications with per-pillar statements and evidence, the
review (judgements per pillar, replies), decisions and awards.

An application's status changes only through ``accreditation.services`` (one transition
helper, the ``TRANSITIONS`` table below). An award's status is derived from its dates, so
it expires by itself without a job that could be missed."""

import secrets
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnership.models import Partnership, School
from wellcheck.models import FrameworkVersion, Pillar
from wellschools.dates import format_date
from wellschools.workflow import StatusHistory

from .dates import year_before


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        AWARDED = "awarded", "Awarded"
        NOT_AWARDED = "not_awarded", "Not awarded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    S = Status
    # The only moves there are. Anything else is refused by the transition helper.
    TRANSITIONS: dict[str, frozenset[str]] = {
        S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
        S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
        S.IN_REVIEW: frozenset({S.CHANGES_REQUESTED, S.AWARDED, S.NOT_AWARDED}),
        S.CHANGES_REQUESTED: frozenset({S.RESUBMITTED}),
        S.RESUBMITTED: frozenset({S.IN_REVIEW}),
        S.AWARDED: frozenset(),
        S.NOT_AWARDED: frozenset(),
        S.WITHDRAWN: frozenset(),
    }
    HISTORY = "history"
    LOCK_RELATED = ("school", "school__trust", "partnership", "framework")
    VERBS = {
        S.SUBMITTED: "submitted",
        S.IN_REVIEW: "put in review",
        S.CHANGES_REQUESTED: "sent back for changes",
        S.RESUBMITTED: "resubmitted",
        S.AWARDED: "awarded",
        S.NOT_AWARDED: "not awarded",
        S.WITHDRAWN: "withdrawn",
    }
    OPEN = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED)
    # The school can change statements and evidence only in these.
    EDITABLE = (S.DRAFT, S.CHANGES_REQUESTED)
    # The partnership holds the application (the turnaround clock runs) in these.
    WITH_PARTNERSHIP = (S.SUBMITTED, S.IN_REVIEW, S.RESUBMITTED)
    # A reviewer can be (re)assigned in these.
    ASSIGNABLE = (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.RESUBMITTED)
    FINAL = (S.AWARDED, S.NOT_AWARDED, S.WITHDRAWN)

    class Recommendation(models.TextChoices):
        AWARD = "award", "Award"
        CHANGES = "changes", "Ask the school for changes"
        NOT_AWARD = "not_award", "Do not award"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="accreditation_applications"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="accreditation_applications"
    )
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The school's earlier application this one started from (a renewal).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The turnaround clock: working days the partnership has held the application before
    # the latest (re)submission, plus the days since ``waiting_since``.
    waiting_since = models.DateTimeField(null=True, blank=True)
    working_days_used = models.PositiveIntegerField(default=0)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accreditation_reviews",
    )
    review_round = models.PositiveSmallIntegerField(default=1)
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True)
    recommendation_comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One application in progress per school and partnership: two leaders pressing
            # Start at once continue the same one.
            models.UniqueConstraint(
                fields=["partnership", "school"],
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "in_review",
                        "changes_requested",
                        "resubmitted",
                    ]
                ),
                name="one_open_accreditation_application",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "in_review",
                        "changes_requested",
                        "resubmitted",
                        "awarded",
                        "not_awarded",
                        "withdrawn",
                    ]
                ),
                name="accreditation_status_known",
            ),
            # Someone reviews an application that is in review.
            models.CheckConstraint(
                condition=~Q(status="in_review") | Q(reviewer__isnull=False),
                name="accreditation_in_review_has_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return f"Accreditation application of {self.school.name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:application", args=[self.school.urn, self.pk])

    def get_review_url(self) -> str:
        return reverse("accreditation_review:review", args=[self.partnership.slug, self.pk])

    def get_coordinator_url(self) -> str:
        return reverse("accreditation_review:application", args=[self.partnership.slug, self.pk])

    def transition_refused(self, to: str) -> str:
        return (
            f"This application is {self.get_status_display().lower()}: it cannot be "
            f"{self.VERBS.get(to, to)} now. Reload the page to see its current state."
        )

    def transition_fields(self, to: str, now) -> dict:
        return {"status_changed_at": now}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_with_partnership(self) -> bool:
        return self.status in self.WITH_PARTNERSHIP


class ApplicationHistory(StatusHistory):
    """One move of an application. Visible to the school."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name_plural = "application history"

    @property
    def from_label(self) -> str:
        return Application.Status(self.from_status).label if self.from_status else "New"

    @property
    def to_label(self) -> str:
        return Application.Status(self.to_status).label


class PillarStatement(models.Model):
    """The school's statement of its practice in one pillar."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="statements"
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pillar__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "pillar"], name="one_statement_per_pillar"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pillar.name} statement"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # A random name (the original is kept in the database for the download): nothing under
    # MEDIA_ROOT can be guessed from a school, an application or a file name. MEDIA_ROOT is
    # never served; downloads go through a view that checks rights.
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"accreditation/evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{suffix}"


class Evidence(models.Model):
    """One evidence item for a pillar: an uploaded file, a link, or a note saying where a
    document lives. Each is dated; items older than 12 months are flagged."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"
        NOTE = "note", "Where to find it"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    title = models.CharField("what it shows", max_length=200)
    dated = models.DateField("date of the evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField("link", max_length=500, blank=True)
    note = models.CharField("where it is", max_length=500, blank=True)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="file", url="", note="") & ~Q(file="")
                    | Q(kind="link", file="", note="") & ~Q(url="")
                    | Q(kind="note", file="", url="") & ~Q(note="")
                ),
                name="evidence_has_exactly_its_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_older_than_a_year(self, today: date | None = None) -> bool:
        return self.dated < year_before(today or timezone.localdate())

    @property
    def is_old(self) -> bool:
        return self.is_older_than_a_year()


class PillarJudgement(models.Model):
    """The reviewer's judgement of one pillar in one review round, and the school's reply."""

    class Judgement(models.TextChoices):
        MET = "met", "Met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="judgements"
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    judgement = models.CharField(max_length=10, choices=Judgement.choices, blank=True)
    comment = models.TextField("comment to the school", blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    judged_at = models.DateTimeField(default=timezone.now)
    reply = models.TextField("the school's reply", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "pillar__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "pillar", "round"], name="one_judgement_per_pillar_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pillar.name}, round {self.round}: {self.get_judgement_display()}"

    @property
    def needs_reply(self) -> bool:
        return self.judgement in (self.Judgement.PARTLY_MET, self.Judgement.NOT_MET)


# Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits


def verification_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_code_normalise(code: str) -> str:
    code = "".join(code.split()).replace("-", "").upper()
    return code.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


class Award(models.Model):
    """A Well Schools Accreditation award. Current from ``awarded_on`` to ``valid_until``
    (31 August of the academic year after the award); expired afterwards, by itself."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="accreditation_awards"
    )
    awarded_on = models.DateField()
    valid_until = models.DateField()
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=verification_code_new)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("awarded_on")), name="award_validity_ordered"
            )
        ]
        indexes = [models.Index(fields=["partnership", "valid_until"])]

    def __str__(self) -> str:
        return f"Well Schools Accreditation of {self.school.name}, {format_date(self.awarded_on)}"

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.awarded_on <= today <= self.valid_until

    @property
    def current(self) -> bool:
        return self.is_current()

    @property
    def status_label(self) -> str:
        return "Current" if self.current else "Expired"

    def get_verify_url(self) -> str:
        return reverse("accreditation:verify", args=[self.code])

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + self.get_verify_url()
