"""The partnership's logo on its certificates."""

from django.db import transaction
from django.utils import timezone

from wellschools.audit import audit_record
from wellschools.errors import DomainError
from wellschools.models import User

from ..logos import logo_normalise
from ..models import Partnership, PartnershipLogo
from ..permissions import is_coordinator


def partnership_logo_set(*, actor: User, partnership: Partnership, data: bytes) -> PartnershipLogo:
    """Store the partnership's logo (certificates and /verify/), checked and re-encoded."""
    if not is_coordinator(actor, partnership):
        raise DomainError("Only the partnership's coordinators change its logo.")
    png, width, height = logo_normalise(data)
    with transaction.atomic():
        logo, _ = PartnershipLogo.objects.update_or_create(
            partnership=partnership,
            defaults={
                "png": png,
                "width": width,
                "height": height,
                "updated_at": timezone.now(),
                "updated_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="partnership.logo_changed",
            target=partnership,
            partnership_id=partnership.pk,
            data={"width": width, "height": height},
        )
    return logo


def partnership_logo_remove(*, actor: User, partnership: Partnership) -> None:
    if not is_coordinator(actor, partnership):
        raise DomainError("Only the partnership's coordinators change its logo.")
    with transaction.atomic():
        deleted, _ = PartnershipLogo.objects.filter(partnership=partnership).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="partnership.logo_removed",
                target=partnership,
                partnership_id=partnership.pk,
            )
