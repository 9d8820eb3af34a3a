from django.contrib import admin
from django.urls import include, path

from . import views
from .health import healthz

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("partnership/<slug:slug>/", include("partnership.coordinator_urls")),
    path("", include("partnership.urls")),
]

handler403 = "wellschools.views.permission_denied"
handler404 = "wellschools.views.page_not_found"
