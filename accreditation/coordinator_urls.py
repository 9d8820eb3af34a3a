"""Under /partnership/<slug>/accreditation/ (RequireTwoFactorMiddleware gates coordinators).
The review pages also open for the assigned peer reviewer, who is not a coordinator."""

from django.urls import path

from . import coordinator_views as views

app_name = "accreditation_review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.application, name="application"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/review/resume/", views.resume, name="resume"),
]
