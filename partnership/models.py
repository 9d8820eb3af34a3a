import base64
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from wellschools.workflow import StatusHistory


class Partnership(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # DfE local-authority codes the partnership covers, e.g. ["931"] for Oxfordshire.
    la_codes = models.JSONField(default=list, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership:home", kwargs={"slug": self.slug})


class Trust(models.Model):
    """A multi-academy trust (or other GIAS group), identified by its GIAS Group UID."""

    group_uid = models.CharField("GIAS Group UID", max_length=20, unique=True)
    name = models.CharField(max_length=255)
    group_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("trust_detail", kwargs={"group_uid": self.group_uid})


class School(models.Model):
    """A school in England, identified by its DfE URN. Imported from GIAS; never deleted."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        PROPOSED_TO_CLOSE = "proposed_to_close", "Open, but proposed to close"
        PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"

    urn = models.PositiveIntegerField("URN", unique=True)
    name = models.CharField(max_length=255, db_index=True)
    phase = models.CharField(max_length=100, blank=True, db_index=True)
    establishment_type = models.CharField(max_length=150, blank=True)
    la_code = models.CharField("LA code", max_length=10, blank=True, db_index=True)
    la_name = models.CharField("LA name", max_length=100, blank=True)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    pupils = models.PositiveIntegerField(null=True, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    def get_absolute_url(self) -> str:
        return reverse("school_detail", kwargs={"urn": self.urn})

    @property
    def age_range(self) -> str:
        if self.statutory_low_age is None or self.statutory_high_age is None:
            return ""
        return f"{self.statutory_low_age}–{self.statutory_high_age}"


class Membership(models.Model):
    """A school's membership of a partnership, from application to leaving."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        LAPSED = "lapsed", "Lapsed"
        LEFT = "left", "Left"

    S = Status
    # "" is a membership row made a moment ago in the same transaction (see the services).
    TRANSITIONS = {
        "": {S.APPLIED, S.ACTIVE},
        S.APPLIED: {S.APPLIED, S.ACTIVE, S.DECLINED},
        S.ACTIVE: {S.LAPSED, S.LEFT},
        S.DECLINED: {S.APPLIED, S.ACTIVE},
        S.LAPSED: {S.ACTIVE, S.LEFT, S.APPLIED},
        S.LEFT: {S.ACTIVE, S.LAPSED, S.APPLIED},
    }
    # A coordinator moves a membership between these by hand.
    SETTABLE = (S.ACTIVE, S.LAPSED, S.LEFT)
    HISTORY = "history"
    LOCK_RELATED = ("school", "partnership", "applicant")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_role_title = models.CharField(max_length=100, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "school"], name="one_membership_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} in {self.partnership.name} ({self.get_status_display()})"

    def transition_refused(self, to: str) -> str:
        return "This membership cannot be changed that way."


class MembershipHistory(StatusHistory):
    """One move of a membership (applied, approved, declined, lapsed, left, restored)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="history")

    class Meta(StatusHistory.Meta):
        verbose_name_plural = "membership history"


class Role(models.Model):
    """A person's role, scoped to one school, one trust or one partnership.

    Permissions read these rows on every request, so removing one takes effect on the
    person's next request."""

    class Kind(models.TextChoices):
        SCHOOL_LEADER = "school_leader", "School leader"
        SCHOOL_STAFF = "school_staff", "School staff"
        GOVERNOR = "governor", "Governor (viewer)"
        TRUST_LEAD = "trust_lead", "Trust lead"
        TRUST_STAFF = "trust_staff", "Trust staff"
        COORDINATOR = "coordinator", "Partnership coordinator"

    SCHOOL_KINDS = (Kind.SCHOOL_LEADER, Kind.SCHOOL_STAFF, Kind.GOVERNOR)
    TRUST_KINDS = (Kind.TRUST_LEAD, Kind.TRUST_STAFF)
    PARTNERSHIP_KINDS = (Kind.COORDINATOR,)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "granted_at"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(
                        kind__in=["school_leader", "school_staff", "governor"],
                        school__isnull=False,
                        trust__isnull=True,
                        partnership__isnull=True,
                    )
                    | Q(
                        kind__in=["trust_lead", "trust_staff"],
                        school__isnull=True,
                        trust__isnull=False,
                        partnership__isnull=True,
                    )
                    | Q(
                        kind="coordinator",
                        school__isnull=True,
                        trust__isnull=True,
                        partnership__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "school"],
                condition=Q(school__isnull=False),
                name="one_school_role_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "trust"],
                condition=Q(trust__isnull=False),
                name="one_trust_role_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "partnership"],
                condition=Q(partnership__isnull=False),
                name="one_partnership_role_of_a_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} at {self.scope}"

    @property
    def scope(self):
        return self.school or self.trust or self.partnership


class Invitation(models.Model):
    """An emailed, single-use invitation to take a role. Only a hash of the token is kept."""

    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=Role.Kind.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.get_kind_display()} at {self.scope}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def scope(self):
        return self.school or self.trust or self.partnership

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class ImportRun(models.Model):
    """One GIAS import: who ran it, for which partnership (none: a platform admin's import
    of any area), what file, and what it did."""

    started_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
        help_text="The coordinator's partnership; empty for a platform admin's import.",
    )
    filename = models.CharField(max_length=255)
    la_codes = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    trusts_created = models.PositiveIntegerField(default=0)
    # Rows a coordinator's import refused because the school is outside the partnership's
    # area (stored LA code, or the file's LA code for a new URN): their URNs.
    refused_urns = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"GIAS import {self.filename} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        text = (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}"
        )
        if self.refused_urns:
            text += (
                f"; skipped: outside your area {len(self.refused_urns)} "
                f"(URN {', '.join(str(urn) for urn in self.refused_urns[:20])}"
                f"{', …' if len(self.refused_urns) > 20 else ''})"
            )
        return text


class PartnershipLogo(models.Model):
    """The partnership's logo, shown on its certificates and the public /verify/ page.

    Kept small and in the database (re-encoded as PNG on upload by ``partnership_logo_set``),
    in its own table so partnership queries never carry the image."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="logo")
    png = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Logo of {self.partnership}"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(bytes(self.png)).decode("ascii")
