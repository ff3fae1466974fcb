"""The explanation texts (truce.engine.explain.Text): joined, chosen and placed lazily, made with
one take, they must equal the same operations on Python strings, row by row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.explain import (
    Text,
    choose,
    join,
    paragraph,
    place,
    sentence_when,
    value_words,
    words_of,
)

# texts with multi-byte characters, since offsets count bytes
WORD = st.text(alphabet="ab ;é€Ж", max_size=6)


@st.composite
def rows_and_texts(draw: st.DrawFn) -> tuple[int, list[list[str | None]]]:
    size = draw(st.integers(0, 12))
    columns = draw(st.lists(st.lists(st.none() | WORD, min_size=size, max_size=size), max_size=4))
    return size, columns


@settings(max_examples=200, deadline=None)
@given(rows_and_texts(), st.lists(WORD, max_size=4), st.data())
def test_join_choose_place_equal_python_strings(
    drawn: tuple[int, list[list[str | None]]], constants: list[str], data: st.DataObject
) -> None:
    size, columns = drawn
    arrays = [pa.array(c, pa.string()) for c in columns]
    parts: list[str | pa.Array] = [pa.array([""] * size, pa.string())]
    expected = [""] * size
    for i, array in enumerate(arrays):
        constant = constants[i] if i < len(constants) else "-"
        parts += [constant, array]
        expected = [e + constant + (v or "") for e, v in zip(expected, columns[i], strict=True)]
    joined = join(*parts)
    assert joined.array().to_pylist() == expected

    mask = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)), dtype=bool)
    other = data.draw(WORD)
    chosen = choose(mask, joined, other).array().to_pylist()
    assert chosen == [e if m else other for e, m in zip(expected, mask, strict=True)]
    assert sentence_when(mask, joined, "!").array().to_pylist() == [
        e + "!" if m else "" for e, m in zip(expected, mask, strict=True)
    ]

    index = np.flatnonzero(mask)
    default = data.draw(WORD)
    subset = join("<", pa.array([expected[i] for i in index], pa.string()), ">")
    placed = place(index, subset, size, default).array().to_pylist()
    assert placed == [f"<{e}>" if m else default for e, m in zip(expected, mask, strict=True)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-3, 5), max_size=30), st.lists(WORD, min_size=1, max_size=5), WORD)
def test_words_of_and_value_words(index: list[int], words: list[str], missing: str) -> None:
    codes = np.array([i if i < len(words) else -1 for i in index], dtype=np.int64)
    got = join(words_of(words, codes, missing), "|", value_words(codes, lambda v: f"v{v}"))
    assert got.array().to_pylist() == [
        (words[c] if c >= 0 else missing) + f"|v{c}" for c in codes.tolist()
    ]


def test_paragraph_trims_the_last_plain_part() -> None:
    text = paragraph(pa.array(["a", "b"]), " end.   ")
    assert text.to_pylist() == ["a end.", "b end."]


def test_a_text_needs_rows() -> None:
    empty = Text.of("x", 0)
    assert empty.array().to_pylist() == []
    assert join(pa.array([], pa.string()), "x").array().to_pylist() == []
