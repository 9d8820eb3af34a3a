from django.urls import path

from . import views

app_name = "staffsurvey"

survey = "schools/<int:urn>/staff-survey/<int:survey_id>/"

urlpatterns = [
    path("schools/<int:urn>/staff-survey/", views.overview, name="overview"),
    path("schools/<int:urn>/staff-survey/new/", views.create, name="create"),
    path("schools/<int:urn>/staff-survey/priorities/", views.add_priority, name="add_priority"),
    path(survey, views.detail, name="detail"),
    path(survey + "settings/", views.edit, name="edit"),
    path(survey + "invite/", views.invite, name="invite"),
    path(survey + "close/", views.close, name="close"),
    path(survey + "qr.svg", views.qr_code, name="qr"),
    path(survey + "poster/", views.poster, name="poster"),
    path(survey + "results/", views.results, name="results"),
    path(survey + "report/", views.report, name="report"),
    path("trusts/<str:group_uid>/staff-survey/", views.trust_view, name="trust"),
]
