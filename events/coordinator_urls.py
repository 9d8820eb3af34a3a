"""A coordinator's event pages, under /partnership/<slug>/events/ (TOTP required)."""

from django.urls import path

from . import coordinator_views as views

app_name = "events_manage"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/publish/", views.event_publish, name="publish"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/attendees.csv", views.event_attendees_csv, name="attendees_csv"),
    path("<int:pk>/email/", views.event_message, name="message"),
    path("<int:pk>/release-places/", views.event_release_places, name="release_places"),
    path("<int:pk>/bookings/<str:reference>/", views.booking_detail, name="booking"),
    path(
        "<int:pk>/bookings/<str:reference>/cancel/",
        views.booking_cancel,
        name="booking_cancel",
    ),
    path(
        "<int:pk>/bookings/<str:reference>/people/<int:attendee_pk>/cancel/",
        views.attendee_cancel,
        name="attendee_cancel",
    ),
    path(
        "<int:pk>/bookings/<str:reference>/people/<int:attendee_pk>/change/",
        views.attendee_substitute,
        name="attendee_substitute",
    ),
]
