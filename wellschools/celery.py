"""The Celery app. Configuration lives in settings (CELERY_*); tasks are found in each
app's tasks.py, so later features only add tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellschools.settings")

app = Celery("wellschools")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
