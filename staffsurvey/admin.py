"""Platform admins draft and publish survey framework versions. Published versions are
read-only. Responses are deliberately not in the admin: nobody browses them one by one."""

from django.contrib import admin, messages

from wellschools.errors import DomainError

from .framework import framework_draft_from, framework_publish
from .models import Area, Item, Survey, SurveyFramework


def _published(obj) -> bool:
    framework = getattr(obj, "framework", None) or obj
    return isinstance(framework, SurveyFramework) and framework.is_published


class _DraftOnly:
    def has_change_permission(self, request, obj=None):
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _published(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if _published(obj):
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class AreaInline(_DraftOnly, admin.TabularInline):
    model = Area
    extra = 0
    show_change_link = True
    fields = ["order", "key", "name", "summary", "suggested_action"]


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["order", "key", "text"]

    def has_change_permission(self, request, obj=None):
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _published(obj) and super().has_delete_permission(request, obj)


@admin.register(SurveyFramework)
class SurveyFrameworkAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["number", "title", "status", "published_at"]
    inlines = [AreaInline]
    actions = ["copy_into_draft", "publish"]
    readonly_fields = ["status", "published_at"]

    @admin.action(description="Copy into a new draft")
    def copy_into_draft(self, request, queryset):
        for version in queryset:
            draft = framework_draft_from(actor=request.user, version=version)
            messages.success(
                request, f"Draft version {draft.number} created from {version.number}."
            )

    @admin.action(description="Publish (checks the framework first; cannot be undone)")
    def publish(self, request, queryset):
        for version in queryset:
            try:
                framework_publish(actor=request.user, version=version)
            except DomainError as error:
                messages.error(request, f"Version {version.number}: {error.message}")
            else:
                messages.success(request, f"Version {version.number} is published.")


@admin.register(Area)
class AreaAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["name", "key", "framework"]
    list_filter = ["framework"]
    inlines = [ItemInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "opens_on", "closes_on", "status"]
    list_filter = ["status"]
    search_fields = ["school__name", "school__urn"]
    raw_id_fields = ["school", "created_by"]
    exclude = ["public_code"]

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the services (history and audit)
