"""What a file is, from its first bytes (magic numbers), never from its name.

An allow-list: images, audio, video, PDF and plain text are accepted; everything else is
refused with :class:`~truce.errors.EvidenceRejected` saying what it looked like. Archives of
every kind (ZIP and the formats built on it such as .docx, .xlsx, .odt, .apk and .jar; tar,
gzip, bzip2, xz, zstd, 7-Zip, RAR, CAB) are refused rather than unpacked: an archive has to be
unpacked by the person adding it, and each file added on its own, so each gets its own hash
and chain of custody and no decompression bomb reaches the store. Executables (ELF, PE,
Mach-O, Java class, WebAssembly), Windows shortcuts and OLE2 documents (legacy Office files,
which may carry macros) are refused. Text (UTF-8 without NUL bytes) is accepted as
``text/plain`` whatever it contains: HTML, SVG or a script are stored, never rendered, served
as markup or run.
"""

from __future__ import annotations

from dataclasses import dataclass

from truce.errors import EvidenceRejected

HEAD_BYTES = 8192
"""How many leading bytes :func:`sniff` needs."""


@dataclass(frozen=True)
class MediaType:
    """A recognised type: its MIME name and its family (image, audio, video, document, text)."""

    name: str
    family: str


_ZIP = "a ZIP archive (or a format built on ZIP: .docx, .xlsx, .odt, .epub, .apk, .jar)"
_REFUSED: tuple[tuple[int, bytes, str], ...] = (
    (0, b"PK\x03\x04", _ZIP),
    (0, b"PK\x05\x06", _ZIP),
    (0, b"PK\x07\x08", _ZIP),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x1f\x8b", "a gzip-compressed file"),
    (0, b"BZh", "a bzip2-compressed file"),
    (0, b"\xfd7zXZ\x00", "an xz-compressed file"),
    (0, b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (0, b"\x04\x22\x4d\x18", "an LZ4-compressed file"),
    (0, b"\x1f\x9d", "a compress (.Z) file"),
    (0, b"LZIP", "an lzip-compressed file"),
    (0, b"MSCF", "a Microsoft Cabinet archive"),
    (0, b"!<arch>\n", "an ar archive (or a .deb package)"),
    (257, b"ustar", "a tar archive"),
    (0, b"\x7fELF", "an ELF executable"),
    (0, b"MZ", "a Windows executable (PE/DOS)"),
    (0, b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (0, b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (0, b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (0, b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class file"),
    (0, b"\x00asm", "a WebAssembly module"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (legacy Office, may hold macros)"),
    (0, b"L\x00\x00\x00\x01\x14\x02\x00", "a Windows shortcut"),
)

_SIMPLE: tuple[tuple[bytes, MediaType], ...] = (
    (b"\xff\xd8\xff", MediaType("image/jpeg", "image")),
    (b"\x89PNG\r\n\x1a\n", MediaType("image/png", "image")),
    (b"GIF87a", MediaType("image/gif", "image")),
    (b"GIF89a", MediaType("image/gif", "image")),
    (b"II*\x00", MediaType("image/tiff", "image")),
    (b"MM\x00*", MediaType("image/tiff", "image")),
    (b"%PDF-", MediaType("application/pdf", "document")),
    (b"fLaC", MediaType("audio/flac", "audio")),
    (b"OggS", MediaType("audio/ogg", "audio")),
    (b"ID3", MediaType("audio/mpeg", "audio")),
    (b"#!AMR\n", MediaType("audio/amr", "audio")),
    (
        b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c",
        MediaType("video/x-ms-asf", "video"),
    ),
)

_RIFF = {
    b"WEBP": MediaType("image/webp", "image"),
    b"WAVE": MediaType("audio/wav", "audio"),
    b"AVI ": MediaType("video/x-msvideo", "video"),
}

_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


def sniff(head: bytes) -> MediaType:
    """The media type of a file from its first :data:`HEAD_BYTES` bytes, or a refusal."""
    if not head:
        raise EvidenceRejected("the file is empty")
    for offset, magic, what in _REFUSED:
        if head.startswith(magic, offset):
            raise EvidenceRejected(
                f"the content is {what}; archives, compressed files and executables are refused"
            )
    for magic, media in _SIMPLE:
        if head.startswith(magic):
            return media
    found = _riff(head) or _iso_media(head) or _matroska(head) or _audio_frames(head)
    if found is not None:
        return found
    if _is_text(head):
        return MediaType("text/plain", "text")
    raise EvidenceRejected(
        "the file's type is not recognised from its content (accepted: images, audio, video, "
        "PDF and UTF-8 text)"
    )


def _riff(head: bytes) -> MediaType | None:
    if head.startswith(b"RIFF"):
        return _RIFF.get(head[8:12])
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return MediaType("audio/aiff", "audio")
    return None


def _iso_media(head: bytes) -> MediaType | None:
    """ISO base media files (MP4, MOV, 3GP, M4A, HEIF) by their ``ftyp`` brand."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            return MediaType("image/heif", "image")
        if brand in _AUDIO_BRANDS:
            return MediaType("audio/mp4", "audio")
        if brand == b"qt  ":
            return MediaType("video/quicktime", "video")
        if brand.startswith((b"3gp", b"3g2")):
            return MediaType("video/3gpp", "video")
        return MediaType("video/mp4", "video")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return MediaType("video/quicktime", "video")
    return None


def _matroska(head: bytes) -> MediaType | None:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return MediaType("video/webm", "video")
        return MediaType("video/x-matroska", "video")
    return None


def _audio_frames(head: bytes) -> MediaType | None:
    """MPEG audio or ADTS AAC frames without a tag: a frame sync followed by another."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    if head[1] & 0x06 == 0:  # layer bits 00: ADTS (AAC)
        return MediaType("audio/aac", "audio")
    if head[1] & 0x18 == 0x08 or head[2] & 0xF0 == 0xF0:  # reserved version, bad bitrate
        return None
    return MediaType("audio/mpeg", "audio")


def _is_text(head: bytes) -> bool:
    """UTF-8 (a character cut at the end of ``head`` allowed) with no NUL or other C0 controls."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    allowed = {"\t", "\n", "\r", "\f"}
    return not any(ord(c) < 32 and c not in allowed for c in text)
