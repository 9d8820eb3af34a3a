"""Checking and normalising an uploaded logo (content, not the file name, decides).

Only PNG and JPEG are accepted (never SVG, which can carry script); Pillow must decode the
whole image; it is shrunk to fit LOGO_BOX and re-encoded as PNG, which drops metadata and
anything appended to the file."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from wellschools.errors import DomainError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # refuse decompression bombs before decoding
LOGO_BOX = (600, 300)
LOGO_MIN_SIDE = 32
ACCEPTED_FORMATS = {"PNG", "JPEG"}


class LogoError(DomainError):
    pass


def logo_normalise(data: bytes) -> tuple[bytes, int, int]:
    """The logo as PNG bytes with its width and height; LogoError says what is wrong."""
    if not data:
        raise LogoError("The file is empty. Choose a PNG or JPEG image.")
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(
            f"The image is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{LOGO_MAX_BYTES // 1024 // 1024} MB."
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise LogoError("The file is not a PNG or JPEG image.") from error
    if kind not in ACCEPTED_FORMATS:
        raise LogoError("The logo must be a PNG or JPEG image.")
    if width * height > LOGO_MAX_PIXELS:
        raise LogoError("The image is too large. Use one under 5,000 by 5,000 pixels.")
    if min(width, height) < LOGO_MIN_SIDE:
        raise LogoError(f"The image is too small: at least {LOGO_MIN_SIDE} pixels on each side.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise LogoError("The image could not be read. Save it again as PNG or JPEG.") from error
    return out.getvalue(), image.width, image.height
