"""The answering pages: no sign-in, reached by the survey's public code."""

from django.urls import path

from . import public_views

app_name = "staffsurvey_public"

urlpatterns = [
    path("<str:code>/", public_views.start, name="start"),
    path("<str:code>/i/<str:token>/", public_views.invitation, name="invitation"),
    path("<str:code>/step/<int:number>/", public_views.step, name="step"),
    path("<str:code>/check/", public_views.check, name="check"),
    path("<str:code>/thanks/", public_views.thanks, name="thanks"),
]
