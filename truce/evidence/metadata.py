"""Metadata read out of an evidence original, kept as a separate record (never written back).

* Images (Pillow): width and height, the format, and from EXIF the camera time
  (``DateTimeOriginal`` with ``OffsetTimeOriginal`` when present, else ``DateTime``), camera
  make and model, orientation, and the GPS position (latitude, longitude, altitude, GPS time).
  HEIF/AVIF are recognised but Pillow cannot open them without a plug-in: their metadata says so.
* Audio and video (tinytag, pure Python, MIT): duration in seconds, sample rate, channels and
  bit rate, for MP3, MP4/M4A/MOV, WAV, AIFF, FLAC, Ogg and ASF/WMA. Matroska/WebM, AVI, AMR,
  3GP without an ISO brand tinytag can read get no duration.
* Text: line count. PDF: nothing beyond size and type.

An image larger than ``max_pixels`` is refused at this step (:class:`EvidenceRejected`), before
any pixel is decoded. A file that cannot be parsed is kept anyway (it is still evidence): its
metadata records the parser's error.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, UnidentifiedImageError
from tinytag import TinyTag, TinyTagException

from truce.errors import EvidenceRejected
from truce.evidence.sniff import MediaType

EXTRACTOR = "truce-metadata/1 (Pillow, tinytag)"
"""Name and version of the extractor, stored with every metadata record."""

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769


def extract_metadata(path: Path, media: MediaType, max_pixels: int) -> dict[str, Any]:
    """What can be read out of the file at ``path`` of type ``media``."""
    data: dict[str, Any] = {"media_type": media.name, "family": media.family}
    if media.family == "image":
        data.update(_image(path, max_pixels))
    elif media.family in ("audio", "video"):
        data.update(_audio_video(path))
    elif media.family == "text":
        with path.open("rb") as stream:
            data["lines"] = sum(1 for _ in stream)
    return data


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open an image lazily after checking its pixel count against ``max_pixels``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise EvidenceRejected(f"the image is too large to open safely: {exc}") from None
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise EvidenceRejected(
            f"the image is {width} x {height} pixels, more than the limit of {max_pixels} "
            "(setting evidence.max_pixels)"
        )
    return image


def _image(path: Path, max_pixels: int) -> dict[str, Any]:
    try:
        image = open_image(path, max_pixels)
    except EvidenceRejected:
        raise
    except (UnidentifiedImageError, Exception) as exc:  # any failure on untrusted bytes
        return {"error": f"the image cannot be read: {exc}"}
    with image:
        data: dict[str, Any] = {
            "width": image.size[0],
            "height": image.size[1],
            "format": image.format,
        }
        try:
            exif = image.getexif()
        except Exception as exc:  # any failure of the EXIF parser on untrusted bytes
            data["exif_error"] = str(exc)
            return data
        camera = _camera(exif)
        if camera:
            data["camera"] = camera
        gps = _gps(exif)
        if gps:
            data["gps"] = gps
    return data


def _camera(exif: Image.Exif) -> dict[str, Any]:
    tags = ExifTags.Base
    inner = _ifd(exif, _EXIF_IFD)
    found = {
        "time": _text(inner.get(tags.DateTimeOriginal) or exif.get(tags.DateTime)),
        "time_offset": _text(inner.get(tags.OffsetTimeOriginal) or inner.get(tags.OffsetTime)),
        "make": _text(exif.get(tags.Make)),
        "model": _text(exif.get(tags.Model)),
        "software": _text(exif.get(tags.Software)),
        "orientation": exif.get(tags.Orientation),
    }
    return {key: value for key, value in found.items() if value is not None}


def _gps(exif: Image.Exif) -> dict[str, Any]:
    gps = _ifd(exif, _GPS_IFD)
    tags = ExifTags.GPS
    found: dict[str, Any] = {}
    lat = _degrees(gps.get(tags.GPSLatitude), gps.get(tags.GPSLatitudeRef), "S")
    lon = _degrees(gps.get(tags.GPSLongitude), gps.get(tags.GPSLongitudeRef), "W")
    if lat is not None and lon is not None:
        found["lat"], found["lon"] = lat, lon
    altitude = _number(gps.get(tags.GPSAltitude))
    if altitude is not None:
        below = gps.get(tags.GPSAltitudeRef) in (1, b"\x01")
        found["altitude_m"] = -altitude if below else altitude
    stamp, date = gps.get(tags.GPSTimeStamp), _text(gps.get(tags.GPSDateStamp))
    if date and isinstance(stamp, tuple) and len(stamp) == 3:
        parts = [_number(part) for part in stamp]
        if all(part is not None for part in parts):
            hour, minute, second = (float(p) for p in parts if p is not None)
            found["time_utc"] = f"{date} {int(hour):02d}:{int(minute):02d}:{second:06.3f}"
    return found


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except (KeyError, OSError, ValueError, TypeError):
        return {}


def _number(value: Any) -> float | None:
    try:
        number = float(Fraction(value)) if not isinstance(value, float) else value
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number == number else None


def _degrees(parts: Any, ref: Any, negative: str) -> float | None:
    if not isinstance(parts, tuple) or len(parts) != 3:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    degrees, minutes, seconds = (float(n) for n in numbers if n is not None)
    value = degrees + minutes / 60 + seconds / 3600
    reference = _text(ref)
    return round(-value if reference == negative else value, 7)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _audio_video(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            tag = TinyTag.get(file_obj=stream, tags=False, duration=True)
    except (TinyTagException, Exception) as exc:  # any failure of a parser on untrusted bytes
        return {"error": f"the duration cannot be read: {exc}"}
    found = {
        "duration_s": tag.duration,
        "sample_rate": tag.samplerate,
        "channels": tag.channels,
        "bitrate_kbps": tag.bitrate,
    }
    return {key: value for key, value in found.items() if value is not None}
