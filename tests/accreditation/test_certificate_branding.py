"""Certificates and /verify/ that look official (issue 14): the partnership's name and
logo (uploaded by its coordinator, checked by content and size), a border, the award's
dates; the verify page names the awarding partnership, the school's URN and the code.
And the site address they print: never localhost in production (defect 6)."""

import io
import subprocess
import sys
from datetime import date

import pytest
from accreditation_helpers import award_for
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from partnership.models import PartnershipLogo
from wellschools.audit import AuditEvent
from wellschools.documents import document_render, document_request
from wellschools.errors import DomainError
from wellschools.models import GeneratedDocument
from wellschools.site import require_public_site_url, site_url_problem
from wellschools.tasks import render_document

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(400, 160), colour=(11, 107, 58)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def upload(name, data, content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


# --- the coordinator's logo page -------------------------------------------------------


def test_coordinator_uploads_a_logo_which_is_re_encoded_and_audited(
    as_user, coordinator, partnership
):
    url = reverse("partnership:logo", args=[partnership.slug])
    client = as_user(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"logo": upload("logo.jpg", image_bytes("JPEG"), "image/jpeg")})
    assert response.status_code == 302
    logo = PartnershipLogo.objects.get(partnership=partnership)
    stored = Image.open(io.BytesIO(bytes(logo.png)))
    assert stored.format == "PNG"  # re-encoded, whatever came in
    assert (logo.width, logo.height) == stored.size
    assert logo.updated_by == coordinator
    assert AuditEvent.objects.filter(
        action="partnership.logo_changed", partnership_id=partnership.pk
    ).exists()
    page = client.get(url).content.decode()
    assert logo.data_uri in page


def test_a_large_logo_is_shrunk_to_fit(as_user, coordinator, partnership):
    url = reverse("partnership:logo", args=[partnership.slug])
    as_user(coordinator).post(url, {"logo": upload("big.png", image_bytes(size=(3000, 1000)))})
    logo = PartnershipLogo.objects.get(partnership=partnership)
    assert logo.width <= 600 and logo.height <= 300


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.png", b"<svg onload='alert(1)'></svg>", "not a PNG or JPEG image"),
        ("logo.png", b"GIF89a" + b"\0" * 100, "not a PNG or JPEG image"),
        ("logo.gif", image_bytes("GIF"), "must be a PNG or JPEG"),
        ("logo.png", image_bytes(size=(10, 10)), "too small"),
        ("logo.png", image_bytes()[:60], "not a PNG or JPEG image"),
    ],
)
def test_a_file_that_is_not_a_usable_image_is_refused_next_to_the_field(
    as_user, coordinator, partnership, name, data, message
):
    url = reverse("partnership:logo", args=[partnership.slug])
    response = as_user(coordinator).post(url, {"logo": upload(name, data)})
    assert response.status_code == 200
    assert message in response.context["form"].errors["logo"][0]
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_logo"' in html
    assert not PartnershipLogo.objects.exists()


def test_a_logo_over_2_mb_is_refused(as_user, coordinator, partnership):
    noisy = Image.frombytes("RGB", (1200, 1000), bytes(range(256)) * 14063 + b"\0" * 96)
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    data = out.getvalue() + b"\0" * (2 * 1024 * 1024)
    url = reverse("partnership:logo", args=[partnership.slug])
    response = as_user(coordinator).post(url, {"logo": upload("huge.png", data)})
    assert "the limit is 2 MB" in response.context["form"].errors["logo"][0]
    assert not PartnershipLogo.objects.exists()


def test_the_logo_page_is_for_the_partnerships_coordinators_only(
    as_user, partnership, leader, outsider
):
    url = reverse("partnership:logo", args=[partnership.slug])
    assert as_user(leader).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404


def test_coordinator_removes_the_logo(as_user, coordinator, partnership):
    url = reverse("partnership:logo", args=[partnership.slug])
    client = as_user(coordinator)
    client.post(url, {"logo": upload("logo.png", image_bytes())})
    client.post(url, {"remove": "1"})
    assert not PartnershipLogo.objects.exists()


# --- the certificate ---------------------------------------------------------------------


def test_the_certificate_shows_the_partnership_its_logo_the_urn_and_the_dates(
    as_user, school, partnership, coordinator, settings
):
    settings.SITE_URL = "https://wellschools.example.org"
    as_user(coordinator).post(
        reverse("partnership:logo", args=[partnership.slug]),
        {"logo": upload("logo.png", image_bytes())},
    )
    award = award_for(school, partnership, awarded_on=date(2026, 3, 12))
    document = document_request(actor=coordinator, kind="accreditation_certificate", subject=award)
    assert document_render(document_id=document.pk)
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) == 1
    assert partnership.name in text and school.name in text
    assert f"URN {school.urn}" in text
    assert "12 March 2026" in text and "31 August 2027" in text
    images = [image for page in reader.pages for image in page.images]
    assert images, "the partnership's logo is in the PDF"


# --- /verify/<code>/ -----------------------------------------------------------------------


def test_verify_page_shows_the_awarding_partnership_the_urn_and_the_code_checked(
    client, school, partnership, as_user, coordinator
):
    as_user(coordinator).post(
        reverse("partnership:logo", args=[partnership.slug]),
        {"logo": upload("logo.png", image_bytes())},
    )
    client.logout()
    award = award_for(school, partnership, awarded_on=date.today())
    response = client.get(reverse("accreditation:verify", args=[award.code.lower()]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'Awarded by</dt><dd class="col-sm-8">{partnership.name}' in html
    assert f'URN</dt><dd class="col-sm-8">{school.urn}' in html
    assert award.code in html  # the code as checked, normalised
    assert PartnershipLogo.objects.get().data_uri in html
    assert "This certificate is genuine and the accreditation is current." in html


# --- SITE_URL (defect 6) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8000", "http://127.0.0.1:8123", "http://[::1]:8000", "", "wellschools"],
)
def test_local_or_missing_site_urls_are_problems(url):
    assert site_url_problem(url)


def test_a_public_site_url_is_fine():
    assert site_url_problem("https://wellschools.example.org") is None


@override_settings(DEBUG=False, SECURE=True, SITE_URL="http://localhost:8000")
def test_production_refuses_to_render_a_certificate_for_localhost(
    as_user, school, partnership, leader, coordinator
):
    with pytest.raises(DomainError, match="SITE_URL"):
        require_public_site_url(purpose="The certificate")
    award = award_for(school, partnership, awarded_on=date.today())
    # The page says so instead of queueing a certificate with a useless QR code ...
    response = as_user(leader).post(
        reverse("accreditation:certificate", args=[school.urn, award.pk]), follow=True
    )
    assert "SITE_URL" in response.content.decode()
    assert not GeneratedDocument.objects.exists()
    # ... and a render already queued fails with the reason rather than print it.
    document = document_request(actor=coordinator, kind="accreditation_certificate", subject=award)
    render_document.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert "SITE_URL" in document.error


def test_dev_links_follow_port_when_site_url_is_unset(tmp_path):
    """`scripts/dev` honours PORT; so do the links in emails, .ics files and QR codes."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'wellschools.settings'; "
        "django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    env = {"PATH": "/usr/bin:/bin", "PORT": "8123", "WELLSCHOOLS_VAR_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "http://localhost:8123", out.stderr
    env["SITE_URL"] = "https://wellschools.example.org/"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "https://wellschools.example.org", out.stderr
