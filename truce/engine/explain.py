"""Words for findings, built column-wise with pyarrow (no Python loop over findings).

Every finding explains itself in one paragraph: the status and what it concerns (object, zone or
line, with the distance and side), why it is only possible when it is, the term and its clause,
the agreement, the event and its time relative to entry into force, each source's claim, the
parties bound, the layer versions used and the proxy notes those layers carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.grid import FloatArray, IntArray
from truce.engine.kernels import gather_texts, metre_texts, text_offsets

_STRING_LIMIT = 2**31 - 1
"""Bytes a ``string`` array can hold (its offsets are 32-bit)."""


def _plain(part: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A string array in one chunk without nulls (null rows as empty texts)."""
    if isinstance(part, pa.ChunkedArray):
        part = part.combine_chunks()
    if part.type != pa.string():
        part = part.cast(pa.string())
    return part if part.null_count == 0 else pc.fill_null(part, literal(""))


@dataclass(frozen=True)
class Text:
    """Texts of ``size`` rows, not yet joined: row ``i`` is the concatenation, piece after
    piece, of ``table[codes[i]]`` (the empty text where a code is -1). A table is a handful of
    distinct texts (a constant, rounded distances, object descriptions) or one text per row
    (event ids, timestamps); codes are numpy integers.

    Choosing (:func:`choose`), placing (:func:`place`) and joining (:func:`join`) texts only
    combine tables and codes; :meth:`array` then measures every row and copies every piece of
    every row into one buffer (compiled, :func:`truce.engine.kernels.gather_texts`). Each byte
    of the result is written once, however deeply the sentences nest."""

    size: int
    pieces: tuple[tuple[pa.Array, IntArray], ...]

    @classmethod
    def of(cls, part: Part, size: int) -> Text:
        """A text, a string repeated on ``size`` rows, or a string array, as a :class:`Text`."""
        if isinstance(part, Text):
            return part
        if isinstance(part, str):
            return cls(size, ((_texts((part,)), np.zeros(size, dtype=np.int64)),))
        array = _plain(part)
        if len(array) != size:
            raise ValueError(f"a part of {len(array)} rows among texts of {size}")
        return cls(size, ((array, np.arange(size, dtype=np.int64)),))

    def array(self) -> pa.Array:
        """The joined texts as a string array."""
        if not self.pieces:
            return constant("", self.size)
        tables = [table for table, _ in self.pieces]
        starts, ends, data = _text_tables(tables)
        base = np.cumsum([0] + [len(t) for t in tables[:-1]])
        empty = len(starts) - 1  # the empty text after all the tables' texts
        codes = np.empty((len(self.pieces), self.size), dtype=np.int64)
        for piece, (_, piece_codes) in enumerate(self.pieces):
            np.add(piece_codes, base[piece], out=codes[piece])
            codes[piece][piece_codes < 0] = empty
        offsets = text_offsets(codes, starts, ends)
        if offsets[-1] > _STRING_LIMIT:
            return pc.binary_join_element_wise(
                *(
                    pa.concat_arrays([table, _texts(("",))]).take(
                        pa.array(np.where(codes < 0, len(table), codes))
                    )
                    for table, codes in self.pieces
                ),
                literal(""),
            )
        joined = gather_texts(codes, starts, ends, data, offsets)
        return pa.Array.from_buffers(
            pa.string(),
            self.size,
            [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(joined)],
        )


def _text_tables(tables: list[pa.Array]) -> tuple[IntArray, IntArray, NDArray[np.uint8]]:
    """The texts of string arrays without nulls, numbered one table after the other, then one
    empty text: where each starts and ends in one buffer of all their bytes, and that buffer."""
    starts, ends, datas = [], [], []
    base = 0
    for table in tables:
        offsets = np.frombuffer(
            table.buffers()[1], dtype=np.int32, count=table.offset + len(table) + 1
        )[table.offset :]
        first, last = int(offsets[0]), int(offsets[-1])
        shifted = offsets.astype(np.int64)
        shifted += base - first
        starts.append(shifted[:-1])
        ends.append(shifted[1:])
        if last > first:
            datas.append(np.frombuffer(table.buffers()[2], dtype=np.uint8)[first:last])
        base += last - first
    data = np.concatenate(datas) if datas else np.zeros(0, dtype=np.uint8)
    starts.append(np.zeros(1, dtype=np.int64))
    ends.append(np.zeros(1, dtype=np.int64))
    return np.concatenate(starts), np.concatenate(ends), data


Part: TypeAlias = "str | pa.Array | Text"
Words: TypeAlias = str | pa.Array


def _size(parts: Sequence[Part]) -> int:
    for part in parts:
        if isinstance(part, Text):
            return part.size
        if isinstance(part, pa.Array | pa.ChunkedArray):
            return len(part)
    raise ValueError("texts need at least one array (or Text) among their parts")


def join(*parts: Part) -> Text:
    """Element-wise concatenation, not yet made (see :class:`Text`); plain strings repeat on
    every row, and neighbouring ones are merged."""
    size = _size(parts)
    pieces: list[tuple[pa.Array, IntArray]] = []
    pending = ""
    for part in parts:
        if isinstance(part, str):
            pending += part
            continue
        if pending:
            pieces.extend(Text.of(pending, size).pieces)
            pending = ""
        pieces.extend(Text.of(part, size).pieces)
    if pending:
        pieces.extend(Text.of(pending, size).pieces)
    return Text(size, tuple(pieces))


def choose(mask: NDArray[np.bool_], yes: Part, no: Part = "") -> Text:
    """``yes`` where ``mask`` holds, ``no`` elsewhere, not yet made."""
    mask = np.asarray(mask, dtype=bool)
    size = len(mask)
    if isinstance(yes, str) and isinstance(no, str):
        return Text(size, ((_texts((yes, no)), (~mask).astype(np.int64)),))
    first = () if isinstance(yes, str) and not yes else Text.of(yes, size).pieces
    second = () if isinstance(no, str) and not no else Text.of(no, size).pieces
    pieces = []
    for index in range(max(len(first), len(second))):
        if index >= len(second):
            # nothing on the other rows: the empty text there, no table to merge
            yes_table, yes_codes = first[index]
            pieces.append((yes_table, np.where(mask, yes_codes, -1)))
        elif index >= len(first):
            no_table, no_codes = second[index]
            pieces.append((no_table, np.where(mask, -1, no_codes)))
        else:
            (yes_table, yes_codes), (no_table, no_codes) = first[index], second[index]
            table = pa.concat_arrays([yes_table, no_table])
            pieces.append((table, np.where(mask, yes_codes, no_codes + len(yes_table))))
    return Text(size, tuple(pieces))


def place(index: IntArray, words: Text, size: int, default: str = "") -> Text:
    """``words`` placed at ``index`` among ``size`` rows, ``default`` elsewhere, not yet made."""
    index = np.asarray(index, dtype=np.int64)
    if len(words.pieces) > 1:
        # made now, on the few rows placed, rather than piece by piece on every row
        words = Text.of(words.array(), len(index))
    pieces = []
    for position, (table, codes) in enumerate(words.pieces or Text.of("", len(index)).pieces):
        filler = default if position == 0 else ""
        if filler:
            table = pa.concat_arrays([table, _texts((filler,))])
        spread = np.full(size, len(table) - 1 if filler else -1, dtype=np.int64)
        spread[index] = codes
        pieces.append((table, spread))
    return Text(size, tuple(pieces))


def sentence_when(mask: NDArray[np.bool_], *parts: Part) -> Text:
    """The joined parts where ``mask`` holds, empty text elsewhere, not yet made."""
    if all(isinstance(p, str) for p in parts):
        return choose(mask, "".join(str(p) for p in parts))
    return choose(mask, join(*parts))


def words_of(words: Sequence[str | None], index: IntArray, missing: str | None = None) -> Text:
    """``words[index]`` per row, ``missing`` (empty by default) where the index is negative, not
    yet made."""
    table = _texts((*(w or "" for w in words), missing or ""))
    index = np.asarray(index, dtype=np.int64)
    return Text(len(index), ((table, np.where(index >= 0, index, len(words))),))


def distinct_codes(values: NDArray[Any]) -> tuple[NDArray[Any], IntArray]:
    """The distinct values of an array (in increasing order when their range is compact), and
    for each value its position among them."""
    values = np.asarray(values)
    if values.dtype.kind == "i" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= 4 * len(values) + 4096:
            # a compact range: which values occur, and their ranks, by a table over the range
            relative = values.astype(np.int64) - low
            present = np.zeros(high - low + 1, dtype=bool)
            present[relative] = True
            rank = np.cumsum(present, dtype=np.int64) - 1
            return (np.flatnonzero(present) + low).astype(values.dtype), rank[relative]
    encoded = pc.dictionary_encode(pa.array(values))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return encoded.dictionary.to_numpy(zero_copy_only=False), codes


def value_words(values: NDArray[np.generic], words: Callable[[Any], str]) -> Text:
    """``words(v)`` for each value, formatted once per distinct value, not yet made."""
    values = np.asarray(values)
    if len(values) == 0:
        return Text(0, ())
    distinct, codes = distinct_codes(values)
    texts = pa.array([words(v) for v in distinct.tolist()], pa.string())
    return Text(len(values), ((texts, codes),))


def texts_of(offsets: IntArray, data: NDArray[np.uint8]) -> pa.Array:
    """A string array of texts given as where each ends (after a leading 0) and their bytes
    (as the compiled formatters of :mod:`truce.engine.kernels` give them)."""
    return pa.Array.from_buffers(
        pa.string(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)],
    )


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


_WHOLE_LIMIT = 1e15
"""Largest magnitude of the whole numbers the compiled formatters are given (far inside int64)."""


def distance_text(metres: FloatArray) -> Text:
    """Distances as '12.3 km' (or '850 m' under a kilometre), not yet made."""
    rounded = _rounded_metres(metres)
    if np.isfinite(rounded).all():
        # whole metres: formatted from integers (the same words, found faster)
        if len(rounded) and np.abs(rounded).max() < _WHOLE_LIMIT:
            distinct, codes = distinct_codes(rounded.astype(np.int64))
            if not (distinct[distinct >= 1000] % 100).any():
                # whole hundreds from a kilometre on: each distinct distance written by
                # compiled code
                return Text(len(codes), ((texts_of(*metre_texts(distinct)), codes),))
        return value_words(rounded.astype(np.int64), _metres_words)
    return value_words(rounded, _metres_words)


def percent_text(fraction: FloatArray) -> Text:
    """Shares as '62%' ('under 1%', 'over 99%'), not yet made."""
    rounded = _rounded_percent(fraction)
    if np.isfinite(rounded).all():
        # half percents: formatted from integers (the same words, found faster)
        halves = (rounded * 2.0).astype(np.int64)
        if len(halves) and halves.min() >= 0 and halves.max() <= 200:
            # from 0% to 100%: words picked from one table made once
            return Text(len(halves), ((_percent_table(), halves),))
        return value_words(halves, _half_percent)
    return value_words(rounded, _percent)


@lru_cache(maxsize=1)
def _percent_table() -> pa.Array:
    """The words of every half percent from 0% to 100% (code ``h`` is ``h / 2`` percent)."""
    return pa.array([_half_percent(halves) for halves in range(201)], pa.string())


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


@lru_cache(maxsize=4096)
def _texts(texts: tuple[str, ...]) -> pa.Array:
    """A string array of a few texts, made once."""
    return pa.array(texts, pa.string())


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


def _rounded_metres(metres: FloatArray) -> FloatArray:
    metres = np.asarray(metres, dtype=np.float64)
    return np.asarray(np.where(metres < 1000.0, np.round(metres), np.round(metres, -2)))


def _rounded_percent(fraction: FloatArray) -> FloatArray:
    percent = np.asarray(fraction, dtype=np.float64) * 100.0
    rounded = np.round(percent)
    rounded = np.where((percent > 0.0) & (rounded == 0.0), 0.5, rounded)
    return np.asarray(np.where((percent < 100.0) & (rounded == 100.0), 99.5, rounded))


def _half_percent(halves: int) -> str:
    return _percent(halves / 2.0)


@lru_cache(maxsize=1024)
def _percent(value: float) -> str:
    if value == 0.5:
        return "under 1%"
    if value == 99.5:
        return "over 99%"
    return f"{value:.0f}%"


def paragraph(*parts: Part) -> pa.Array:
    """Sentences as one paragraph (the last plain-text part loses its trailing spaces), made
    with one take (see :class:`Text`)."""
    if parts and isinstance(parts[-1], str):
        parts = (*parts[:-1], parts[-1].rstrip())
    return join(*parts).array()
