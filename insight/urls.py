from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pillars/", views.pillars, name="pillars"),
    path("questions/", views.questions, name="questions"),
    path("questions/<int:question_pk>/invite/", views.question_invite, name="question_invite"),
    path("trends/", views.trends, name="trends"),
    path("schools/", views.schools, name="schools"),
    path("schools/export.csv", views.schools_csv, name="schools_csv"),
    path("nudges/", views.nudges, name="nudges"),
    path("report/", views.report, name="report"),
    path("report/export.csv", views.report_csv, name="report_csv"),
]
