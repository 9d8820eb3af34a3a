from django.contrib import admin

from .models import ContactRequest, Network, Offer, PracticeStory, PracticeStoryHistory


class HistoryInline(admin.TabularInline):
    model = PracticeStoryHistory
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "comment"]


@admin.register(PracticeStory)
class PracticeStoryAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "partnership", "status", "published_at"]
    list_filter = ["status", "partnership"]
    search_fields = ["title", "school__name"]
    readonly_fields = ["status", "submitted_at", "published_at"]
    inlines = [HistoryInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "partnership", "closes_on"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership"]


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["from_school", "to_school", "created_at", "replied_at"]
    readonly_fields = ["message", "reply"]
