"""Words for findings, built column-wise with pyarrow (no Python loop over findings).

Every finding explains itself in one paragraph: the status and what it concerns (object, zone or
line, with the distance and side), why it is only possible when it is, the term and its clause,
the agreement, the event and its time relative to entry into force, each source's claim, the
parties bound, the layer versions used and the proxy notes those layers carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.grid import FloatArray, IntArray

Words: TypeAlias = str | pa.Array


@lru_cache(maxsize=8192)
def literal(value: str | int | float | bool) -> pa.Scalar:
    """A pyarrow scalar for a Python value, made once (converting Python values on every
    compute call is slow)."""
    if isinstance(value, str):
        return pa.scalar(value, pa.string())
    return pa.scalar(value)


def _arg(part: Words) -> pa.Array | pa.Scalar:
    if isinstance(part, str):
        return literal(part)
    return part if part.null_count == 0 else pc.fill_null(part, literal(""))


def concat(*parts: Words) -> pa.Array:
    """Element-wise concatenation; plain strings repeat on every row (at least one array)."""
    arrays = [p for p in parts if isinstance(p, pa.Array | pa.ChunkedArray)]
    if not arrays:
        raise ValueError("concat needs at least one array")
    return pc.binary_join_element_wise(*(_arg(p) for p in parts), literal(""))


def constant(text: str, size: int) -> pa.Array:
    """The same text on ``size`` rows (its bytes repeated into one buffer, offsets by numpy)."""
    data = text.encode()
    if len(data) * size > 2**31 - 1:
        return pa.array([text], pa.string()).take(pa.array(np.zeros(size, dtype=np.int64)))
    offsets = np.arange(size + 1, dtype=np.int32) * np.int32(len(data))
    return pa.Array.from_buffers(
        pa.string(), size, [None, pa.py_buffer(offsets), pa.py_buffer(data * size)]
    )


def pick(mask: NDArray[np.bool_], yes: Words, no: Words = "") -> pa.Array:
    """``yes`` where ``mask`` holds, ``no`` elsewhere."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _arg(yes), _arg(no))


@lru_cache(maxsize=1024)
def _word_table(words: tuple[str | None, ...], missing: str | None) -> pa.Array:
    return pa.array([*words, missing], pa.string())


def lookup(words: Sequence[str | None], index: IntArray, missing: str | None = None) -> pa.Array:
    """``words[index]`` per row; ``missing`` (null by default) where the index is negative."""
    table = _word_table(tuple(words), missing)
    safe = np.where(np.asarray(index) >= 0, index, len(words))
    return table.take(pa.array(safe.astype(np.int64)))


def by_value(values: NDArray[np.generic], words: Callable[[Any], str]) -> pa.Array:
    """``words(v)`` for each value, formatted once per distinct value (values are few: rounded
    distances, minutes, days) and spread back with a take."""
    values = np.asarray(values)
    if len(values) == 0:
        return pa.array([], pa.string())
    unique, inverse = np.unique(values, return_inverse=True)
    texts = pa.array([words(v) for v in unique.tolist()], pa.string())
    return texts.take(pa.array(inverse.reshape(-1).astype(np.int64)))


@lru_cache(maxsize=65536)
def _metres_words(metres: float) -> str:
    if not np.isfinite(metres):
        return "an unknown distance"
    if metres < 1000.0:
        return f"{metres:.0f} m"
    return f"{metres / 1000.0:.1f} km"


def distance_words(metres: FloatArray) -> pa.Array:
    """Distances as '12.3 km' (or '850 m' under a kilometre)."""
    metres = np.asarray(metres, dtype=np.float64)
    rounded = np.where(metres < 1000.0, np.round(metres), np.round(metres, -2))
    return by_value(rounded, _metres_words)


def percent_words(fraction: FloatArray) -> pa.Array:
    """Shares as '62%' ('under 1%' and 'over 99%' rather than a rounded 0% or 100%)."""
    percent = np.asarray(fraction, dtype=np.float64) * 100.0
    rounded = np.round(percent)
    rounded = np.where((percent > 0.0) & (rounded == 0.0), 0.5, rounded)
    rounded = np.where((percent < 100.0) & (rounded == 100.0), 99.5, rounded)
    return by_value(rounded, _percent)


@lru_cache(maxsize=1024)
def _percent(value: float) -> str:
    if value == 0.5:
        return "under 1%"
    if value == 99.5:
        return "over 99%"
    return f"{value:.0f}%"


def scatter(index: IntArray, words: pa.Array, size: int, default: str = "") -> pa.Array:
    """``words`` placed at ``index`` in an array of ``size`` texts, ``default`` elsewhere."""
    where = np.full(size, len(words), dtype=np.int64)
    where[np.asarray(index, dtype=np.int64)] = np.arange(len(words))
    table = pa.concat_arrays([pc.cast(words, pa.string()), pa.array([default], pa.string())])
    return table.take(pa.array(where))


def sentence_if(mask: NDArray[np.bool_], *parts: Words) -> pa.Array:
    """The concatenated parts where ``mask`` holds, empty text elsewhere."""
    if all(isinstance(p, str) for p in parts):
        return pick(mask, "".join(str(p) for p in parts))
    return pick(mask, concat(*parts))


def paragraph(*parts: Words) -> pa.Array:
    """Sentences as one paragraph (the last plain-text part loses its trailing spaces)."""
    if parts and isinstance(parts[-1], str):
        parts = (*parts[:-1], parts[-1].rstrip())
    return concat(*parts)
