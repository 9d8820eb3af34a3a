"""The accreditation certificate, a generated document (declared in ``apps.py``).

Rendered by a worker from the database: the school's name, the award and expiry dates, the
verification code and a QR code (inline SVG, made here with segno, so the PDF fetches
nothing) pointing to the public ``/verify/<code>/`` page."""

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from partnership.models import PartnershipLogo
from partnership.permissions import get_school_for
from wellschools.documents import DocumentKind
from wellschools.models import GeneratedDocument
from wellschools.pdf import pdf_render
from wellschools.site import require_public_site_url

from .models import Award


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline SVG element (no XML declaration)."""
    qr = segno.make(url, error="m")
    return qr.svg_inline(
        scale=4,
        border=2,
        dark="#1a1a1a",
        title="QR code to check this certificate",
        svgclass="qr",
        lineclass=None,
    )


def render_certificate(document: GeneratedDocument) -> tuple[str, bytes]:
    award: Award = document.subject
    # The QR code is printed: in production it must never point at localhost.
    require_public_site_url(purpose="The certificate")
    verify_url = award.verify_url
    logo = PartnershipLogo.objects.filter(partnership=award.partnership).first()
    pdf = pdf_render(
        template="pdf/certificate.html",
        context={
            "award": award,
            "school": award.school,
            "partnership": award.partnership,
            "verify_url": verify_url,
            "pillars": list(
                award.application.framework.pillars.order_by("order").values_list("name", flat=True)
            ),
            # segno builds the SVG from our own URL (site URL + a code of [0-9A-Z]).
            "qr": mark_safe(qr_svg(verify_url)),  # noqa: S308
            "created": timezone.localtime(),
            "logo": logo,
        },
        title=f"Well Schools Accreditation certificate — {award.school.name}",
        resources={"logo.png": bytes(logo.png)} if logo else None,
    )
    return f"well-schools-accreditation-{award.school.urn}-{award.awarded_on:%Y}.pdf", pdf


CERTIFICATE = DocumentKind(
    kind="accreditation_certificate",
    title="Accreditation certificate",
    subject_model="accreditation.award",
    renderer=render_certificate,
    access=lambda user, award: get_school_for(user, award.school.urn),
    back_url=lambda award: reverse("accreditation:overview", args=[award.school.urn]),
)
