"""Time in the engine: windows as integer microseconds, overlaps, and words for durations.

An event happened somewhere in ``[time_start, time_end)`` (an instant when the two are equal).
A term's window is half-open, ``[start, end)``. The event is *inside* when its whole span is,
*outside* when none of it is, and *straddles* the window otherwise; then the share of its span
inside the window is stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.grid import FloatArray, IntArray
from truce.instant import Instant

OPEN_END = np.iinfo(np.int64).max
"""The end of an open-ended window."""

OUTSIDE, STRADDLES, INSIDE = 0, 1, 2


def micros(instant: Instant | datetime) -> int:
    """An instant as microseconds since 1970 UTC."""
    moment = instant.utc if isinstance(instant, Instant) else instant
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """Microseconds since 1970 UTC as an aware datetime."""
    return datetime.fromtimestamp(value / 1_000_000, tz=UTC)


@dataclass(frozen=True)
class Span:
    """A half-open window in microseconds; ``end`` is :data:`OPEN_END` when open."""

    start: int
    end: int = OPEN_END

    def overlaps(self, first: int, last: int) -> bool:
        """Whether any instant of ``[first, last]`` lies in the window."""
        return first < self.end and last >= self.start

    def intersect(self, other: Span) -> Span | None:
        """The common part, or None."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Span(start, end) if start < end else None


def classify(start: IntArray, end: IntArray, span: Span) -> tuple[NDArray[np.int8], FloatArray]:
    """Inside / straddles / outside each event is, and the share of its span in the window."""
    instant = end <= start
    during = (start >= span.start) & (start < span.end)
    touches = np.where(instant, during, (end > span.start) & (start < span.end))
    inside = np.where(instant, during, (start >= span.start) & (end <= span.end))
    status = np.where(inside, INSIDE, np.where(touches, STRADDLES, OUTSIDE)).astype(np.int8)
    length = np.maximum(end - start, 1).astype(np.float64)
    common = np.minimum(end, span.end).astype(np.float64) - np.maximum(start, span.start)
    fraction = np.where(instant, touches.astype(np.float64), np.clip(common / length, 0.0, 1.0))
    return status, fraction


def _plural(count: pa.Array, unit: str) -> pa.Array:
    words = pc.if_else(pc.equal(count, 1), f" {unit}", f" {unit}s")
    return pc.binary_join_element_wise(pc.cast(count, pa.string()), words, "")


def duration_words(seconds: FloatArray) -> pa.Array:
    """Durations as words: '2 days 3 h', '5 h 12 min', '40 min' (absolute values)."""
    total = np.abs(np.asarray(seconds, dtype=np.float64))
    minutes = np.floor(total / 60.0).astype(np.int64)
    days, rest = np.divmod(minutes, 1440)
    hours, mins = np.divmod(rest, 60)
    day_text = _plural(pa.array(days), "day")
    hour_text = pc.binary_join_element_wise(pc.cast(pa.array(hours), pa.string()), " h", "")
    min_text = pc.binary_join_element_wise(pc.cast(pa.array(mins), pa.string()), " min", "")
    with_days = pc.binary_join_element_wise(day_text, hour_text, " ")
    with_hours = pc.binary_join_element_wise(hour_text, min_text, " ")
    return pc.if_else(
        pa.array(days > 0), with_days, pc.if_else(pa.array(hours > 0), with_hours, min_text)
    )


def relative_words(seconds: FloatArray, anchor: str) -> pa.Array:
    """'2 days 3 h after entry into force' / '40 min before entry into force'."""
    seconds = np.asarray(seconds, dtype=np.float64)
    side = pc.if_else(pa.array(seconds >= 0), f" after {anchor}", f" before {anchor}")
    return pc.binary_join_element_wise(duration_words(seconds), side, "")


def timestamps(values: IntArray) -> pa.Array:
    """Microsecond values as a UTC timestamp array."""
    return pa.array(np.asarray(values, dtype=np.int64), pa.int64()).cast(
        pa.timestamp("us", tz="UTC")
    )


def stamp_words(values: IntArray) -> pa.Array:
    """Microsecond values as '2025-03-19 00:20Z' texts."""
    return pc.strftime(timestamps(values), format="%Y-%m-%d %H:%MZ")
