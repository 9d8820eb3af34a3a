"""Anonymous staff wellbeing surveys.

* ``SurveyFramework`` → ``Area`` → ``Item``: the questions as versioned data (published
  versions never change; each survey keeps the version it was created on).
* ``Survey``: one school's survey window, with its public code and threshold.
* ``Response`` → ``ResponseAnswer``: what one person answered. By design a response holds
  no person, email address, IP address or time — only the survey, the staff group the
  person chose, the date and the answers.
* ``SurveyLink``: single-use links from emailed invitations. It shares no key with
  responses (no foreign key either way, no time, no address): all it knows is whether a
  link was used.
* ``SurveyDraft``: answers in progress, keyed by a hash of a random cookie value, deleted
  when the answers are sent (or when the survey closes).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnership.models import School
from wellschools.workflow import StatusHistory

# The lowest number of responses anything is shown for. Settings and surveys may raise it,
# never lower it (a system check and a database constraint hold the line).
MINIMUM_THRESHOLD = 5
SCALE_POINTS = (1, 2, 3, 4, 5)


class SurveyFramework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scale = models.JSONField(default=list, help_text="Five labels, from 1 (lowest) to 5.")
    comment_question = models.CharField(max_length=300)
    comment_help = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Version {self.number}: {self.title} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Area(models.Model):
    framework = models.ForeignKey(SurveyFramework, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    summary = models.TextField(blank=True)
    suggested_action = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="survey_area_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=40)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["area__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "key"], name="survey_item_key_unique")
        ]

    def __str__(self) -> str:
        return self.text


class StaffGroup(models.TextChoices):
    TEACHING = "teaching", "Teaching staff"
    SUPPORT = "support", "Support staff"
    LEADERSHIP = "leadership", "Leadership team"
    NOT_STATED = "not_stated", "Prefer not to say"


SHOWN_GROUPS = (StaffGroup.TEACHING, StaffGroup.SUPPORT, StaffGroup.LEADERSHIP)


def new_public_code() -> str:
    import secrets

    return secrets.token_urlsafe(9)


class Survey(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {
        Status.OPEN: {Status.CLOSED},
    }
    HISTORY = "history"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_surveys")
    framework = models.ForeignKey(SurveyFramework, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120)
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    public_code = models.CharField(max_length=20, unique=True, default=new_public_code)
    threshold = models.PositiveSmallIntegerField(default=MINIMUM_THRESHOLD)
    staff_count = models.PositiveIntegerField(
        "Number of staff asked", null=True, blank=True, help_text="For the response rate."
    )
    withhold_comments = models.BooleanField(
        "Keep written answers within the school",
        default=False,
        help_text="Trust staff and partnership coordinators will not see the written answers.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Invitations sent (a count: the addresses themselves are used for sending only).
    invitations_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="survey_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=MINIMUM_THRESHOLD), name="survey_threshold_at_least_5"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(status="open"), name="one_open_survey_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.school.name}"

    def get_absolute_url(self) -> str:
        return reverse("staffsurvey:detail", args=[self.school.urn, self.pk])

    def public_path(self) -> str:
        return reverse("staffsurvey_public:start", args=[self.public_code])

    def public_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.public_path()

    def accepts_answers(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on

    def has_ended(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.CLOSED or today > self.closes_on

    @property
    def halfway_on(self):
        return self.opens_on + (self.closes_on - self.opens_on) / 2

    def transition_fields(self, to: str, now) -> dict:
        return {"closed_at": now} if to == self.Status.CLOSED else {}

    def transition_refused(self, to: str) -> str:
        return "This survey has already closed."


class SurveyHistory(StatusHistory):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="history")


class Response(models.Model):
    """One person's answers. Deliberately no user, email, IP address or time column: the
    date is the finest time it records (tests/staffsurvey/test_anonymity.py checks)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    staff_group = models.CharField(max_length=12, choices=StaffGroup.choices)
    submitted_on = models.DateField()
    comment = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "staff_group"])]

    def __str__(self) -> str:
        return f"Response to {self.survey_id}"


class ResponseAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="survey_answer_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class SurveyLink(models.Model):
    """A single-use invitation link. Only the SHA-256 of its token is kept; rows are
    created in shuffled order so their keys do not follow the order of the emails."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Link for survey {self.survey_id} ({'used' if self.used else 'unused'})"


class SurveyDraft(models.Model):
    """Answers in progress for one browser (the cookie holds the token, this row its
    hash). ``link_hash`` remembers the single-use link the person came with until they
    send their answers; then the draft is deleted."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    key_hash = models.CharField(max_length=64, unique=True)
    link_hash = models.CharField(max_length=64, blank=True)
    staff_group = models.CharField(max_length=12, blank=True)
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    updated_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"Draft for survey {self.survey_id}"
