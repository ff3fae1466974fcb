"""Canonical content of every ledgered record, its hashes, and the ledger leaf that stands for it.

**Canonical JSON** is UTF-8 JSON with object keys sorted, no whitespace, non-ASCII characters
as themselves (not ``\\u`` escapes) and numbers as Python writes them (integers exactly, floats
as the shortest text that reads back as the same double).

**Leaf data** (the bytes hashed into the RFC 9162 tree as SHA-256(0x00 || data)) is the
canonical JSON object::

    {"content_sha256": "<hex>", "id": <record id>, "kind": "<kind>", "v": 1}

with ``"file_sha256": "<hex>"`` added for evidence (the hash of the original file itself).
Kinds: ``event``, ``evidence``, ``custody``, ``finding``.

**Content hashes**, SHA-256 of canonical JSON:

* an event's ``row_hash`` covers what the row says, in ``EVENT_SCHEMA`` order without the two
  ids a reader may derive from the line number (``event_id``, ``source_record``), times as
  microseconds and claims as their JSON text::

      [source, time_start, time_end, time_zone, time_precision, lon, lat, precision_m, area_id,
       area_precision, kind, weapon_class, target, target_class, outcome, claims, deaths,
       injured, quantity, text, link, raw]

  and its ``content_hash`` covers that and the ids: ``["events/1", row_hash hex, event_id,
  source_record]``. ``(source, row_hash)`` is the row's identity for idempotent imports;
* evidence, custody events and findings hash a JSON object of their columns (hashes in hex),
  tagged ``"schema": "evidence/1"`` and so on (see the ``*_content`` functions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LEAF_VERSION = 1
"""The ``v`` of the leaf data format described in the module docstring."""

KINDS: tuple[str, ...] = ("event", "evidence", "custody", "finding")
"""The kinds of record that have ledger leaves."""

ROW_COLUMNS: tuple[str, ...] = (
    "source",
    "time_start",
    "time_end",
    "time_zone",
    "time_precision",
    "lon",
    "lat",
    "precision_m",
    "area_id",
    "area_precision",
    "kind",
    "weapon_class",
    "target",
    "target_class",
    "outcome",
    "claims",
    "deaths",
    "injured",
    "quantity",
    "text",
    "link",
    "raw",
)
"""The event columns an event's ``row_hash`` covers, in order."""

_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=True
).encode


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes (see the module docstring)."""
    return _encode(value).encode("utf-8", "surrogatepass")


def sha256(data: bytes) -> bytes:
    """The SHA-256 digest of ``data``."""
    return hashlib.sha256(data).digest()


def event_row_hash(values: Sequence[Any]) -> bytes:
    """The ``row_hash`` of an event from its :data:`ROW_COLUMNS` values in order."""
    return hashlib.sha256(_encode(list(values)).encode("utf-8", "surrogatepass")).digest()


def event_content_hash(row_hash: bytes, event_id: str, source_record: str) -> bytes:
    """The ``content_hash`` of an event: its row hash and its two ids."""
    return sha256(canonical_json(["events/1", row_hash.hex(), event_id, source_record]))


def claims_json(claims: Sequence[Mapping[str, Any]] | None) -> str:
    """The claims of an event as the JSON text stored in the ``claims`` column."""
    if not claims:
        return "[]"
    return _encode([dict(claim) for claim in claims])


def evidence_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of an evidence row."""
    return canonical_json(
        {
            "schema": "evidence/1",
            "sha256": bytes(row["sha256"]).hex(),
            "size": row["size"],
            "media_type": row["media_type"],
            "original_name": row["original_name"],
            "received_at": row["received_at"],
            "received_by": row["received_by"],
        }
    )


def custody_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of a custody event row."""
    return canonical_json(
        {
            "schema": "custody/1",
            "evidence_id": row["evidence_id"],
            "action": row["action"],
            "actor": row["actor"],
            "at": row["at"],
            "hash_before": _hex(row["hash_before"]),
            "hash_after": _hex(row["hash_after"]),
            "detail": row["detail"],
        }
    )


def finding_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of a finding row."""
    return canonical_json(
        {
            "schema": "finding/1",
            "type": row["type"],
            "message": row["message"],
            "data": row["data"],
            "created_at": row["created_at"],
        }
    )


def _hex(value: bytes | None) -> str | None:
    return None if value is None else bytes(value).hex()


@dataclass(frozen=True, slots=True)
class LeafRecord:
    """What one ledger leaf says: a record's kind, id, content hash (and file hash)."""

    kind: str
    record_id: int
    content_hash: bytes
    file_sha256: bytes | None = None

    def data(self) -> bytes:
        """The leaf data: canonical JSON (see the module docstring)."""
        return leaf_data(self.kind, self.record_id, self.content_hash, self.file_sha256)

    @property
    def ref(self) -> str:
        """The record's reference ``kind:id``, as the command line takes it."""
        return f"{self.kind}:{self.record_id}"


def leaf_data(
    kind: str, record_id: int, content_hash: bytes, file_sha256: bytes | None = None
) -> bytes:
    """The leaf data of a record."""
    if file_sha256 is None:
        # the same bytes canonical_json would produce, without its cost (hot path of imports)
        return (
            f'{{"content_sha256":"{content_hash.hex()}","id":{record_id},'
            f'"kind":"{kind}","v":{LEAF_VERSION}}}'
        ).encode()
    return canonical_json(
        {
            "content_sha256": content_hash.hex(),
            "file_sha256": file_sha256.hex(),
            "id": record_id,
            "kind": kind,
            "v": LEAF_VERSION,
        }
    )


def parse_leaf_data(data: bytes) -> LeafRecord:
    """The record a leaf's data stands for; ``ValueError`` if it is not leaf data."""
    value = json.loads(data)
    if not isinstance(value, dict) or value.get("v") != LEAF_VERSION:
        raise ValueError("not version-1 truce leaf data")
    if canonical_json(value) != data:
        raise ValueError("leaf data is not canonical JSON")
    file_hash = value.get("file_sha256")
    record = LeafRecord(
        str(value["kind"]),
        int(value["id"]),
        bytes.fromhex(value["content_sha256"]),
        bytes.fromhex(file_hash) if file_hash is not None else None,
    )
    if set(value) - {"content_sha256", "file_sha256", "id", "kind", "v"}:
        raise ValueError("leaf data has unknown keys")
    return record


def parse_ref(ref: str) -> tuple[str, int]:
    """``(kind, id)`` from a record reference ``kind:id`` (``leaf:N`` names a leaf index)."""
    kind, sep, number = ref.partition(":")
    if not sep or not number.isdigit() or kind not in (*KINDS, "leaf"):
        kinds = ", ".join((*KINDS, "leaf"))
        raise ValueError(f"record reference {ref!r} is not KIND:ID with KIND one of {kinds}")
    return kind, int(number)
