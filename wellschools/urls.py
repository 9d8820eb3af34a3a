from django.contrib import admin
from django.urls import include, path

from . import views
from .health import healthz

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("events/", include("events.urls")),
    path("", include("wellcheck.urls")),
    # Coordinator pages of later apps; everything under /partnership/ needs TOTP.
    path("partnership/<slug:slug>/events/", include("events.coordinator_urls")),
    path("partnership/<slug:slug>/wellchecks/", include("wellcheck.coordinator_urls")),
    path("partnership/<slug:slug>/", include("partnership.coordinator_urls")),
    path("", include("partnership.urls")),
]

handler403 = "wellschools.views.permission_denied"
handler404 = "wellschools.views.page_not_found"
