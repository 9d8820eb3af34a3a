from django.urls import path  # noqa: F401

app_name = "accreditation_review"

urlpatterns: list = []
