"""The school's accreditation pages under /schools/<urn>/accreditation/, and the public
pages: /verify/<code>/ (what a certificate's QR code opens) and /accredited/."""

from django.urls import path

from . import views

app_name = "accreditation"

base = "schools/<int:urn>/accreditation/"
application = base + "<int:pk>/"

urlpatterns = [
    path(base, views.overview, name="overview"),
    path(base + "start/", views.start, name="start"),
    path(base + "awards/<int:award_pk>/certificate/", views.certificate, name="certificate"),
    path(application, views.application_detail, name="application"),
    path(application + "submit/", views.submit, name="submit"),
    path(application + "resubmit/", views.resubmit, name="resubmit"),
    path(application + "withdraw/", views.withdraw, name="withdraw"),
    path(application + "pillars/<slug:key>/", views.pillar, name="pillar"),
    path(application + "evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path(
        application + "evidence/<int:evidence_pk>/edit/",
        views.evidence_edit,
        name="evidence_edit",
    ),
    path(
        application + "evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        application + "evidence/<int:evidence_pk>/reuse/",
        views.evidence_reuse,
        name="evidence_reuse",
    ),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("accredited/", views.accredited, name="accredited"),
]
