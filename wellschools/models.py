from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The email address is the identity; there are no usernames."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only")

    def delete(self):
        raise PermissionDenied("The audit log is append-only")


class AuditEvent(models.Model):
    """An append-only record of a decision that matters later.

    ``partnership_id`` scopes the event for coordinators without the platform importing
    the partnership app (dependencies point one way)."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "wellschools.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    partnership_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only")

    @property
    def sentence(self) -> str:
        from .audit import audit_sentence

        return audit_sentence(self)


class EmailMessage(models.Model):
    """One email to one recipient: the outbox row and the record support reads.

    The row is written in the same transaction as the change that causes the email, so a
    rolled-back change sends nothing and a committed one is never lost: a task sends it
    after commit, and the minute sweep re-enqueues any row still queued (an enqueue lost to
    a broker outage, a retry that is due) or stuck in "sending" (its worker died). A send
    first commits its claim ("sending", by which task), then talks to the SMTP server, so
    a duplicate needs a worker to die in the instant between the server accepting the
    message and the row being marked sent — and even then it carries the same Message-ID.
    Bodies are blanked once sent (they can hold sign-in links).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    recipient = models.EmailField(db_index=True)
    kind = models.CharField(max_length=64, db_index=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Every try counts, successful or not (a claim increments it).
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The send in progress: which task claimed the row, and when.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed try: not before this moment (the sweep sends it then).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Rendered by the sending task rather than by the request (see ``email_queue_render``):
    # the dotted path of a function marked ``@email_renderer``, and its JSON arguments.
    render_with = models.CharField(max_length=200, blank=True)
    render_params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every try, so a resend is recognised as the same email
        by mail servers and clients."""
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"<wellschools.{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{host}>"


class ReminderClaim(models.Model):
    """A reminder that has been sent (or is being sent): claimed before the email goes out.

    The unique key makes a second scan, or two scans at once, unable to claim it again."""

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    recipient = models.EmailField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "recipient"], name="one_claim_per_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.recipient}"


# --- background work: generated documents and email preferences ---------------------------


class GeneratedDocument(models.Model):
    """One requested document (a PDF report) and what became of it.

    The subject is stored as a model label and primary key, so the platform records
    documents about objects of apps built on it without importing them. The file lives in
    the default storage under MEDIA_ROOT, which is never served: downloads go through a
    view that checks the person's rights."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        "wellschools.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="documents/", max_length=300, blank=True)
    filename = models.CharField("download name", max_length=200, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The render task that claimed it (a sweep checks it is still alive).
    task_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["kind", "object_type", "object_id"])]
        constraints = [
            # Two people asking for the same report at once share one render.
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=models.Q(status="pending"),
                name="one_pending_document_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.object_label or self.object_id} ({self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("document_detail", kwargs={"pk": self.pk})

    @property
    def subject(self) -> models.Model:
        """The object the document is about (DoesNotExist / LookupError if it is gone)."""
        if "_subject" not in self.__dict__:
            from django.apps import apps

            model = apps.get_model(self.object_type)
            self._subject = model._default_manager.get(pk=self.object_id)
        return self._subject


class EmailListUnsubscribe(models.Model):
    """Marks a queued email as non-essential (a reminder): it carries the List-Unsubscribe
    headers, and it is not sent if the recipient turned reminders off after it was queued."""

    message = models.OneToOneField(
        EmailMessage, primary_key=True, on_delete=models.CASCADE, related_name="unsubscribe"
    )
    url = models.URLField(max_length=500)

    def __str__(self) -> str:
        return self.url


class EmailPreference(models.Model):
    """What one email address agreed to receive. Kept by address, not by account, so the
    one-click link in a reminder works without signing in. No row means the defaults."""

    class Via(models.TextChoices):
        PAGE = "page", "Preferences page"
        LINK = "link", "Unsubscribe link"
        ONE_CLICK = "one_click", "One-click unsubscribe (mail program)"
        ADMIN = "admin", "Support"

    email = models.EmailField(unique=True)
    reminders = models.BooleanField(
        default=True, help_text="Non-essential reminders (Well Check, action plan, events)."
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_via = models.CharField(max_length=10, choices=Via.choices, default=Via.PAGE)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower("email")),
                name="email_preference_address_is_lower_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: reminders {'on' if self.reminders else 'off'}"
