"""Uploads (accreditation evidence, practice-story attachments): the type is judged from
the file's content, never from its name. In the platform so every app uses the same rules.

Accepted: PDF; Word, Excel and PowerPoint (the current zip-based formats, checked by the
package's own parts, and the legacy OLE formats, checked by their main stream); PNG, JPEG,
GIF and WebP images. Refused with a message a school leader understands: empty files,
files over the limit, programs (Windows, Linux, macOS, scripts), web pages (HTML, SVG,
XML), macro-enabled Office files, archives, anything unrecognised, and a file whose name
claims one type while its content is another.

The standard library is enough here and is stricter than a magic-number table: an OOXML
file is a zip whose ``[Content_Types].xml`` and main part are looked up in the zip's
directory (nothing is decompressed), and an OLE file must hold a Word, Excel or PowerPoint
stream (an .msi installer is an OLE file too).
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_LABEL = "10 MB"


class UploadRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileType:
    label: str
    mime: str
    extension: str
    # Names a file of this type may have (lower case, with the dot).
    extensions: tuple[str, ...]


PDF = FileType("PDF document", "application/pdf", ".pdf", (".pdf",))
DOCX = FileType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    (".docx",),
)
XLSX = FileType(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    (".xlsx",),
)
PPTX = FileType(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    (".pptx",),
)
DOC = FileType("Word 97–2003 document", "application/msword", ".doc", (".doc", ".dot"))
XLS = FileType("Excel 97–2003 workbook", "application/vnd.ms-excel", ".xls", (".xls", ".xlt"))
PPT = FileType(
    "PowerPoint 97–2003 presentation", "application/vnd.ms-powerpoint", ".ppt", (".ppt", ".pps")
)
PNG = FileType("PNG image", "image/png", ".png", (".png",))
JPEG = FileType("JPEG image", "image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe", ".jfif"))
GIF = FileType("GIF image", "image/gif", ".gif", (".gif",))
WEBP = FileType("WebP image", "image/webp", ".webp", (".webp",))

ACCEPTED_LABEL = "PDF, Word, Excel, PowerPoint, or a PNG, JPEG, GIF or WebP image"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OLE directory entries hold stream names in UTF-16LE.
_OLE_STREAMS = [
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("Book".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
]
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe, .dll, .scr
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # a script
)


def _head(upload: IO[bytes], size: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _ooxml_type(upload: IO[bytes]) -> FileType:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(
            "This file looks like a damaged Word, Excel, PowerPoint or zip file. Open it, save "
            "it again and upload the new copy."
        ) from None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise UploadRefused(
                "This Office file contains macros, which cannot be accepted. Save it as a "
                "normal document (.docx, .xlsx or .pptx) or as a PDF and upload that."
            )
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        if "ppt/presentation.xml" in names:
            return PPTX
    raise UploadRefused(
        "This is a zip archive, not a document. Upload the documents inside it one by one "
        f"({ACCEPTED_LABEL})."
    )


def _ole_type(upload: IO[bytes]) -> FileType:
    upload.seek(0)
    tail = b""
    try:
        while chunk := upload.read(1024 * 1024):
            window = tail + chunk
            for marker, file_type in _OLE_STREAMS:
                if marker in window:
                    return file_type
            tail = window[-64:]
    finally:
        upload.seek(0)
    raise UploadRefused(
        "This file is not a Word, Excel or PowerPoint document (it may be an installer). "
        f"Upload a {ACCEPTED_LABEL} file."
    )


def sniff(upload: IO[bytes]) -> FileType:
    """The type of the file's content, or UploadRefused with the reason."""
    head = _head(upload)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(upload)
    if head.startswith(_OLE_MAGIC):
        return _ole_type(upload)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRefused(
            "This file is a program, not a document, whatever its name says. Programs cannot "
            f"be uploaded as evidence: upload a {ACCEPTED_LABEL} file."
        )
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text.startswith(b"<"):  # <!doctype html>, <html>, <svg>, <?xml ...>
        raise UploadRefused(
            "This file is a web page (HTML, SVG or XML), which cannot be accepted as evidence. "
            "Save or print the page as a PDF and upload that, or add it as a link."
        )
    raise UploadRefused(
        f"We could not recognise this file. Upload a {ACCEPTED_LABEL} file "
        "(the type is read from the file itself, not its name)."
    )


def check_upload(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> FileType:
    """Check an uploaded file (Django's UploadedFile): size first, then content, then that
    its name does not claim a different type. Returns the type or raises UploadRefused."""
    if upload.size == 0:
        raise UploadRefused("This file is empty. Choose the file again, or another one.")
    if upload.size > max_bytes:
        raise UploadRefused(
            f"This file is {upload.size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_LABEL}. "
            "Make it smaller (for example save a PDF with reduced size) or add a link to it."
        )
    file_type = sniff(upload)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix and suffix not in file_type.extensions:
        raise UploadRefused(
            f"This file is named “{PurePath(upload.name).name}” but it is a "
            f"{file_type.label}: its name and its content do not match. Rename it to end in "
            f"{file_type.extension} if that is right, and upload it again."
        )
    return file_type


def download_name(original: str, file_type_mime: str) -> str:
    """A safe download name: the original stem and the extension of the real type."""
    stem = PurePath(original or "evidence").stem or "evidence"
    stem = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in stem).strip()[:80]
    extension = next(
        (t.extension for t in _ALL if t.mime == file_type_mime),
        "",
    )
    return f"{stem or 'evidence'}{extension}"


_ALL = (PDF, DOCX, XLSX, PPTX, DOC, XLS, PPT, PNG, JPEG, GIF, WEBP)
