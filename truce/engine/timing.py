"""Time in the engine: windows as integer microseconds, overlaps, and words for durations.

An event happened somewhere in ``[time_start, time_end)`` (an instant when the two are equal).
A term's window is half-open, ``[start, end)``. The event is *inside* when its whole span is,
*outside* when none of it is, and *straddles* the window otherwise; then the share of its span
inside the window is stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from truce.engine.explain import Text, by_value, distinct_codes, texts_of, value_words
from truce.engine.grid import FloatArray, IntArray
from truce.engine.kernels import STAMP_WIDTH, minute_stamps
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
    """Inside / straddles / outside each event is, and the share of its span in the window.

    The plain numpy definition: the engine screens in one compiled pass
    (:func:`truce.engine.checks.base.screen`), which tests hold equal to this."""
    instant = end <= start
    during = (start >= span.start) & (start < span.end)
    touches = np.where(instant, during, (end > span.start) & (start < span.end))
    inside = np.where(instant, during, (start >= span.start) & (end <= span.end))
    status = np.where(inside, INSIDE, np.where(touches, STRADDLES, OUTSIDE)).astype(np.int8)
    length = np.maximum(end - start, 1).astype(np.float64)
    common = np.minimum(end, span.end).astype(np.float64) - np.maximum(start, span.start)
    fraction = np.where(instant, touches.astype(np.float64), np.clip(common / length, 0.0, 1.0))
    return status, fraction


@lru_cache(maxsize=65536)
def minutes_words(minutes: int) -> str:
    """A duration in whole minutes as words: '2 days 3 h', '5 h 12 min', '40 min'."""
    days, rest = divmod(abs(minutes), 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def duration_words(seconds: FloatArray) -> pa.Array:
    """Durations as words: '2 days 3 h', '5 h 12 min', '40 min' (absolute values)."""
    minutes = np.floor(np.abs(np.asarray(seconds, dtype=np.float64)) / 60.0).astype(np.int64)
    return by_value(minutes, minutes_words)


def relative_words(seconds: FloatArray, anchor: str) -> pa.Array:
    """'2 days 3 h after entry into force' / '40 min before entry into force'."""
    minutes = np.trunc(np.asarray(seconds, dtype=np.float64) / 60.0).astype(np.int64)
    return by_value(
        minutes,
        lambda m: f"{minutes_words(m)} {'before' if m < 0 else 'after'} {anchor}",
    )


def timestamps(values: IntArray) -> pa.Array:
    """Microsecond values as a UTC timestamp array."""
    return pa.array(np.asarray(values, dtype=np.int64), pa.int64()).cast(
        pa.timestamp("us", tz="UTC")
    )


_FIRST_MINUTE = -510_170_400
"""1000-01-01 00:00 UTC in minutes since 1970: the compiled stamps write four-digit years."""
_LAST_MINUTE = 4_223_371_679
"""9999-12-31 23:59 UTC in minutes since 1970."""


def stamp_text(values: IntArray) -> Text:
    """Microsecond values as '2025-03-19 00:20Z' texts, not yet made (see
    :class:`truce.engine.explain.Text`)."""
    minutes = np.floor_divide(np.asarray(values, dtype=np.int64), 60_000_000)
    if len(minutes) and minutes.min() >= _FIRST_MINUTE and minutes.max() <= _LAST_MINUTE:
        # each distinct minute written by compiled code, all of the same width
        distinct, codes = distinct_codes(minutes)
        offsets = np.arange(len(distinct) + 1, dtype=np.int64) * STAMP_WIDTH
        return Text(len(codes), ((texts_of(offsets, minute_stamps(distinct)), codes),))
    return value_words(minutes, minute_stamp)


@lru_cache(maxsize=65536)
def minute_stamp(minute: int) -> str:
    """Minutes since 1970 as '2025-03-19 00:20Z'."""
    return f"{from_micros(minute * 60_000_000):%Y-%m-%d %H:%M}Z"
