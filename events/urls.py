"""Public event pages and the booker's pages, under /events/."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.event_archive, name="archive"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/book/", views.event_book, name="book"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<str:reference>/", views.booking_detail, name="booking"),
    path("bookings/<str:reference>/cancel/", views.booking_cancel, name="booking_cancel"),
    path(
        "bookings/<str:reference>/calendar.ics",
        views.booking_calendar_file,
        name="booking_calendar",
    ),
    path(
        "bookings/<str:reference>/people/<int:attendee_pk>/cancel/",
        views.attendee_cancel,
        name="attendee_cancel",
    ),
    path(
        "bookings/<str:reference>/people/<int:attendee_pk>/change/",
        views.attendee_substitute,
        name="attendee_substitute",
    ),
    path("waiting-list/leave/<str:token>/", views.waiting_list_leave, name="leave"),
]
