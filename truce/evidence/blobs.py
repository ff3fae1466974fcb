"""The content-addressed, write-once file store under ``evidence/``.

A file is received into ``incoming/`` while its SHA-256 is computed and its size capped, then
made read-only (mode 0444), flushed to disk and *linked* to its final name
``originals/<first two hex digits>/<sha256 hex>`` (or ``derived/...``). Linking never replaces
an existing file, so a stored file is never overwritten; a second copy of the same bytes is
simply dropped. Stored files carry no extension and no execute permission.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from truce.errors import EvidenceRejected, IntegrityViolation, StorageError

READ_ONLY = 0o444
"""File mode of every stored file."""

_BLOCK = 1 << 20


@dataclass(frozen=True)
class Received:
    """A file received into ``incoming/``: its hash, size, first bytes and temporary path."""

    sha256: bytes
    size: int
    head: bytes
    path: Path


def file_sha256(path: Path) -> bytes:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            digest.update(block)
    return digest.digest()


class BlobStore:
    """Write-once files by SHA-256 in two areas: ``originals`` and ``derived``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, area: str, sha256: bytes) -> Path:
        """Where the file with ``sha256`` lives in ``area`` (originals or derived)."""
        if area not in ("originals", "derived"):
            raise StorageError(f"no evidence area {area!r}")
        digest = sha256.hex()
        return self.root / area / digest[:2] / digest

    def receive(self, source: BinaryIO, max_bytes: int, head_bytes: int) -> Received:
        """Copy a stream into ``incoming/``, hashing it; refuse it past ``max_bytes``."""
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        temp = incoming / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with temp.open("xb") as target:
                while block := source.read(_BLOCK):
                    size += len(block)
                    if size > max_bytes:
                        raise EvidenceRejected(
                            f"the file is larger than the limit of {max_bytes} bytes "
                            "(setting evidence.max_bytes)"
                        )
                    if len(head) < head_bytes:
                        head += block[: head_bytes - len(head)]
                    digest.update(block)
                    target.write(block)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return Received(digest.digest(), size, head, temp)

    def keep(self, received: Received, area: str = "originals") -> Path:
        """Move a received file to its final read-only place (dropping it if already there)."""
        final = self.path(area, received.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(received.path, READ_ONLY)
        try:
            os.link(received.path, final)
        except FileExistsError:
            if file_sha256(final) != received.sha256:
                raise IntegrityViolation(
                    f"{final} exists but its content does not match its name"
                ) from None
        finally:
            received.path.unlink(missing_ok=True)
        _sync_folder(final.parent)
        return final

    def discard(self, received: Received) -> None:
        """Delete a received file that will not be kept."""
        received.path.unlink(missing_ok=True)

    def put_bytes(self, data: bytes, area: str = "derived") -> tuple[bytes, Path]:
        """Store bytes made by truce (a derivative); return their hash and path."""
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        temp = incoming / f"{secrets.token_hex(16)}.part"
        with temp.open("xb") as target:
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        digest = hashlib.sha256(data).digest()
        return digest, self.keep(Received(digest, len(data), data[:0], temp), area)


def _sync_folder(folder: Path) -> None:
    """Make a new directory entry durable."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
