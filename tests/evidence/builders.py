"""Evidence files made on the spot: a geotagged JPEG, a WAV recording, an image bomb header."""

from __future__ import annotations

import struct
import wave
import zlib
from pathlib import Path

from PIL import ExifTags, Image


def geotagged_jpeg(path: Path, colour: tuple[int, int, int] = (200, 10, 10)) -> Path:
    """A 640x480 JPEG with camera time, make, orientation 6 and a GPS position in EXIF."""
    image = Image.new("RGB", (640, 480), colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 30.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (37.0, 45.0, 36.0)
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    inner[ExifTags.Base.DateTimeOriginal] = "2025:03:18 12:34:56"
    inner[ExifTags.Base.OffsetTimeOriginal] = "+02:00"
    image.save(path, "JPEG", exif=exif)
    return path


def wav_recording(path: Path, seconds: float = 1.5, rate: int = 8000) -> Path:
    """A silent mono 16-bit WAV file of ``seconds``."""
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


def png_bomb_header(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A tiny PNG file that claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
    path.write_bytes(data + chunk(b"IEND", b""))
    return path
