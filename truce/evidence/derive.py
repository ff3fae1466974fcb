"""Working copies of image evidence: a thumbnail and a location-stripped public copy.

Both are made from the decoded pixels (EXIF orientation applied) and written with no metadata
at all, so the public copy carries no GPS position, camera serial or time; it is JPEG (quality
95) when the original is JPEG, PNG otherwise, and of an animation only the first frame. The
original is never touched; the copies are stored as separate files linked to its hash.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from truce.evidence.metadata import open_image


@dataclass(frozen=True)
class Derivative:
    """A working copy's role, bytes and media type."""

    role: str
    data: bytes
    media_type: str


ROLES: tuple[str, ...] = ("thumbnail", "public-copy")
"""The derivatives made of every readable image."""


def image_derivatives(path: Path, max_pixels: int, thumbnail_pixels: int) -> list[Derivative]:
    """The thumbnail and public copy of the image at ``path`` (none if it cannot be decoded)."""
    try:
        with open_image(path, max_pixels) as image:
            source_format = image.format
            image.seek(0)
            pixels = ImageOps.exif_transpose(image)
            pixels.load()
    except Exception:  # an undecodable image keeps its original only
        return []
    public = _public_copy(pixels, source_format)
    thumbnail = _thumbnail(pixels, thumbnail_pixels)
    return [thumbnail, public]


def _flat(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _public_copy(image: Image.Image, source_format: str | None) -> Derivative:
    buffer = io.BytesIO()
    if source_format == "JPEG":
        _flat(image).save(buffer, "JPEG", quality=95)
        return Derivative("public-copy", buffer.getvalue(), "image/jpeg")
    clean = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
    clean.save(buffer, "PNG")
    return Derivative("public-copy", buffer.getvalue(), "image/png")


def _thumbnail(image: Image.Image, longest_side: int) -> Derivative:
    small = _flat(image).copy()
    small.thumbnail((longest_side, longest_side))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=85)
    return Derivative("thumbnail", buffer.getvalue(), "image/jpeg")
