"""Findings: what the check engine says about an event (or a term) against a term.

Findings travel as Arrow record batches in :data:`FINDING_SCHEMA`, so that millions can be
written without building Python objects; :class:`Finding` is the same record as a frozen
dataclass for the Python API and tests. Statuses:

``violation``
    the event certainly breaches the term (its place and time certainly within the term);
``attempt``
    the term counts attempts, and the event was an attempt (e.g. a drone downed) within the
    term's attempt radius;
``possible``
    the event may breach the term: its precision circle or time span straddles a boundary of
    the term, or its kind is broader than the acts the term prohibits;
``quiet-period-met`` / ``quiet-period-not-met``
    term-level: whether, and when, a quiet period was first met in the checked period;
``overdue``
    term-level: a step of a phased obligation whose deadline passed with no recorded completion.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.events.model import CLAIM_TYPE, Claim

VIOLATION = "violation"
ATTEMPT = "attempt"
POSSIBLE = "possible"
QUIET_PERIOD_MET = "quiet-period-met"
QUIET_PERIOD_NOT_MET = "quiet-period-not-met"
OVERDUE = "overdue"

EVENT_STATUSES: tuple[str, ...] = (POSSIBLE, ATTEMPT, VIOLATION)
"""Statuses of event findings, weakest first (their rank is their index plus one)."""
TERM_STATUSES: tuple[str, ...] = (QUIET_PERIOD_MET, QUIET_PERIOD_NOT_MET, OVERDUE)
"""Statuses of term-level findings."""
STATUSES: tuple[str, ...] = EVENT_STATUSES + TERM_STATUSES
"""Every status."""

UNATTRIBUTED = "unattributed"
"""``party_bound`` of a finding no claim attributes to a party the term binds."""

_UTC_US = pa.timestamp("us", tz="UTC")

WORDS = pa.dictionary(pa.int32(), pa.string())
"""The type of the few-valued text columns of findings: codes into a small dictionary, so that
no text is repeated per row (Parquet writes the dictionary as it is)."""

DICTIONARY_COLUMNS: tuple[str, ...] = (
    "agreement",
    "term",
    "term_type",
    "status",
    "source",
    "party_bound",
    "feature_layer",
    "feature_id",
    "feature_name",
    "side",
    "layer_versions",
    "proxies",
)
"""Columns with few distinct values, of type :data:`WORDS` in :data:`FINDING_SCHEMA`."""

FINDING_SCHEMA = pa.schema(
    [
        pa.field("agreement", WORDS, nullable=False),
        pa.field("term", WORDS, nullable=False),
        pa.field("term_type", WORDS, nullable=False),
        pa.field("status", WORDS, nullable=False),
        pa.field("event_id", pa.string()),
        pa.field("source", WORDS),
        pa.field("time_start", _UTC_US),
        pa.field("time_end", _UTC_US),
        pa.field("lon", pa.float64()),
        pa.field("lat", pa.float64()),
        pa.field("precision_m", pa.float64()),
        pa.field("party_bound", WORDS, nullable=False),
        pa.field("contested", pa.bool_(), nullable=False),
        pa.field("claims", pa.list_(pa.field("item", CLAIM_TYPE, nullable=False)), nullable=False),
        pa.field("feature_layer", WORDS),
        pa.field("feature_id", WORDS),
        pa.field("feature_name", WORDS),
        pa.field("distance_m", pa.float64()),
        pa.field("limit_m", pa.float64()),
        pa.field("side", WORDS),
        pa.field("fraction", pa.float64()),
        pa.field("time_fraction", pa.float64()),
        pa.field("after_entry_s", pa.float64()),
        pa.field("layer_versions", WORDS, nullable=False),
        pa.field("proxies", WORDS, nullable=False),
        pa.field("explanation", pa.string(), nullable=False),
    ],
    metadata={"truce.schema": "findings/1"},
)
"""The Arrow schema of findings (the columns of :data:`DICTIONARY_COLUMNS` dictionary-typed,
see :func:`as_findings` for files with plain texts). ``party_bound`` joins party ids with ', '
(or says ``unattributed``); ``fraction`` is the share of the precision circle meeting the term's
condition, ``time_fraction`` the share of the event's time span inside the term's window,
``after_entry_s`` the seconds from entry into force to the event's start."""


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One finding as a Python value, field for field a row of :data:`FINDING_SCHEMA`."""

    agreement: str
    term: str
    term_type: str
    status: str
    event_id: str | None = None
    source: str | None = None
    time_start: datetime | None = None
    time_end: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    precision_m: float | None = None
    party_bound: str = UNATTRIBUTED
    contested: bool = False
    claims: tuple[Claim, ...] = ()
    feature_layer: str | None = None
    feature_id: str | None = None
    feature_name: str | None = None
    distance_m: float | None = None
    limit_m: float | None = None
    side: str | None = None
    fraction: float | None = None
    time_fraction: float | None = None
    after_entry_s: float | None = None
    layer_versions: str = ""
    proxies: str = ""
    explanation: str = ""

    @property
    def parties(self) -> tuple[str, ...]:
        """The bound parties the finding is attributed to (empty when unattributed)."""
        if self.party_bound == UNATTRIBUTED:
            return ()
        return tuple(p.strip() for p in self.party_bound.split(",") if p.strip())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif item.name == "claims":
                value = [vars(c) for c in value]
            out[item.name] = value
        return out


FINDING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Finding))
"""Field names of :class:`Finding`, in schema order."""


PLAIN_SCHEMA = pa.schema(
    [f.with_type(pa.string()) if f.name in DICTIONARY_COLUMNS else f for f in FINDING_SCHEMA],
    metadata=FINDING_SCHEMA.metadata,
)
""":data:`FINDING_SCHEMA` with plain texts instead of dictionaries (as CSV and GeoJSON carry
them, and as findings files written before the dictionaries were)."""


def as_findings(table: pa.Table) -> pa.Table:
    """A findings table read back (dictionary-typed or with plain texts) in
    :data:`FINDING_SCHEMA`; the values are the same."""
    return table if table.schema.equals(FINDING_SCHEMA) else table.cast(FINDING_SCHEMA)


def as_plain(table: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """Findings with their dictionary columns decoded to plain texts (:data:`PLAIN_SCHEMA`)."""
    names = set(table.schema.names)
    schema = pa.schema(
        [
            f.with_type(pa.string()) if f.name in DICTIONARY_COLUMNS and f.name in names else f
            for f in table.schema
        ],
        metadata=table.schema.metadata,
    )
    return table.cast(schema)


def words(codes: NDArray[np.integer[Any]], dictionary: pa.Array) -> pa.DictionaryArray:
    """A :data:`WORDS` array: ``dictionary[codes]`` per row, null where a code is negative."""
    codes = np.asarray(codes)
    indices = codes.astype(np.int32, copy=False)
    mask = codes < 0
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, mask=mask if mask.any() else None),
        dictionary.cast(pa.string()),
    )


_ZEROS: list[NDArray[np.int32]] = [np.zeros(0, dtype=np.int32)]
"""Zero codes shared by :func:`repeated` (read-only; grown when a longer run is asked for)."""


@lru_cache(maxsize=1024)
def _one_word(text: str) -> pa.Array:
    return pa.array([text], pa.string())


def repeated(text: str, size: int) -> pa.DictionaryArray:
    """The same text on ``size`` rows, as a :data:`WORDS` array of one dictionary entry (its
    codes a slice of one shared zero buffer: nothing is written per row)."""
    if len(_ZEROS[0]) < size:
        zeros = np.zeros(max(size, 2 * len(_ZEROS[0])), dtype=np.int32)
        zeros.flags.writeable = False
        _ZEROS[0] = zeros
    return pa.DictionaryArray.from_arrays(pa.array(_ZEROS[0][:size]), _one_word(text), safe=False)


def codes_of(
    column: pa.Array | pa.ChunkedArray, values: list[str | None] | None = None
) -> tuple[NDArray[np.int64], list[str | None]]:
    """A text column (dictionary-typed or plain, in any chunks) as codes into a list of its
    distinct values (-1 where null): numpy codes and that list. ``values`` starts the list (codes
    of values already in it are their index there)."""
    values = list(values or [])
    index = {v: i for i, v in enumerate(values)}
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = []
    for chunk in chunks:
        if not isinstance(chunk, pa.DictionaryArray):
            chunk = pc.dictionary_encode(chunk)
        mapping = np.empty(len(chunk.dictionary) + 1, dtype=np.int64)
        mapping[-1] = -1
        for i, value in enumerate(chunk.dictionary.to_pylist()):
            if value not in index:
                index[value] = len(values)
                values.append(value)
            mapping[i] = index[value]
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, -1)
        local = indices.to_numpy(zero_copy_only=False)
        parts.append(mapping[np.asarray(local, dtype=np.int64)])
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return codes, values


def status_codes(column: pa.Array | pa.ChunkedArray) -> NDArray[np.int64]:
    """Each status as its index in :data:`STATUSES` (-1 where null or unknown)."""
    codes, values = codes_of(column, list(STATUSES))
    if len(values) > len(STATUSES):
        codes = np.where(codes < len(STATUSES), codes, -1)
    return codes


_STATUS_WORDS = pa.array(STATUSES, pa.string())


def status_words(codes: NDArray[np.integer[Any]]) -> pa.DictionaryArray:
    """Statuses from their indices in :data:`STATUSES`, as a :data:`WORDS` array."""
    return words(codes, _STATUS_WORDS)


def findings_to_batch(findings: list[Finding]) -> pa.RecordBatch:
    """Findings as one record batch in :data:`FINDING_SCHEMA`."""
    columns = []
    for field in FINDING_SCHEMA:
        if field.name == "claims":
            values: list[Any] = [[vars(c) for c in f.claims] for f in findings]
        else:
            values = [getattr(f, field.name) for f in findings]
        columns.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(columns, schema=FINDING_SCHEMA)


def table_to_findings(table: pa.Table | pa.RecordBatch) -> list[Finding]:
    """The rows of a findings table as :class:`Finding` values."""
    out = []
    for row in table.to_pylist():
        row["claims"] = tuple(Claim(**c) for c in row["claims"] or ())
        out.append(Finding(**{name: row[name] for name in FINDING_FIELDS}))
    return out


def empty_findings() -> pa.Table:
    """A findings table with no rows."""
    return FINDING_SCHEMA.empty_table()


def status_rank(status: str) -> int:
    """Strength of an event status: violation 3, attempt 2, possible 1, anything else 0."""
    return EVENT_STATUSES.index(status) + 1 if status in EVENT_STATUSES else 0
