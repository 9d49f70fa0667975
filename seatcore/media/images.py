"""Posters by content, never by name: an upload is decoded with Pillow, refused unless it really
is a PNG, JPEG or WebP within the size limits, and re-encoded at the sizes the pages show.

Re-encoding is the point: what is stored is pixels we drew ourselves, so metadata, trailing bytes
and anything a crafted file hid in its chunks are gone, and an SVG (scriptable) is never served.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from seatcore.errors import PayloadTooLarge, ValidationFailed

ACCEPTED_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
# (name, width, height): the movie list's card and the movie page; 2:3 like a one-sheet poster.
POSTER_SIZES = (("list", 200, 300), ("detail", 400, 600))
JPEG_QUALITY = 85
# An upload's request body in the OpenAPI document: the file itself, any accepted type.
IMAGE_REQUEST_BODY = {
    "required": True,
    "description": "the image file itself, not a form: PNG, JPEG or WebP, checked by its content",
    "content": {
        f"image/{name.lower()}": {"schema": {"type": "string", "format": "binary"}}
        for name in sorted(ACCEPTED_FORMATS)
    },
}


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int
    max_side_px: int
    max_pixels: int  # width x height: a small file that decodes to a huge canvas is a bomb


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str
    width: int
    height: int
    data: bytes
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def refused(message: str, **details: object) -> ValidationFailed:
    return ValidationFailed(message, code="image_invalid", **details)


def decode_poster(data: bytes, limits: ImageLimits) -> Image.Image:
    """The upload as an RGB image, or ``image_invalid`` / ``payload_too_large``."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(f"the image is larger than {limits.max_bytes} bytes", limit=limits.max_bytes)
    if not data:
        raise refused("send the image as the request body")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here both are refusals.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise refused("the image decodes to too many pixels", max_pixels=limits.max_pixels) from None
        except (OSError, SyntaxError, ValueError):
            raise refused("not a PNG, JPEG or WebP image", accepted=sorted(ACCEPTED_FORMATS)) from None
        width, height = image.size  # read from the header, before any pixel is decoded
        if width * height > limits.max_pixels:
            raise refused("the image decodes to too many pixels", max_pixels=limits.max_pixels)
        if max(width, height) > limits.max_side_px:
            raise refused(
                f"the image is wider or taller than {limits.max_side_px} px", width=width, height=height
            )
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise refused("the image decodes to too many pixels", max_pixels=limits.max_pixels) from None
        except (OSError, SyntaxError, ValueError):
            raise refused("the image is damaged or truncated") from None
    upright = ImageOps.exif_transpose(image)  # phones store portrait shots sideways plus a flag
    return _flattened(upright)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, transparency laid over black (a poster's usual backdrop)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        backdrop = Image.new("RGB", image.size, (0, 0, 0))
        backdrop.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return backdrop
    return image.convert("RGB")


def poster_renditions(data: bytes, limits: ImageLimits) -> list[Rendition]:
    """The poster at each page size, cropped to 2:3 around the centre, as JPEG."""
    image = decode_poster(data, limits)
    found = []
    for name, width, height in POSTER_SIZES:
        fitted = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        fitted.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        found.append(Rendition(name, width, height, out.getvalue()))
    return found
