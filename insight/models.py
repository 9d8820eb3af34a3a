"""What insight records: nudges (and the claim that rate-limits them), invitations sent
from a weak question, and the annual impact report a document is about."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, School
from wellcheck.models import Question, academic_year_label


class NudgeClaim(models.Model):
    """One row per school and partnership: when it was last nudged. Claimed with a
    conditional UPDATE (or an INSERT that conflicts), so a double click or two
    coordinators at once nudge a school once in ``insight.services.NUDGE_GAP``."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    last_sent_at = models.DateTimeField()
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "school"], name="one_nudge_claim_per_school"
            )
        ]

    def __str__(self) -> str:
        return f"School {self.school_id} last reminded at {self.last_sent_at:%Y-%m-%d %H:%M}"


class Nudge(models.Model):
    class Reason(models.TextChoices):
        NOT_STARTED = "not_started", "Well Check not started"
        IDLE = "idle", "Well Check in progress and idle for 14 days"
        ACTIONS_OVERDUE = "actions_overdue", "Actions overdue"
        CHANGES_REQUESTED = "changes_requested", "Accreditation changes requested and waiting"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "-sent_at"], name="nudge_recent")]

    def __str__(self) -> str:
        return f"Reminder to {self.school.name}: {self.get_reason_display()}"


class QuestionInvite(models.Model):
    """An email to the schools that rated a question Not started or Limited."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField()
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_ids = models.JSONField(default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Invitation about “{self.question.text[:80]}” to {len(self.school_ids)} schools"


class AnnualReport(models.Model):
    """The subject of an impact report document: a partnership's academic year."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "academic_year"], name="one_annual_report_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"Impact report {academic_year_label(self.academic_year)}: {self.partnership.name}"
