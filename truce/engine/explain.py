"""Words for findings, built column-wise with pyarrow (no Python loop over findings).

Every finding explains itself in one paragraph: the status and what it concerns (object, zone or
line, with the distance and side), why it is only possible when it is, the term and its clause,
the agreement, the event and its time relative to entry into force, each source's claim, the
parties bound, the layer versions used and the proxy notes those layers carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.grid import FloatArray, IntArray

Words: TypeAlias = str | pa.Array


def concat(*parts: Words) -> pa.Array:
    """Element-wise concatenation; plain strings repeat on every row (at least one array)."""
    arrays = [p for p in parts if isinstance(p, pa.Array | pa.ChunkedArray)]
    if not arrays:
        raise ValueError("concat needs at least one array")
    filled = [pc.fill_null(p, "") if not isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*filled, "")


def constant(text: str, size: int) -> pa.Array:
    """The same text on ``size`` rows."""
    return pa.array([text], pa.string()).take(pa.array(np.zeros(size, dtype=np.int64)))


def pick(mask: NDArray[np.bool_], yes: Words, no: Words = "") -> pa.Array:
    """``yes`` where ``mask`` holds, ``no`` elsewhere."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), yes, no)


def lookup(words: Sequence[str | None], index: IntArray, missing: str | None = None) -> pa.Array:
    """``words[index]`` per row; ``missing`` (null by default) where the index is negative."""
    table = pa.array([*words, missing], pa.string())
    safe = np.where(np.asarray(index) >= 0, index, len(words))
    return table.take(pa.array(safe.astype(np.int64)))


def number(values: FloatArray, decimals: int = 1) -> pa.Array:
    """Numbers as text, rounded ('12.3', '7')."""
    return pc.cast(pc.round(pa.array(np.asarray(values, dtype=np.float64)), decimals), pa.string())


def distance_words(metres: FloatArray) -> pa.Array:
    """Distances as '12.3 km' (or '850 m' under a kilometre)."""
    metres = np.asarray(metres, dtype=np.float64)
    kilometres = concat(number(metres / 1000.0, 1), " km")
    under = concat(number(np.round(metres), 0), " m")
    return pick(metres < 1000.0, under, kilometres)


def percent_words(fraction: FloatArray) -> pa.Array:
    """Shares as '62%'."""
    return concat(number(np.asarray(fraction) * 100.0, 0), "%")


def sentence_if(mask: NDArray[np.bool_], *parts: Words) -> pa.Array:
    """The concatenated parts where ``mask`` holds, empty text elsewhere."""
    if all(isinstance(p, str) for p in parts):
        return pick(mask, "".join(str(p) for p in parts))
    return pick(mask, concat(*parts))


def paragraph(*parts: Words) -> pa.Array:
    """Sentences (each ending with a space, or empty) as one paragraph, trimmed."""
    return pc.utf8_trim_whitespace(concat(*parts))
