from django.contrib import admin

from .models import Attendee, Booking, BookingChange, Event, EventChange


class EventChangeInline(admin.TabularInline):
    model = EventChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "comment"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "starts_at", "status", "capacity"]
    list_filter = ["status", "partnership"]
    search_fields = ["title", "venue_name"]
    date_hierarchy = "starts_at"
    inlines = [EventChangeInline]


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ["name", "email", "role", "status", "attendance"]
    readonly_fields = fields
    can_delete = False


class BookingChangeInline(admin.TabularInline):
    model = BookingChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "comment"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the services, which keep capacity and history."""

    list_display = ["reference", "event", "organisation", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "organisation", "attendees__email"]
    list_select_related = ["event"]
    inlines = [AttendeeInline, BookingChangeInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
