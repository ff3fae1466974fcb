"""Vectorised helpers for building event columns with :mod:`pyarrow.compute`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.events.model import CLAIM_TYPE, EVENT_SCHEMA


def constant(value: str, count: int) -> pa.Array:
    """A string column holding ``value`` ``count`` times."""
    return pa.repeat(pa.scalar(value, pa.string()), count)


def no_claims(count: int) -> pa.Array:
    """A ``claims`` column of ``count`` empty lists."""
    offsets = pa.array(np.zeros(count + 1, dtype=np.int32))
    values = pa.array([], type=CLAIM_TYPE)
    return pa.ListArray.from_arrays(offsets, values, type=EVENT_SCHEMA.field("claims").type)


def to_text(column: pa.Array) -> pa.Array:
    """A binary column as UTF-8 text; values that are not valid UTF-8 become null."""
    try:
        return pc.cast(column, pa.string())
    except pa.ArrowInvalid:
        decoded = [_decode(value) for value in column.to_pylist()]
        return pa.array(decoded, pa.string())


def _decode(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def to_float(text: pa.Array) -> pa.Array:
    """Text as float64; what is not a plain decimal number becomes null."""
    try:
        return pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        number = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
        ok = pc.fill_null(pc.match_substring_regex(text, number), False)
        cleaned = pc.utf8_trim_whitespace(pc.if_else(ok, text, pa.scalar(None, pa.string())))
        return pc.cast(cleaned, pa.float64())


def between(values: pa.Array, low: float, high: float) -> pa.Array:
    """True where ``low <= value <= high`` (null and NaN give false)."""
    inside = pc.and_(pc.greater_equal(values, low), pc.less_equal(values, high))
    return pc.fill_null(inside, False)


def to_day(text: pa.Array) -> pa.Array:
    """Text 'YYYY-MM-DD' as a UTC timestamp; impossible or other-shaped dates become null."""
    try:
        exact = pc.cast(pc.cast(text, pa.date32()), pa.timestamp("us"))
    except pa.ArrowInvalid:
        trimmed = pc.utf8_trim_whitespace(text)
        parsed = pc.strptime(trimmed, format="%Y-%m-%d", unit="us", error_is_null=True)
        same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), trimmed)
        exact = pc.if_else(pc.fill_null(same, False), parsed, pa.scalar(None, parsed.type))
    return pc.cast(pc.assume_timezone(exact, "UTC"), EVENT_SCHEMA.field("time_start").type)


_FIRST = pa.scalar(datetime(1, 1, 2, tzinfo=UTC), pa.timestamp("us", tz="UTC"))
_LAST = pa.scalar(datetime(9999, 12, 30, tzinfo=UTC), pa.timestamp("us", tz="UTC"))


def in_calendar(column: pa.Array) -> pa.Array:
    """True where a UTC timestamp lies between the years 1 and 9999 (what Python can hold)."""
    inside = pc.and_(pc.greater_equal(column, _FIRST), pc.less_equal(column, _LAST))
    return pc.fill_null(inside, False)


def json_objects(names: list[str], texts: list[pa.Array]) -> pa.Array:
    """One JSON object per row mapping each name to that row's text (strings escaped)."""
    pieces: list[Any] = []
    for index, (name, text) in enumerate(zip(names, texts, strict=True)):
        escaped = _escape_json(text)
        opener = "{" if index == 0 else ","
        pieces.extend([f'{opener}"{_escape(name)}":"', pc.fill_null(escaped, ""), '"'])
    pieces.append("}")
    return pc.binary_join_element_wise(*pieces, "")


def _escape_json(text: pa.Array) -> pa.Array:
    for special, replacement in (("\\", "\\\\"), ('"', '\\"')):
        if pc.any(pc.match_substring(text, special)).as_py():
            text = pc.replace_substring(text, special, replacement)
    return text


def _escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def schema_batch(arrays: dict[str, pa.Array], count: int) -> pa.RecordBatch:
    """A batch in EVENT_SCHEMA from the columns given; the others are all null."""
    columns = [
        pc.cast(arrays[f.name], f.type) if f.name in arrays else pa.nulls(count, f.type)
        for f in EVENT_SCHEMA
    ]
    return pa.RecordBatch.from_arrays(columns, schema=EVENT_SCHEMA)
