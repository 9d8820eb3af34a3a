"""/healthz: is the database reachable, and the broker? How far behind is background work?

The backlog (how many emails and documents wait, and the age of the oldest) is reported
for operators and monitoring; it does not turn the check red, because a load balancer
must not take healthy web servers out of service when the workers are behind."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import EmailMessage, GeneratedDocument

# A backlog whose oldest item waits longer than this is reported as "stuck": every fault
# the sweeps handle is recovered well within it.
STUCK_AFTER_SECONDS = 300


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    if not settings.REDIS_URL:
        # Embedded default: tasks run in-process, there is no broker to reach.
        return True
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        return bool(client.ping())
    except Exception:
        return False


def _backlog(queryset, field: str) -> dict:
    row = queryset.aggregate(pending=Count("pk"), oldest=Min(field))
    age = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else 0
    return {
        "pending": row["pending"],
        "oldest_pending_seconds": max(0, round(age)),
        "state": "stuck" if age > STUCK_AFTER_SECONDS else "ok",
    }


def backlog() -> dict[str, dict]:
    """Emails not yet sent (queued or being sent) and documents being prepared."""
    return {
        "outbox": _backlog(
            EmailMessage.objects.filter(
                status__in=[EmailMessage.Status.QUEUED, EmailMessage.Status.SENDING]
            ),
            "created_at",
        ),
        "documents": _backlog(
            GeneratedDocument.objects.filter(status=GeneratedDocument.Status.PENDING),
            "requested_at",
        ),
    }


@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    if checks["database"]:
        body.update(backlog())
    return JsonResponse(body, status=200 if healthy else 503)
