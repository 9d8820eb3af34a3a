"""Platform admins draft and publish framework versions here. Published versions are
read-only: every Well Check keeps the version it started on."""

from django.contrib import admin, messages

from wellschools.errors import DomainError

from .framework import framework_draft_from, framework_publish
from .models import Action, DataQuestion, FrameworkVersion, Pillar, Question, WellCheck


class _DraftOnly:
    """Inlines and models that can change only while their framework is a draft."""

    def _framework_of(self, obj):
        if obj is None:
            return None
        return getattr(obj, "framework", None) or obj

    def has_change_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if isinstance(framework, FrameworkVersion) and framework.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if isinstance(framework, FrameworkVersion) and framework.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        framework = self._framework_of(obj)
        if isinstance(framework, FrameworkVersion) and framework.is_published:
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class PillarInline(_DraftOnly, admin.TabularInline):
    model = Pillar
    extra = 0
    show_change_link = True
    fields = ["order", "key", "name", "summary"]


class DataQuestionInline(_DraftOnly, admin.TabularInline):
    model = DataQuestion
    extra = 0
    fields = ["order", "key", "text", "unit", "minimum", "maximum", "integer_only", "help_text"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["number", "title", "status", "published_at"]
    inlines = [PillarInline, DataQuestionInline]
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


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "key", "text", "guidance", "strong_looks_like"]

    def _published(self, obj):
        return obj is not None and obj.framework.is_published

    def has_change_permission(self, request, obj=None):
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)


@admin.register(Pillar)
class PillarAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["name", "key", "framework"]
    list_filter = ["framework"]
    inlines = [QuestionInline]


@admin.register(WellCheck)
class WellCheckAdmin(admin.ModelAdmin):
    list_display = ["school", "academic_year", "status", "framework", "submitted_at"]
    list_filter = ["status", "academic_year"]
    search_fields = ["school__name", "school__urn"]
    raw_id_fields = ["school", "started_by", "submitted_by"]

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the services (history and audit)


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "well_check", "due_date", "status"]
    raw_id_fields = ["well_check", "owner", "question", "created_by"]
