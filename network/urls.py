from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/library/", views.library, name="library"),
    path("<slug:slug>/offers/", views.offers, name="offers"),
    path("<slug:slug>/groups/", views.groups, name="groups"),
    path("<slug:slug>/digest/", views.digest, name="digest"),
    path("digest/", views.digest_preference, name="digest_preference"),
    path("stories/<int:pk>/", views.story_detail, name="story"),
    path("stories/<int:pk>/edit/", views.story_edit, name="story_edit"),
    path("stories/<int:pk>/submit/", views.story_submit, name="story_submit"),
    path("stories/<int:pk>/withdraw/", views.story_withdraw, name="story_withdraw"),
    path("stories/<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path(
        "stories/<int:pk>/files/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "stories/<int:pk>/files/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("stories/<int:pk>/links/", views.link_add, name="link_add"),
    path("stories/<int:pk>/links/<int:link_pk>/remove/", views.link_remove, name="link_remove"),
    path("schools/<int:urn>/", views.school, name="school"),
    path("schools/<int:urn>/stories/new/", views.story_new, name="story_new"),
    path("schools/<int:urn>/ask/<int:to_urn>/<int:question_id>/", views.ask, name="ask"),
    path("messages/<int:pk>/", views.message, name="message"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/join/", views.group_join, name="group_join"),
    path("groups/<int:pk>/leave/", views.group_leave, name="group_leave"),
    path("groups/<int:pk>/items/", views.item_add, name="item_add"),
    path("groups/<int:pk>/items/<int:item_pk>/", views.item_download, name="item"),
    path("groups/<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
]
