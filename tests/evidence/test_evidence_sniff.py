"""Evidence type by content, never by name: the allow-list and the refusals."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from truce.errors import EvidenceRejected
from truce.evidence.sniff import HEAD_BYTES, sniff


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


def _tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heif"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", "video/quicktime"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", "audio/mp4"),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\x82\x84webm", "video/webm"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video/x-msvideo"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00", "audio/mpeg"),
        (b"%PDF-1.7\n", "application/pdf"),
        ("Свідчення: обстріл о 14:00\n".encode(), "text/plain"),
        (b"<html><script>alert(1)</script></html>", "text/plain"),
        (b"#!/bin/sh\nrm -rf /\n", "text/plain"),
    ],
)
def test_accepted_types(head: bytes, media_type: str) -> None:
    assert sniff(head).name == media_type


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (_zip(), "ZIP archive"),
        (_tar(), "tar archive"),
        (gzip.compress(b"hello", mtime=0), "gzip"),
        (b"Rar!\x1a\x07\x01\x00", "RAR"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7-Zip"),
        (b"\x7fELF\x02\x01\x01", "ELF executable"),
        (b"MZ\x90\x00\x03\x00", "Windows executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00", "Mach-O"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "OLE2"),
        (b"\x00asm\x01\x00\x00\x00", "WebAssembly"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_archives_and_executables_are_refused(content: bytes, named: str) -> None:
    with pytest.raises(EvidenceRejected, match=named):
        sniff(content[:HEAD_BYTES])


def test_unknown_binary_and_empty_files_are_refused() -> None:
    with pytest.raises(EvidenceRejected, match="not recognised"):
        sniff(bytes(range(256)))
    with pytest.raises(EvidenceRejected, match="empty"):
        sniff(b"")


def test_utf8_cut_at_the_end_of_the_head_is_still_text() -> None:
    head = ("а" * (HEAD_BYTES // 2)).encode()[: HEAD_BYTES - 1]
    assert sniff(head).name == "text/plain"
