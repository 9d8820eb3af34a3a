"""A partnership coordinator's pages, under /partnership/<slug>/ (TOTP required)."""

from django.urls import path

from . import coordinator_views as views

app_name = "partnership"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("members/", views.members, name="members"),
    path("members/export.csv", views.members_csv, name="members_csv"),
    path("members/pdf/", views.members_pdf, name="members_pdf"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("import/", views.gias_upload, name="import"),
    path("audit/", views.audit, name="audit"),
    path("logo/", views.logo, name="logo"),
]
