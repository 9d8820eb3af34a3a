"""Template-wide rules of issue 14 that a page walk could miss on a page it does not visit."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
REGION = re.compile(
    r'<div class="table-responsive" role="region" aria-label="[^"]+" tabindex="0">\s*<table\b'
)


def page_templates():
    for path in TEMPLATES.rglob("*.html"):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith(("pdf/", "emails/")):
            continue  # printed and emailed, not scrolled at 375 px
        yield relative, path.read_text()


def test_every_table_on_a_page_scrolls_inside_its_own_labelled_focusable_region():
    loose = []
    for name, text in page_templates():
        tables = len(re.findall(r"<table\b", text))
        wrapped = len(REGION.findall(text))
        if tables != wrapped:
            loose.append(f"{name}: {tables} table(s), {wrapped} in a labelled region")
    assert not loose, "\n".join(loose)


def test_no_page_template_has_an_inline_script_or_style():
    inline = []
    for name, text in page_templates():
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text):
            inline.append(name)
        if re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            inline.append(name)
    assert not inline, inline
