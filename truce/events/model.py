"""The event model: one Arrow schema for every source, and the values readers report.

Events travel as :class:`pyarrow.RecordBatch` in :data:`EVENT_SCHEMA`, so that the check engine
can filter millions of them without building Python objects. :class:`Event` is the same record
as a frozen dataclass, for tests, hand-made events and single look-ups.

Conventions every reader follows:

* ``time_start`` and ``time_end`` are UTC and bound the moment of the event: it happened somewhere
  in ``[time_start, time_end]``; equal means an exact instant. A calendar unit is closed by the
  start of the next one (a day runs from 00:00 to the next 00:00 local time).
* ``lon``/``lat`` is a reference point and ``precision_m`` the radius of the circle around it that
  the event is believed to lie in; both are null only when no point at all is known.
* ``claims`` keeps attribution *as each source claimed it*, one entry per claimant, never merged.
* ``raw`` is the original row as JSON, so nothing the source said is lost.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from truce.problems import Problem
from truce.vocabulary import EVENT_KINDS, OBJECT_CLASSES, WEAPON_CLASSES

OUTCOMES: tuple[str, ...] = ("impact", "attempt", "unknown")
"""Whether the event hit (``impact``), was tried but stopped (``attempt``), or is not known."""

TIME_PRECISIONS: tuple[str, ...] = ("exact", "minute", "hour", "day", "week", "month", "year")
"""The standard ``time_precision`` values; a reader may also use a source's own code."""

AREA_PRECISIONS: tuple[str, ...] = (
    "point",
    "settlement",
    "district",
    "oblast",
    "macro-region",
    "country",
    "international-waters",
    "unknown",
)
"""What kind of place the reference point stands for, finest first."""

CLAIM_TYPE = pa.struct(
    [
        pa.field("claimant", pa.string(), nullable=False),
        pa.field("perpetrator", pa.string(), nullable=False),
        pa.field("note", pa.string(), nullable=False),
    ]
)
"""One attribution: who claims that whom did it, with the claimant's own wording."""

_UTC_US = pa.timestamp("us", tz="UTC")

EVENT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_record", pa.string(), nullable=False),
        pa.field("time_start", _UTC_US, nullable=False),
        pa.field("time_end", _UTC_US, nullable=False),
        pa.field("time_zone", pa.string(), nullable=False),
        pa.field("time_precision", pa.string(), nullable=False),
        pa.field("lon", pa.float64()),
        pa.field("lat", pa.float64()),
        pa.field("precision_m", pa.float64()),
        pa.field("area_id", pa.string()),
        pa.field("area_precision", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("weapon_class", pa.string()),
        pa.field("target", pa.string()),
        pa.field("target_class", pa.string()),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("claims", pa.list_(pa.field("item", CLAIM_TYPE, nullable=False)), nullable=False),
        pa.field("deaths", pa.int32()),
        pa.field("injured", pa.int32()),
        pa.field("quantity", pa.int32()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("link", pa.string(), nullable=False),
        pa.field("raw", pa.string(), nullable=False),
    ],
    metadata={"truce.schema": "events/1"},
)
"""The Arrow schema of every event batch; see the module docstring for its conventions."""

INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class Claim:
    """An attribution as one source claimed it."""

    claimant: str
    perpetrator: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event as a Python value, field for field the same as a row of :data:`EVENT_SCHEMA`."""

    event_id: str
    source: str
    source_record: str
    time_start: datetime
    time_end: datetime
    time_zone: str
    time_precision: str
    lon: float | None = None
    lat: float | None = None
    precision_m: float | None = None
    area_id: str | None = None
    area_precision: str = "point"
    kind: str
    weapon_class: str | None = None
    target: str | None = None
    target_class: str | None = None
    outcome: str = "unknown"
    claims: tuple[Claim, ...] = ()
    deaths: int | None = None
    injured: int | None = None
    quantity: int | None = None
    text: str = ""
    link: str = ""
    raw: str = ""


EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))
"""The field names of :class:`Event`, in schema order."""


class FieldError(ValueError):
    """A value of one input row cannot be used; readers turn it into a :class:`Rejected`."""

    def __init__(self, field_name: str, expected: str, got: object, type: str = "bad-value"):
        self.field = field_name
        self.expected = expected
        self.got = got
        self.type = type
        shown = got if isinstance(got, str) and got.startswith("<") else repr(got)
        super().__init__(f"field '{field_name}': expected {expected}, got {shown}")


@dataclass(frozen=True)
class Rejected:
    """An input row a reader could not turn into an event, with where it was and why."""

    file: str
    row: int
    raw: str
    reason: str
    type: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.reason}"

    def as_problem(self) -> Problem:
        """The same thing as a :class:`truce.problems.Problem` (an error located at the row)."""
        return Problem(type=self.type, message=self.reason, file=self.file, line=self.row)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "file": self.file,
            "row": self.row,
            "raw": self.raw,
            "reason": self.reason,
            "type": self.type,
            "field": self.field,
        }


def rejected_from(error: FieldError, file: str, row: int, raw: str) -> Rejected:
    """The :class:`Rejected` value for a row that raised ``error``."""
    return Rejected(file, row, raw, str(error), error.type, error.field)


@dataclass(frozen=True)
class ReadResult:
    """One chunk of a read: the accepted events as a batch, and the rows that were rejected."""

    batch: pa.RecordBatch
    rejected: list[Rejected]
    rows: int

    @property
    def accepted(self) -> int:
        """How many events the batch holds."""
        return int(self.batch.num_rows)


@dataclass
class ReadSummary:
    """Counts over a whole read: rows read, events accepted, rows rejected by type."""

    rows_read: int = 0
    accepted: int = 0
    rejected_by_type: Counter[str] = field(default_factory=Counter)

    def add(self, result: ReadResult) -> None:
        """Count one chunk."""
        self.rows_read += result.rows
        self.accepted += result.accepted
        self.rejected_by_type.update(r.type for r in result.rejected)

    @property
    def rejected(self) -> int:
        """How many rows were rejected in all."""
        return sum(self.rejected_by_type.values())

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected_by_type.items()))
        detail = f" ({parts})" if parts else ""
        counts = f"{self.rows_read} rows read, {self.accepted} accepted"
        return f"{counts}, {self.rejected} rejected{detail}"


def summarize(results: Iterable[ReadResult]) -> ReadSummary:
    """The :class:`ReadSummary` of a sequence of chunks."""
    summary = ReadSummary()
    for result in results:
        summary.add(result)
    return summary


def check_event(event: Event) -> None:
    """Raise :class:`FieldError` for the first value of ``event`` that breaks the model's rules."""
    _check_slug("kind", event.kind, EVENT_KINDS)
    _check_slug("weapon_class", event.weapon_class, WEAPON_CLASSES)
    _check_slug("target_class", event.target_class, OBJECT_CLASSES)
    if event.outcome not in OUTCOMES:
        raise FieldError("outcome", "one of " + ", ".join(OUTCOMES), event.outcome)
    if event.area_precision not in AREA_PRECISIONS:
        expected = "one of " + ", ".join(AREA_PRECISIONS)
        raise FieldError("area_precision", expected, event.area_precision)
    _check_times(event)
    _check_place(event)
    for name in ("deaths", "injured", "quantity"):
        value = getattr(event, name)
        if value is not None and not 0 <= value <= INT32_MAX:
            raise FieldError(name, "a whole number from 0 to 2147483647", value)
    for name in ("event_id", "source", "time_zone", "time_precision"):
        if not getattr(event, name):
            raise FieldError(name, "a non-empty text", getattr(event, name), "missing-field")
    _check_texts(event)


_TEXT_FIELDS = tuple(
    f.name for f in EVENT_SCHEMA if pa.types.is_string(f.type) and f.name != "kind"
)


def _check_texts(event: Event) -> None:
    texts = [(name, getattr(event, name)) for name in _TEXT_FIELDS]
    texts += [("claims", part) for claim in event.claims for part in vars(claim).values()]
    for name, value in texts:
        if value is None:
            continue
        if not isinstance(value, str):
            raise FieldError(name, "a text", value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise FieldError(name, "text that can be written as UTF-8", value, "encoding") from None


def _check_slug(name: str, value: str | None, table: Mapping[str, object]) -> None:
    if value is not None and value not in table:
        raise FieldError(name, "a slug of truce.vocabulary", value, "unknown-slug")


def _check_times(event: Event) -> None:
    for name in ("time_start", "time_end"):
        moment = getattr(event, name)
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise FieldError(name, "a time-zone-aware datetime", moment, "bad-time")
    if event.time_end < event.time_start:
        raise FieldError(
            "time_end",
            f"a time not before time_start {event.time_start.isoformat()}",
            event.time_end.isoformat(),
            "bad-time",
        )


def _check_place(event: Event) -> None:
    if (event.lon is None) != (event.lat is None):
        raise FieldError("lon/lat", "both or neither", f"<lon {event.lon}, lat {event.lat}>")
    if event.lat is not None and not (math.isfinite(event.lat) and -90 <= event.lat <= 90):
        raise FieldError("lat", "a number between -90 and 90", event.lat, "bad-number")
    if event.lon is not None and not (math.isfinite(event.lon) and -180 <= event.lon <= 180):
        raise FieldError("lon", "a number between -180 and 180", event.lon, "bad-number")
    precision = event.precision_m
    if precision is not None and not (math.isfinite(precision) and precision >= 0):
        raise FieldError("precision_m", "a distance of 0 metres or more", precision, "bad-number")


def events_to_batch(events: Iterable[Event]) -> pa.RecordBatch:
    """The events as one record batch in :data:`EVENT_SCHEMA`."""
    rows = list(events)
    columns: list[pa.Array] = []
    for schema_field in EVENT_SCHEMA:
        name = schema_field.name
        if name == "claims":
            values: list[Any] = [[_claim_dict(c) for c in e.claims] for e in rows]
        elif name in ("time_start", "time_end"):
            values = [getattr(e, name).astimezone(UTC) for e in rows]
        else:
            values = [getattr(e, name) for e in rows]
        columns.append(pa.array(values, type=schema_field.type))
    return pa.RecordBatch.from_arrays(columns, schema=EVENT_SCHEMA)


def _claim_dict(claim: Claim) -> dict[str, str]:
    return {"claimant": claim.claimant, "perpetrator": claim.perpetrator, "note": claim.note}


def batch_to_events(batch: pa.RecordBatch | pa.Table) -> list[Event]:
    """The rows of a batch (or table) in :data:`EVENT_SCHEMA` as :class:`Event` values."""
    events = []
    for row in batch.to_pylist():
        row["claims"] = tuple(Claim(**c) for c in row["claims"] or ())
        events.append(Event(**{name: row[name] for name in EVENT_FIELDS}))
    return events


def empty_batch() -> pa.RecordBatch:
    """A batch in :data:`EVENT_SCHEMA` with no rows."""
    arrays = [pa.array([], type=f.type) for f in EVENT_SCHEMA]
    return pa.RecordBatch.from_arrays(arrays, schema=EVENT_SCHEMA)


def row_json(row: Mapping[str, Any]) -> str:
    """A row as compact JSON text (the form of the ``raw`` column)."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)
