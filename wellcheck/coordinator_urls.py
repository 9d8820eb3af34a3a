from django.urls import path

from . import scores_views

app_name = "wellcheck_partnership"

urlpatterns = [
    path("", scores_views.partnership_scores, name="scores"),
    path("export.csv", scores_views.partnership_scores_csv, name="scores_csv"),
]
