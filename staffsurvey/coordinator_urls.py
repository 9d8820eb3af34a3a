from django.urls import path

from . import views

app_name = "staffsurvey_partnership"

urlpatterns = [path("", views.partnership_view, name="overview")]
