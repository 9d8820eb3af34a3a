"""The project's URLs and ``/bench/trivial/``: one query, a few bytes of HTML — the unit of
the page benchmark's ratios. The signed-in variant is the same view with a session cookie."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from wellschools import urls as project_urls


def trivial(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    who = "signed in" if request.user.is_authenticated else "anonymous"
    return HttpResponse(
        f"<!DOCTYPE html><html lang='en-GB'><title>Trivial</title><p>Trivial ({who})</p>"
    )


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include(project_urls)),
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
