"""Rendering PDFs with WeasyPrint, fetching nothing from outside the project.

A PDF template extends ``pdf/_base.html`` (A4, page numbers, the project's print CSS,
``lang="en-GB"``). ``pdf_render`` produces a tagged PDF/UA-1 document whose title is set.
Templates refer to static files as ``{{ static_base }}img/logo.png`` (not ``{% static %}``,
whose hashed production names need the collectstatic manifest).

Every URL the HTML or CSS refers to (stylesheets, images, fonts, attachments, SVG
references) goes through ``StaticFilesFetcher``, which serves only the project's own
static files, read from disk; ``file:``, ``http(s):``, ``data:`` and anything else is
refused, so user text such as ``<img src="file:///etc/passwd">`` fetches nothing and no
network connection is ever made. WeasyPrint logs a refused resource and leaves it out.
"""

import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcherResponse

# Relative and root-relative URLs ("/static/css/print.css") resolve against this origin.
# ".invalid" is reserved (RFC 2606): the name can never reach a real host.
PDF_BASE_URL = "https://pdf.wellschools.invalid/"
PDF_VARIANT = "pdf/ua-1"
RESOURCES_PATH = "resources/"


class ResourceRefused(ValueError):
    """A URL outside the project's static files; WeasyPrint skips the resource."""


class StaticFilesFetcher:
    """A WeasyPrint URL fetcher that reads only the project's own static files.

    It has no network code at all: an allowed URL maps to a file found by the static
    files finders (or, in production, in the collected STATIC_ROOT)."""

    def __init__(self, base_url: str = PDF_BASE_URL, resources: dict[str, bytes] | None = None):
        self.static_prefixes = {urljoin(base_url, settings.STATIC_URL)}
        # Bytes the renderer was handed (e.g. a partnership's checked, re-encoded logo),
        # each under its own URL below RESOURCES_PATH; still no file or network access.
        self.resources = {
            urljoin(base_url, RESOURCES_PATH + name): data
            for name, data in (resources or {}).items()
        }
        if urlsplit(settings.STATIC_URL).scheme in ("http", "https"):
            self.static_prefixes.add(settings.STATIC_URL)

    def __call__(self, url: str) -> URLFetcherResponse:
        if url in self.resources:
            content_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, self.resources[url], headers={"Content-Type": content_type}, status=200
            )
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, path.read_bytes(), headers={"Content-Type": content_type}, status=200
        )

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        return self(url)

    def resolve(self, url: str) -> Path:
        """The static file the URL names; ResourceRefused for anything else."""
        split = urlsplit(url)
        if split.scheme not in ("http", "https"):
            raise ResourceRefused(f"Refused a {split.scheme or 'relative'}: URL in a PDF")
        bare = f"{split.scheme}://{split.netloc}{split.path}"
        prefix = next((p for p in self.static_prefixes if bare.startswith(p)), None)
        if prefix is None:
            raise ResourceRefused(f"Refused a URL outside the static files: {url[:200]}")
        name = unquote(bare[len(prefix) :])
        normalised = posixpath.normpath(name)
        if not name or normalised.startswith(("../", "/")) or normalised in (".", ".."):
            raise ResourceRefused(f"Refused a path outside the static files: {url[:200]}")
        path = self._find(normalised)
        if path is None:
            raise ResourceRefused(f"No such static file: {normalised}")
        return path

    @staticmethod
    def _find(name: str) -> Path | None:
        try:
            found = finders.find(name)
        except SuspiciousFileOperation:
            return None
        if found:
            return Path(found)
        # Production serves collected (hashed) names from STATIC_ROOT.
        try:
            root = Path(settings.STATIC_ROOT).resolve()
            candidate = Path(staticfiles_storage.path(name)).resolve()
        except (NotImplementedError, SuspiciousFileOperation, ValueError):
            return None
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
        return None


def pdf_from_html(*, html: str, base_url: str = PDF_BASE_URL, fetcher=None) -> bytes:
    """Turn HTML into a tagged PDF/UA-1 document. The title comes from ``<title>`` and
    the language from ``<html lang>``."""
    document = HTML(
        string=html,
        base_url=base_url,
        url_fetcher=fetcher or StaticFilesFetcher(base_url),
        media_type="print",
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def pdf_render(
    *,
    template: str,
    context: dict[str, Any],
    title: str,
    base_url: str = PDF_BASE_URL,
    resources: dict[str, bytes] | None = None,
) -> bytes:
    """Render ``templates/pdf/<doc>.html`` (extending ``pdf/_base.html``) to PDF bytes.
    ``resources`` ({"logo.png": bytes}) are named in the template as
    ``{{ resources_base }}logo.png``."""
    # PDF templates name static files as "{{ static_base }}css/print.css": plain names that
    # the fetcher reads through the finders, so no collectstatic manifest is needed.
    static_base = urljoin(base_url, settings.STATIC_URL)
    html = render_to_string(
        template,
        {
            **context,
            "title": title,
            "site_url": settings.SITE_URL,
            "static_base": static_base,
            "resources_base": urljoin(base_url, RESOURCES_PATH),
        },
    )
    fetcher = StaticFilesFetcher(base_url, resources) if resources else None
    return pdf_from_html(html=html, base_url=base_url, fetcher=fetcher)
