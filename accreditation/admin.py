"""Read-only views for platform admins and support. Applications change state only through
the services (the pages), never by editing a row here."""

from django.contrib import admin

from .models import Application, ApplicationHistory, Award, Evidence


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(_ReadOnly, admin.TabularInline):
    model = ApplicationHistory
    extra = 0
    fields = ["at", "from_status", "to_status", "actor", "comment"]


@admin.register(Application)
class ApplicationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["school", "partnership", "status", "reviewer", "submitted_at", "decided_at"]
    list_filter = ["status", "partnership"]
    search_fields = ["school__name", "school__urn"]
    inlines = [HistoryInline]


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["title", "kind", "dated", "application"]
    exclude = ["file"]


@admin.register(Award)
class AwardAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["school", "partnership", "awarded_on", "valid_until", "code"]
    search_fields = ["school__name", "code"]
