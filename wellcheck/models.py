"""The Well Check: versioned frameworks, one check per school per academic year, answers,
history and the action plan."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnership.models import School
from wellschools.dates import format_date
from wellschools.workflow import StatusHistory


def academic_year_of(day: date) -> int:
    """The academic year (1 September – 31 August) a day falls in, by its starting year."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


class Rating(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    LIMITED = "limited", "Limited"
    GOOD = "good", "Good"
    STRONG = "strong", "Strong"


RATING_POINTS = {Rating.NOT_STARTED: 0, Rating.LIMITED: 1, Rating.GOOD: 2, Rating.STRONG: 3}
RATING_DESCRIPTIONS = {
    Rating.NOT_STARTED: "No implementation yet.",
    Rating.LIMITED: "Some progress, but inconsistent.",
    Rating.GOOD: "Well established, with minor gaps.",
    Rating.STRONG: "Best-practice implementation.",
}


class FrameworkVersion(models.Model):
    """A version of the framework. Once published it never changes; each Well Check keeps
    the version it started on."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Version {self.number}: {self.title} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Pillar(models.Model):
    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="pillars"
    )
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    summary = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "key"], name="pillar_key_unique_in_framework"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    strong_looks_like = models.TextField("What Strong looks like", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pillar__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pillar", "key"], name="question_key_unique_in_pillar")
        ]

    def __str__(self) -> str:
        return self.text


class DataQuestion(models.Model):
    """An unscored question that takes a number within bounds."""

    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="data_questions"
    )
    key = models.SlugField(max_length=40)
    text = models.TextField()
    help_text = models.TextField(blank=True)
    unit = models.CharField(max_length=40)
    minimum = models.DecimalField(max_digits=10, decimal_places=2)
    maximum = models.DecimalField(max_digits=10, decimal_places=2)
    integer_only = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="data_question_key_unique"),
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("maximum")), name="data_bounds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class WellCheck(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    TRANSITIONS = {
        Status.IN_PROGRESS: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.IN_PROGRESS},  # reopened by a coordinator
    }
    HISTORY = "history"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="well_checks")
    academic_year = models.PositiveSmallIntegerField()
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], name="one_well_check_per_school_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"Well Check {self.year_label} — {self.school.name}"

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def transition_refused(self, to: str) -> str:
        verb = "submitted" if to == self.Status.SUBMITTED else "reopened"
        return f"This Well Check is {self.get_status_display().lower()}; it cannot be {verb} now."


class WellCheckHistory(StatusHistory):
    well_check = models.ForeignKey(WellCheck, on_delete=models.CASCADE, related_name="history")


class VersionedAnswer(models.Model):
    """What every answer keeps: who changed it last, when, and a version that tells a
    colleague's change from one's own (see ``services.answer_save``)."""

    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Answer(VersionedAnswer):
    """One rated question. Saved on its own, so colleagues on different questions never
    overwrite each other; ``version`` detects a colleague's change to the same one."""

    well_check = models.ForeignKey(WellCheck, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=12, choices=Rating.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["well_check", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} (version {self.version})"

    @property
    def points(self) -> int:
        return RATING_POINTS[self.rating]


class DataAnswer(VersionedAnswer):
    well_check = models.ForeignKey(WellCheck, on_delete=models.CASCADE, related_name="data_answers")
    question = models.ForeignKey(DataQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["well_check", "question"], name="one_data_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_value} (version {self.version})"

    @property
    def display_value(self) -> str:
        value = self.value.normalize() if self.value != 0 else Decimal(0)
        return f"{value:f}"


class Action(models.Model):
    """One priority in the school's action plan for a year."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    MAX_PER_PILLAR = 3
    DUE_SOON_DAYS = 14

    well_check = models.ForeignKey(WellCheck, on_delete=models.CASCADE, related_name="actions")
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("What will be done", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    success_measure = models.TextField("How we will know it worked")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_date < timezone.localdate()

    @property
    def is_due_soon(self) -> bool:
        days = (self.due_date - timezone.localdate()).days
        return self.status != self.Status.DONE and 0 <= days <= self.DUE_SOON_DAYS


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(default=timezone.localdate)
    note = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{format_date(self.on)}: {self.note[:60]}"


class WellCheckScore(models.Model):
    """The scores of a submitted Well Check, kept by the services: written when it is
    submitted, deleted when it is reopened. Results, the partnership's medians and the
    trust and partnership tables read these instead of adding up answers each time.
    ``is_latest`` marks each school's most recent submitted check."""

    well_check = models.OneToOneField(
        WellCheck, primary_key=True, on_delete=models.CASCADE, related_name="score"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="well_check_scores")
    academic_year = models.PositiveSmallIntegerField()
    percentages = models.JSONField(default=dict)  # {pillar key: percent of the maximum}
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    is_latest = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["academic_year", "school"], name="wellcheckscore_year_school"),
            models.Index(
                fields=["school"], condition=Q(is_latest=True), name="wellcheckscore_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"Scores of {self.well_check_id}: {self.percentages}"

    @property
    def year_label(self) -> str:
        return academic_year_label(self.academic_year)
