from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .documents import document_retry
from .email import email_requeue
from .models import (
    AuditEvent,
    EmailMessage,
    EmailPreference,
    GeneratedDocument,
    ReminderClaim,
    User,
)
from .preferences import email_preference_update


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: support reads them, never adds or edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_label"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_label"]

    def has_delete_permission(self, request, obj=None):
        return False


# --- background work: what support looks at -------------------------------------------


@admin.register(EmailMessage)
class EmailMessageAdmin(ReadOnlyAdmin):
    """ "Did they get it?": every email the platform sent or tried to send."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "about",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["recipient", "subject", "object_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "error",
        "object_type",
        "object_id",
        "body_text",
    ]
    exclude = ["body_html", "attachments"]
    actions = ["send_again"]

    @admin.display(description="About", ordering="object_type")
    def about(self, message: EmailMessage) -> str:
        return f"{message.object_type} #{message.object_id}" if message.object_type else ""

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request, queryset):
        count = email_requeue(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed email(s) queued again.")


@admin.register(ReminderClaim)
class ReminderClaimAdmin(ReadOnlyAdmin):
    list_display = ["claimed_at", "kind", "key", "recipient"]
    list_filter = ["kind"]
    search_fields = ["recipient", "key"]
    date_hierarchy = "claimed_at"


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["email", "reminders", "changed_at", "changed_via"]
    list_filter = ["reminders", "changed_via"]
    search_fields = ["email"]
    readonly_fields = ["changed_at", "changed_via"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "email"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        email_preference_update(
            email=obj.email, reminders=obj.reminders, via=EmailPreference.Via.ADMIN
        )


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "requested_at",
        "kind",
        "object_label",
        "requested_by",
        "status",
        "attempts",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["object_label", "object_id", "requested_by__email"]
    date_hierarchy = "requested_at"
    # The file field is left out: its default widget links to MEDIA_URL, which is not
    # served. Open a document through its page, which checks rights.
    fields = [
        "kind",
        "object_type",
        "object_id",
        "object_label",
        "requested_by",
        "status",
        "filename",
        "error",
        "attempts",
        "requested_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    actions = ["try_again"]

    @admin.action(description="Try the selected failed documents again")
    def try_again(self, request, queryset):
        count = 0
        for document in queryset.filter(status=GeneratedDocument.Status.FAILED):
            document_retry(actor=request.user, document=document)
            count += 1
        self.message_user(request, f"{count} document(s) queued again.")

    def has_add_permission(self, request):
        return False
