from django.urls import path

from . import views

app_name = "insight_trust"

urlpatterns = [path("", views.trust, name="overview")]
