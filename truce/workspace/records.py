"""Canonical content of every ledgered record, its hashes, and the ledger leaf that stands for it.

**Canonical JSON** is UTF-8 JSON with object keys sorted, no whitespace, non-ASCII characters
as themselves (not ``\\u`` escapes) and numbers as Python writes them (integers exactly, floats
as the shortest text that reads back as the same double).

**Leaf data** (the bytes hashed into the RFC 9162 tree as SHA-256(0x00 || data)) is the
canonical JSON object::

    {"content_sha256": "<hex>", "id": <record id>, "kind": "<kind>", "v": 1}

with ``"file_sha256": "<hex>"`` added for evidence (the hash of the original file itself).
Kinds: ``event``, ``evidence``, ``custody``, ``finding``, ``decision`` (an analyst's grouping
decision), ``corroboration`` (a corroboration run).

**Content hashes**:

* an event's ``row_hash`` covers what the row says: the :data:`ROW_COLUMNS` (``EVENT_SCHEMA``
  without the two ids a reader may derive from the line number, ``event_id`` and
  ``source_record``), each value encoded as

  - null: ``~``
  - text: its length in UTF-8 bytes, ``:``, its UTF-8 bytes (claims: their JSON text)
  - integer (times in microseconds, deaths, injured, quantity): ``i`` and its decimal digits
  - float (lon, lat, precision_m; -0.0 is stored as 0.0): ``f`` and the decimal digits of its
    IEEE 754 binary64 bit pattern read as a signed 64-bit integer

  joined by ``,``; ``row_hash = SHA-256(encoding)``. ``(source, row_hash)`` is the row's identity
  for idempotent imports. Its ``content_hash`` adds the ids:
  ``SHA-256("events/1," + text(event_id) + "," + text(source_record) + "," + row_hash)`` (the
  row hash as 32 raw bytes). This encoding is exact and computed column-wise with Arrow;
* evidence, custody events, findings, decisions and corroboration runs hash canonical JSON of
  their columns (hashes in hex), tagged ``"schema": "evidence/1"`` and so on (see the
  ``*_content`` functions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LEAF_VERSION = 1
"""The ``v`` of the leaf data format described in the module docstring."""

KINDS: tuple[str, ...] = ("event", "evidence", "custody", "finding", "decision", "corroboration")
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


INTEGER_COLUMNS = frozenset({"time_start", "time_end", "deaths", "injured", "quantity"})
"""Row columns encoded as integers."""

FLOAT_COLUMNS = frozenset({"lon", "lat", "precision_m"})
"""Row columns encoded by their IEEE 754 bit pattern."""


def encode_column(name: str, values: pa.Array) -> pa.Array:
    """The row-hash encoding of one column's values as binary (see the module docstring)."""
    if name in FLOAT_COLUMNS:
        bits = pc.cast(values, pa.float64()).view(pa.int64())
        text = pc.binary_join_element_wise("f", pc.cast(bits, pa.string()), "")
    elif name in INTEGER_COLUMNS:
        text = pc.binary_join_element_wise("i", pc.cast(values, pa.string()), "")
    else:
        strings = pc.cast(values, pa.string())
        size = pc.cast(pc.binary_length(strings), pa.string())
        text = pc.binary_join_element_wise(size, strings, ":")
    return pc.cast(pc.fill_null(text, "~"), pa.binary())


_COMMA = pa.scalar(b",", pa.binary())
_EVENTS_TAG = pa.scalar(b"events/1", pa.binary())


def event_hashes(
    columns: Mapping[str, pa.Array], event_ids: pa.Array, source_records: pa.Array
) -> tuple[list[bytes], list[bytes]]:
    """``(row hashes, content hashes)`` of the events given column by column."""
    encoded = [encode_column(name, columns[name]) for name in ROW_COLUMNS]
    rows = pc.binary_join_element_wise(*encoded, _COMMA).to_pylist()
    row_hashes = [hashlib.sha256(row).digest() for row in rows]
    ids = pc.binary_join_element_wise(
        _EVENTS_TAG,
        encode_column("event_id", event_ids),
        encode_column("source_record", source_records),
        pa.array(row_hashes, pa.binary()),
        _COMMA,
    )
    content = [hashlib.sha256(value).digest() for value in ids.to_pylist()]
    return row_hashes, content


def float_for_storage(values: pa.Array) -> pa.Array:
    """Floats as stored and hashed: -0.0 becomes 0.0 (SQLite does not keep the sign of zero)."""
    return pc.add(pc.cast(values, pa.float64()), 0.0)


def claims_json(claims: Sequence[Mapping[str, Any]] | None) -> str:
    """The claims of an event as the JSON text stored in the ``claims`` column."""
    if not claims:
        return "[]"
    return _encode([dict(claim) for claim in claims])


def _content(schema: str, row: Mapping[str, Any], columns: Sequence[str]) -> bytes:
    """Canonical JSON of ``columns`` of a row, tagged with ``schema``; hashes (bytes) in hex."""
    values: dict[str, Any] = {"schema": schema}
    for name in columns:
        value = row[name]
        values[name] = bytes(value).hex() if isinstance(value, bytes | memoryview) else value
    return canonical_json(values)


def evidence_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of an evidence row."""
    columns = ("sha256", "size", "media_type", "original_name", "received_at", "received_by")
    return _content("evidence/1", row, columns)


def custody_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of a custody event row."""
    columns = ("evidence_id", "action", "actor", "at", "hash_before", "hash_after", "detail")
    return _content("custody/1", row, columns)


def finding_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of a finding row."""
    return _content("finding/1", row, ("type", "message", "data", "created_at"))


def decision_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of an analyst's decision row."""
    return _content("decision/1", row, ("action", "event_ids", "who", "why", "at"))


def corroboration_content(row: Mapping[str, Any]) -> bytes:
    """Canonical content of a corroboration run row."""
    columns = (
        "started_at",
        "finished_at",
        "settings",
        "last_event_id",
        "last_decision_id",
        "reports",
        "incidents",
        "grades",
        "assignments_sha256",
    )
    return _content("corroboration/1", row, columns)


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


def event_leaf_hashes(ids: Sequence[int], content_hashes: Sequence[bytes]) -> list[bytes]:
    """The RFC 9162 leaf hashes of events by id and content hash, in bulk.

    The same bytes as ``leaf_hash(leaf_data("event", id, content_hash))`` (a property test
    checks it), the leaf data built column-wise (numpy hex digits, Arrow joins) and hashed with
    one ``hashlib`` call per event (hot path of imports).
    """
    if not ids:
        return []
    digests = np.frombuffer(b"".join(content_hashes), dtype=np.uint8)
    hex_digits = _HEX_DIGITS[digests].reshape(len(ids), 64)
    data = pc.binary_join_element_wise(
        _LEAF_START,
        pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(64), len(ids), [None, pa.py_buffer(hex_digits.tobytes())]
        ).cast(pa.binary()),
        _LEAF_MIDDLE,
        pc.cast(pa.array(ids, pa.int64()), pa.string()).cast(pa.binary()),
        _LEAF_END,
        _EMPTY,
    )
    sha = hashlib.sha256
    return [sha(value).digest() for value in data.to_pylist()]


_HEX_DIGITS = np.frombuffer(
    b"".join(f"{value:02x}".encode() for value in range(256)), dtype=np.uint8
).reshape(256, 2)
_LEAF_START = pa.scalar(b'\x00{"content_sha256":"', pa.binary())
_LEAF_MIDDLE = pa.scalar(b'","id":', pa.binary())
_LEAF_END = pa.scalar(b',"kind":"event","v":%d}' % LEAF_VERSION, pa.binary())
_EMPTY = pa.scalar(b"", pa.binary())


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
