"""Evidence uploads: the type is read from the content; refusals say why, next to the field,
and keep everything else that was typed; stored files have random names and no URL."""

import io
import zipfile

import pytest
from accreditation_helpers import draft_application, pdf_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Evidence, PillarStatement
from wellschools.uploads import MAX_UPLOAD_BYTES, UploadRefused, check_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def ooxml(main_part: str, *extra: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for name in extra:
            archive.writestr(name, b"\x00")
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def ole(stream: str) -> bytes:
    return OLE + b"\x00" * 1000 + stream.encode("utf-16-le") + b"\x00" * 100


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
HTML = b"<!DOCTYPE html>\n<html><head><title>Policy</title></head><body>Hi</body></html>"


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("policy.pdf", pdf_bytes(), "application/pdf"),
        (
            "plan.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "data.xlsx",
            ooxml("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "talk.pptx",
            ooxml("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("old.doc", ole("WordDocument"), "application/msword"),
        ("old.xls", ole("Workbook"), "application/vnd.ms-excel"),
        ("old.ppt", ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("pic.webp", WEBP, "image/webp"),
        ("no-extension", pdf_bytes(), "application/pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, mime):
    assert check_upload(upload(name, content)).mime == mime


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", EXE, "is a program, not a document"),
        ("minutes.docx", ELF, "is a program, not a document"),
        ("install.doc", b"#!/bin/sh\nrm -rf /\n", "is a program, not a document"),
        ("policy.pdf", HTML, "is a web page"),
        ("policy.html", HTML, "is a web page"),
        ("page.pdf", b"\xef\xbb\xbf  \n<html><script>alert(1)</script></html>", "is a web page"),
        ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "is a web page"),
        ("empty.pdf", b"", "is empty"),
        ("setup.doc", ole("SummaryInformation"), "may be an installer"),
        ("macro.docx", ooxml("word/document.xml", "word/vbaProject.bin"), "contains macros"),
        ("bundle.docx", ooxml("something/else.xml"), "zip archive, not a document"),
        ("broken.docx", b"PK\x03\x04garbage", "damaged"),
        ("notes.pdf", b"Just some plain text", "could not recognise"),
        ("photo.pdf", PNG, "its name and its content do not match"),
        ("report.docx", pdf_bytes(), "its name and its content do not match"),
    ],
)
def test_refused_files_say_why(name, content, message):
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload(name, content))
    assert message in refused.value.message


def test_the_size_limit_is_ten_megabytes():
    header = pdf_bytes()
    at_limit = header + b"\x00" * (MAX_UPLOAD_BYTES - len(header))
    assert check_upload(upload("big.pdf", at_limit)).mime == "application/pdf"
    with pytest.raises(UploadRefused, match="the limit is 10 MB"):
        check_upload(upload("bigger.pdf", at_limit + b"\x00"))


# --- through the pillar page ------------------------------------------------------------


def _pillar_url(school, application, pillar):
    return reverse("accreditation:pillar", args=[school.urn, application.pk, pillar.key])


def _post(client, page_url, file, **fields):
    data = {
        "statement": "We teach two hours of PE a week.",
        "title": "PE curriculum map",
        "dated": timezone.localdate().isoformat(),
        "note": "",
        "url": "",
        **fields,
    }
    if file is not None:
        data["file"] = file
    return client.post(page_url, data)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("curriculum.pdf", EXE, "is a program, not a document"),
        ("curriculum.pdf", HTML, "is a web page"),
        ("curriculum.pdf", b"", "is empty"),
    ],
)
def test_a_refused_file_is_explained_next_to_the_field_and_nothing_typed_is_lost(
    as_user, school, leader, name, content, message
):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    response = _post(
        as_user(leader), _pillar_url(school, application, pillar), upload(name, content)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors["file"])
    page = response.content.decode()
    # The message sits with the file field; the statement, title and date are still there.
    assert "We teach two hours of PE a week." in page
    assert 'value="PE curriculum map"' in page
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "choose the file again" in page
    # All or nothing: neither the statement nor an item was saved.
    assert PillarStatement.objects.get(application=application, pillar=pillar).text == ""
    assert not Evidence.objects.exists()


def test_a_too_large_file_is_refused_on_the_page(as_user, school, leader, settings):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    big = upload("huge.pdf", pdf_bytes() + b"\x00" * MAX_UPLOAD_BYTES)
    response = _post(as_user(leader), _pillar_url(school, application, pillar), big)
    assert response.status_code == 400
    assert any("the limit is 10 MB" in e for e in response.context["form"].errors["file"])
    assert not Evidence.objects.exists()


def test_a_good_file_is_stored_under_a_random_name_without_a_public_url(
    as_user, client, school, leader
):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    response = _post(
        as_user(leader),
        _pillar_url(school, application, pillar),
        upload("PE Policy.pdf", pdf_bytes()),
    )
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert item.kind == Evidence.Kind.FILE
    assert item.content_type == "application/pdf"
    assert item.original_name == "PE Policy.pdf"
    assert item.file.name.startswith("accreditation/evidence/")
    assert "Policy" not in item.file.name and str(school.urn) not in item.file.name
    assert PillarStatement.objects.get(application=application, pillar=pillar).text == (
        "We teach two hours of PE a week."
    )
    # MEDIA_ROOT is never served.
    client.logout()
    assert client.get(f"/media/{item.file.name}").status_code == 404
    # The download goes through the rights-checked view, as an attachment.
    download = as_user(leader).get(
        reverse("accreditation:evidence", args=[school.urn, application.pk, item.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="PE Policy.pdf"' in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_link_or_a_note_is_evidence_too_and_only_one_per_item(as_user, school, leader):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    client = as_user(leader)
    url = _pillar_url(school, application, pillar)
    assert _post(client, url, None, url="https://example.org/pe").status_code == 302
    assert _post(client, url, None, note="In the PE office", title="Timetable").status_code == 302
    both = _post(client, url, None, note="Somewhere", url="https://example.org/x")
    assert both.status_code == 400
    assert list(Evidence.objects.order_by("pk").values_list("kind", flat=True)) == ["link", "note"]


def test_evidence_older_than_twelve_months_is_flagged(as_user, school, leader):
    application = draft_application(school, leader)
    pillar = application.framework.pillars.order_by("order").first()
    client = as_user(leader)
    old_day = timezone.localdate().replace(year=timezone.localdate().year - 2)
    _post(client, _pillar_url(school, application, pillar), None, note="Filed", dated=str(old_day))
    item = Evidence.objects.get()
    assert item.is_old
    page = client.get(_pillar_url(school, application, pillar)).content.decode()
    assert "Older than 12 months" in page
    future = _post(
        client,
        _pillar_url(school, application, pillar),
        None,
        note="Later",
        dated=str(timezone.localdate().replace(year=timezone.localdate().year + 1)),
    )
    assert future.status_code == 400
