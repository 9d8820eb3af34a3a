from django.urls import path

from . import coordinator_views as views

app_name = "network_manage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stories/<int:pk>/", views.moderate, name="moderate"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/", views.offer_edit, name="offer_new"),
    path("offers/<int:pk>/", views.offer_edit, name="offer"),
    path("offers/<int:pk>/delete/", views.offer_delete, name="offer_delete"),
    path("groups/", views.network_list, name="networks"),
    path("groups/new/", views.network_edit, name="network_new"),
    path("groups/<int:pk>/", views.network_edit, name="network"),
    path("groups/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        "groups/<int:pk>/members/<int:user_pk>/remove/", views.member_remove, name="member_remove"
    ),
    path("groups/<int:pk>/meetings/", views.meeting_add, name="meeting_add"),
    path(
        "groups/<int:pk>/meetings/<int:event_pk>/remove/",
        views.meeting_remove,
        name="meeting_remove",
    ),
]
