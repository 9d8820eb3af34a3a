from django.urls import path

from . import plan_views, scores_views, views

app_name = "wellcheck"

check = "schools/<int:urn>/wellcheck/<int:year>/"

urlpatterns = [
    path("schools/<int:urn>/wellcheck/", views.overview, name="overview"),
    path("schools/<int:urn>/wellcheck/start/", views.start, name="start"),
    path(check, views.check, name="check"),
    path(check + "submit/", views.submit, name="submit"),
    path(check + "reopen/", views.reopen, name="reopen"),
    path(check + "pillars/<slug:key>/", views.pillar, name="pillar"),
    path(check + "answers/<int:question_id>/", views.answer, name="answer"),
    path(check + "data/", views.data, name="data"),
    path(check + "data/<int:question_id>/", views.data_answer, name="data_answer"),
    path(check + "results/", plan_views.results, name="results"),
    path(check + "report/", plan_views.report, name="report"),
    path(check + "plan/", plan_views.plan, name="plan"),
    path(check + "plan/summary/", plan_views.plan_summary, name="plan_summary"),
    path(check + "plan/<int:action_id>/", plan_views.action_edit, name="action"),
    path(check + "plan/<int:action_id>/delete/", plan_views.action_delete, name="action_delete"),
    path("trusts/<str:group_uid>/wellcheck/", scores_views.trust_scores, name="trust"),
    path(
        "trusts/<str:group_uid>/wellcheck/report/", scores_views.trust_report, name="trust_report"
    ),
]
