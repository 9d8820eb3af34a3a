"""Writing the audit log. Every service that makes a decision calls ``audit_record``."""

from typing import Any

from django.db import models

from .models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    partnership_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=str(target)[:300],
        partnership_id=partnership_id,
        data=data or {},
    )
