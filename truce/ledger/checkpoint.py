"""Signed checkpoints: a log's size and root hash at a moment, signed with Ed25519.

The signed bytes (the checkpoint *body*) are the C2SP ``tlog-checkpoint`` text with one
extension line, UTF-8, every line ending in ``\\n``::

    <origin>\\n                       e.g. "truce.example/ledger/donbas-2025"
    <tree size, decimal>\\n           no sign, no leading zeros, below 2**64
    <root hash, standard base64>\\n   32 bytes, padded ("=") canonical encoding
    time <YYYY-MM-DDTHH:MM:SSZ>\\n    UTC, whole seconds

The origin is non-empty printable text with no whitespace and no ``+``. A checkpoint of size 0
must carry the empty-tree root.

It travels as a C2SP ``signed-note``: the body, one empty line, then one line per signature::

    — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\\n

where ``—`` is U+2014 EM DASH and the signature covers exactly the body bytes. The key id is the
note key hash ``SHA-256(key name || "\\n" || 0x01 || raw 32-byte public key)[:4]``; the key name
defaults to the origin. Other signature lines (witness cosignatures) are ignored. A verifier
key can be written as the note ``vkey`` string ``<name>+<key id hex>+<base64(0x01 || key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from truce.errors import LedgerError, ProofInvalid
from truce.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency

ED25519_ALGORITHM = b"\x01"
"""The signed-note signature-type byte for Ed25519."""

KEY_ID_SIZE = 4
"""Length in bytes of a key id."""

SIGNATURE_SIZE = 64
"""Length in bytes of an Ed25519 signature."""

MAX_SIGNATURES = 100
"""Most signature lines a note may carry before it is refused."""

_SIGNATURE_PREFIX = "\u2014 "
_SIZE_LINE = re.compile(r"0|[1-9][0-9]{0,19}")
_TIME_LINE = re.compile(r"time (\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")
_MAX_SIZE = 2**64 - 1


def _check_name(kind: str, name: str) -> None:
    if not name or not name.isprintable() or any(c.isspace() or c == "+" for c in name):
        raise LedgerError(f"{kind} {name!r} must be non-empty printable text without spaces or '+'")


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size and root hash at a UTC time (whole seconds)."""

    origin: str
    size: int
    root_hash: bytes
    timestamp: datetime

    def __post_init__(self) -> None:
        _check_name("origin", self.origin)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise LedgerError(f"tree size must be an integer, got {self.size!r}")
        if not 0 <= self.size <= _MAX_SIZE:
            raise LedgerError(f"tree size {self.size} is outside 0..2**64-1")
        if len(self.root_hash) != HASH_SIZE:
            raise LedgerError(f"root hash is {len(self.root_hash)} bytes, expected {HASH_SIZE}")
        if self.size == 0 and self.root_hash != EMPTY_ROOT:
            raise LedgerError("a checkpoint of size 0 must carry the empty-tree root hash")
        if self.timestamp.tzinfo is None:
            raise LedgerError("checkpoint time must be timezone-aware")
        moment = self.timestamp.astimezone(UTC).replace(microsecond=0)
        object.__setattr__(self, "timestamp", moment)

    def to_body(self) -> bytes:
        """The canonical bytes that are signed (see the module docstring)."""
        t = self.timestamp
        root = base64.b64encode(self.root_hash).decode("ascii")
        time_line = (
            f"time {t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
            f"{t.second:02d}Z"
        )
        return f"{self.origin}\n{self.size}\n{root}\n{time_line}\n".encode()

    @classmethod
    def from_body(cls, body: bytes) -> Checkpoint:
        """Parse canonical checkpoint bytes; raise :class:`LedgerError` if malformed."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LedgerError(f"checkpoint is not UTF-8: {exc}") from None
        if not text.endswith("\n"):
            raise LedgerError("checkpoint does not end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) != 4:
            raise LedgerError(f"checkpoint has {len(lines)} lines, expected 4")
        origin, size_line, root_line, time_line = lines
        if not _SIZE_LINE.fullmatch(size_line):
            raise LedgerError(f"checkpoint size line {size_line!r} is not a canonical number")
        root_hash = _decode_base64("checkpoint root hash", root_line)
        match = _TIME_LINE.fullmatch(time_line)
        if match is None:
            raise LedgerError(
                f"checkpoint time line {time_line!r} is not 'time YYYY-MM-DDTHH:MM:SSZ'"
            )
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as exc:
            raise LedgerError(f"checkpoint time {time_line!r}: {exc}") from None
        checkpoint = cls(origin, int(size_line), root_hash, moment)
        if checkpoint.to_body() != body:
            raise LedgerError("checkpoint is not in canonical form")
        return checkpoint


def _decode_base64(what: str, text: str) -> bytes:
    """Strict standard base64 that must re-encode to the same text."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise LedgerError(f"{what} is not valid base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise LedgerError(f"{what} is not canonical base64")
    return raw


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def public_key_to_raw(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its 32 raw bytes."""
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise LedgerError(f"not a raw Ed25519 public key: {exc}") from None


def public_key_to_pem(public_key: Ed25519PublicKey) -> bytes:
    """An Ed25519 public key as PEM (SubjectPublicKeyInfo)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_from_pem(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; any other key type is refused."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise LedgerError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerError(f"PEM key is {type(key).__name__}, not Ed25519")
    return key


def private_key_to_pem(private_key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """An Ed25519 private key as PKCS#8 PEM, encrypted if a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def private_key_from_pem(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """An Ed25519 private key from PKCS#8 PEM; any other key type is refused."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as exc:
        raise LedgerError(f"not a usable PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerError(f"PEM key is {type(key).__name__}, not Ed25519")
    return key


def key_id(key_name: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key hash: SHA-256(name || "\\n" || 0x01 || key)[:4]."""
    material = key_name.encode() + b"\n" + ED25519_ALGORITHM + public_key_to_raw(public_key)
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


def verifier_key(key_name: str, public_key: Ed25519PublicKey) -> str:
    """The signed-note verifier key string ``name+keyid+base64(0x01 || key)``."""
    _check_name("key name", key_name)
    encoded = base64.b64encode(ED25519_ALGORITHM + public_key_to_raw(public_key)).decode()
    return f"{key_name}+{key_id(key_name, public_key).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """The key name and Ed25519 public key of a verifier key string, checking its key id."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise LedgerError("verifier key must be 'name+keyid+base64key'")
    name, id_hex, encoded = parts
    _check_name("key name", name)
    material = _decode_base64("verifier key", encoded)
    if material[:1] != ED25519_ALGORITHM:
        raise LedgerError("verifier key is not an Ed25519 key (type byte 0x01)")
    public_key = public_key_from_raw(material[1:])
    if id_hex != key_id(name, public_key).hex():
        raise LedgerError("verifier key id does not match its name and key")
    return name, public_key


def sign_checkpoint(
    checkpoint: Checkpoint, private_key: Ed25519PrivateKey, key_name: str | None = None
) -> bytes:
    """The checkpoint as a signed note, signed under ``key_name`` (default: its origin)."""
    name = checkpoint.origin if key_name is None else key_name
    _check_name("key name", name)
    body = checkpoint.to_body()
    blob = key_id(name, private_key.public_key()) + private_key.sign(body)
    line = f"{_SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"
    return body + b"\n" + line.encode()


def _split_note(note: bytes) -> tuple[bytes, list[str]]:
    """The body and signature lines of a signed note."""
    cut = note.rfind(b"\n\n")
    if cut < 0:
        raise ProofInvalid("signed note has no empty line before its signatures")
    body, signature_block = note[: cut + 1], note[cut + 2 :]
    try:
        text = signature_block.decode("utf-8")
    except UnicodeDecodeError:
        raise ProofInvalid("signature lines are not UTF-8") from None
    if not text.endswith("\n"):
        raise ProofInvalid("signature block does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ProofInvalid(f"signed note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return body, lines


def _find_signature(lines: Sequence[str], name: str, wanted_id: bytes) -> bytes:
    """The signature by the key (name, id) among the note's signature lines."""
    for number, line in enumerate(lines, start=1):
        if not line.startswith(_SIGNATURE_PREFIX):
            raise ProofInvalid(f"signature line {number} does not start with an em dash and space")
        fields = line[len(_SIGNATURE_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise ProofInvalid(f"signature line {number} is not '— <name> <base64>'")
        line_name, encoded = fields
        try:
            blob = _decode_base64(f"signature line {number}", encoded)
        except LedgerError as exc:
            raise ProofInvalid(str(exc)) from None
        if line_name != name or blob[:KEY_ID_SIZE] != wanted_id:
            continue
        if len(blob) != KEY_ID_SIZE + SIGNATURE_SIZE:
            raise ProofInvalid(
                f"signature line {number} holds {len(blob) - KEY_ID_SIZE} signature bytes, "
                f"expected {SIGNATURE_SIZE}"
            )
        return blob[KEY_ID_SIZE:]
    raise ProofInvalid(f"no signature by key {name!r} (key id {wanted_id.hex()})")


def verify_checkpoint(
    note: bytes, public_key: Ed25519PublicKey, key_name: str | None = None
) -> Checkpoint:
    """The checkpoint in a signed note, after checking its signature by ``public_key``.

    ``key_name`` defaults to the note's origin line. Every failure raises :class:`ProofInvalid`.
    """
    body, lines = _split_note(note)
    if key_name is None:
        key_name = body.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    signature = _find_signature(lines, key_name, key_id(key_name, public_key))
    try:
        public_key.verify(signature, body)
    except InvalidSignature:
        raise ProofInvalid(
            f"signature by key {key_name!r} does not verify over the checkpoint"
        ) from None
    try:
        return Checkpoint.from_body(body)
    except LedgerError as exc:
        raise ProofInvalid(f"signed checkpoint is malformed: {exc}") from None


def verify_checkpoint_chain(
    checkpoints: Sequence[bytes],
    consistency_proofs: Sequence[Sequence[bytes]],
    public_key: Ed25519PublicKey,
    key_name: str | None = None,
) -> list[Checkpoint]:
    """Verify signed checkpoints in order and the consistency proof between each pair.

    ``consistency_proofs[i]`` links ``checkpoints[i]`` to ``checkpoints[i + 1]``. All must be
    for the same origin, with sizes and times non-decreasing; equal sizes need equal roots
    (otherwise the log has forked) and an empty proof, as does a step from size 0.
    Returns the parsed checkpoints; any failure raises :class:`ProofInvalid`.
    """
    if len(consistency_proofs) != max(len(checkpoints) - 1, 0):
        raise ProofInvalid(
            f"{len(checkpoints)} checkpoints need {max(len(checkpoints) - 1, 0)} consistency "
            f"proofs, got {len(consistency_proofs)}"
        )
    parsed = []
    for number, note in enumerate(checkpoints):
        try:
            parsed.append(verify_checkpoint(note, public_key, key_name))
        except ProofInvalid as exc:
            raise ProofInvalid(f"checkpoint {number}: {exc}") from None
    for number, proof in enumerate(consistency_proofs):
        _verify_link(number, parsed[number], parsed[number + 1], proof)
    return parsed


def _verify_link(number: int, old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Check that checkpoint ``number + 1`` extends checkpoint ``number``."""
    where = f"checkpoints {number} -> {number + 1} (sizes {old.size} -> {new.size})"
    if new.origin != old.origin:
        raise ProofInvalid(f"{where}: origin changes from {old.origin!r} to {new.origin!r}")
    if new.size < old.size:
        raise ProofInvalid(f"{where}: the log shrank")
    if new.timestamp < old.timestamp:
        raise ProofInvalid(f"{where}: time goes back from {old.timestamp} to {new.timestamp}")
    if new.size == old.size and new.root_hash != old.root_hash:
        raise ProofInvalid(f"{where}: fork, the same size has two different roots")
    if old.size == 0 or new.size == old.size:
        if proof:
            raise ProofInvalid(f"{where}: the consistency proof must be empty")
        return
    try:
        verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    except ProofInvalid as exc:
        raise ProofInvalid(f"{where}: {exc}") from None
