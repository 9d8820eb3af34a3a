from django.contrib import admin
from django.urls import include, path

from . import views
from .health import healthz

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", healthz, name="healthz"),
    path("session/keep-alive/", views.session_keepalive, name="session_keepalive"),
    # allauth's TOTP set-up and recovery codes, ending on the person's home (see the views).
    path("accounts/2fa/totp/activate/", views.totp_activate, name="mfa_activate_totp"),
    path("accounts/2fa/recovery-codes/", views.recovery_codes, name="mfa_view_recovery_codes"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("events/", include("events.urls")),
    path("", include("wellcheck.urls")),
    path("", include("accreditation.urls")),
    path("network/", include("network.urls")),
    path("", include("staffsurvey.urls")),
    path("s/", include("staffsurvey.public_urls")),
    # Coordinator pages of later apps; everything under /partnership/ needs TOTP.
    path("partnership/<slug:slug>/events/", include("events.coordinator_urls")),
    path("partnership/<slug:slug>/wellchecks/", include("wellcheck.coordinator_urls")),
    path("partnership/<slug:slug>/accreditation/", include("accreditation.coordinator_urls")),
    path("partnership/<slug:slug>/network/", include("network.coordinator_urls")),
    path("partnership/<slug:slug>/staff-survey/", include("staffsurvey.coordinator_urls")),
    path("partnership/<slug:slug>/insight/", include("insight.urls")),
    path("trusts/<str:group_uid>/insight/", include("insight.trust_urls")),
    path("partnership/<slug:slug>/", include("partnership.coordinator_urls")),
    path("", include("partnership.urls")),
    # Background work: generated documents, email preferences and unsubscribe.
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/retry/", views.document_retry_view, name="document_retry"),
    path("account/email-preferences/", views.email_preferences, name="email_preferences"),
    path("email/unsubscribe/<str:token>/", views.email_unsubscribe_view, name="email_unsubscribe"),
]

handler403 = "wellschools.views.permission_denied"
handler404 = "wellschools.views.page_not_found"
