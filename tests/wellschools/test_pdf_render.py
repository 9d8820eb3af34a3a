"""The PDF renderer: A4, page numbers, PDF/UA with title and language, and fetch
isolation — nothing outside the project's own static files is ever read or contacted."""

import io
import re
import socket
import threading
from unittest import mock

import pytest
from pypdf import PdfReader

from wellschools import pdf as pdf_module
from wellschools.pdf import PDF_BASE_URL, ResourceRefused, StaticFilesFetcher, pdf_from_html

PRINT_CSS = f"{PDF_BASE_URL}static/css/print.css"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _page(body: str, title: str = "A test document") -> str:
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/static/css/print.css">'
        f"</head><body><h1>{title}</h1>{body}</body></html>"
    )


def test_a4_pages_numbered_tagged_pdf_ua_with_title_and_language():
    rows = "".join(f"<tr><td>School {n}</td><td>{n}</td></tr>" for n in range(120))
    pdf = pdf_from_html(html=_page(f"<table>{rows}</table>", title="Member schools"))

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = _text(pdf)
    assert f"Page 1 of {len(reader.pages)}" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert reader.metadata.title == "Member schools"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def test_the_fetcher_serves_the_projects_static_files():
    fetcher = StaticFilesFetcher()
    response = fetcher(PRINT_CSS)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "data:text/plain;base64,cm9vdDp4OjA6MA==",
        f"{PDF_BASE_URL}etc/passwd",
        f"{PDF_BASE_URL}static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{PDF_BASE_URL}static/../../etc/passwd",
        f"{PDF_BASE_URL}static/css/../../../../etc/passwd",
        f"{PDF_BASE_URL}static//etc/passwd",
        f"{PDF_BASE_URL}static/",
        f"{PDF_BASE_URL}static/no-such-file.css",
        "https://pdf.wellschools.invalid.example.org/static/css/print.css",
        # Our host over plain http is not the prefix either.
        "http://pdf.wellschools.invalid/static/css/print.css?x=file:///etc/passwd#",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher()(url)


class _CountingServer:
    """A TCP server on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


HOSTILE = """
<base href="file:///etc/">
<p>Hostile user text follows.</p>
<img src="file:///etc/passwd" alt="">
<img src="passwd" alt="">
<img src="http://127.0.0.1:{port}/pixel.png" alt="">
<img src="https://127.0.0.1:{port}/pixel.png" alt="">
<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">
<img src="{base}static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" alt="">
<img src="/static/../../../../etc/passwd" alt="">
<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">
<link rel="attachment" href="file:///etc/passwd">
<a rel="attachment" href="file:///etc/hostname">attachment</a>
<object data="file:///etc/passwd" type="text/plain">object</object>
<embed src="http://127.0.0.1:{port}/embed.svg" type="image/svg+xml">
<iframe src="file:///etc/passwd" title="x"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="20" height="20"><image href="file:///etc/passwd" width="10" height="10"/>
  <image xlink:href="http://127.0.0.1:{port}/svg.png" width="10" height="10"/></svg>
<div style="background: url('http://127.0.0.1:{port}/bg.png')">styled</div>
<style>
  @import url("http://127.0.0.1:{port}/import.css");
  @font-face {{ font-family: Evil; src: url("http://127.0.0.1:{port}/font.woff"); }}
  p {{ font-family: Evil; background-image: url("file:///etc/hostname"); }}
  li {{ list-style-image: url("http://127.0.0.1:{port}/bullet.png"); }}
</style>
<ul><li>item</li></ul>
"""


def test_hostile_html_fetches_nothing_and_connects_nowhere():
    server = _CountingServer()
    asked, returned = [], []
    real = StaticFilesFetcher()

    def spy(url):
        asked.append(url)
        response = real(url)  # raises ResourceRefused for anything not ours
        returned.append(url)
        return response

    connects = []

    def no_connect(self, address, *args, **kwargs):
        connects.append(address)
        raise AssertionError(f"the PDF renderer tried to connect to {address}")

    def no_create_connection(address, *args, **kwargs):
        connects.append(address)
        raise AssertionError(f"the PDF renderer tried to connect to {address}")

    try:
        html = _page(HOSTILE.format(port=server.port, base=PDF_BASE_URL))
        with (
            mock.patch.object(socket.socket, "connect", no_connect),
            mock.patch.object(socket.socket, "connect_ex", no_connect),
            mock.patch.object(socket, "create_connection", no_create_connection),
            mock.patch(
                "weasyprint.urls.URLFetcher.fetch",
                side_effect=AssertionError("WeasyPrint's own fetcher must never run"),
            ),
        ):
            pdf = pdf_from_html(html=html, fetcher=spy)
    finally:
        server.close()

    assert pdf.startswith(b"%PDF")
    assert "Hostile user text follows." in _text(pdf)
    # The fetcher was asked for the hostile URLs (so the test exercised it) ...
    assert any(u.startswith("file:") for u in asked)
    assert any(f"127.0.0.1:{server.port}" in u for u in asked)
    # ... and returned nothing but our own stylesheet.
    assert set(returned) <= {PRINT_CSS}
    assert not [u for u in returned if "passwd" in u or "hostname" in u or "127.0.0.1" in u]
    assert connects == []
    assert server.connections == 0
    text = _text(pdf)
    assert "root:" not in text
    assert b"root:x:0:0" not in pdf


def test_pdf_render_uses_the_isolating_fetcher_by_default():
    seen = []
    original = pdf_module.StaticFilesFetcher.__call__

    def recording(self, url):
        seen.append(url)
        return original(self, url)

    with mock.patch.object(pdf_module.StaticFilesFetcher, "__call__", recording):
        pdf = pdf_module.pdf_render(template="pdf/_base.html", context={}, title="Plain document")
    assert PRINT_CSS in seen
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Plain document"


@pytest.mark.parametrize("offset_mm", range(230, 252, 3))
def test_a_captioned_table_at_the_foot_of_a_page_renders(offset_mm):
    """WeasyPrint 69's PDF/UA tagging crashes when a caption ends a page alone
    (Kozea/WeasyPrint#2761); print.css keeps captions with their tables."""
    rows = "".join(f"<tr><td>School {n}</td><td>{n}</td></tr>" for n in range(4))
    table = (
        "<table><caption>Member schools</caption>"
        '<thead><tr><th scope="col">School</th><th scope="col">URN</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    pdf = pdf_from_html(html=_page(f'<div style="height: {offset_mm}mm"></div>{table}'))
    assert "Member schools" in _text(pdf)
