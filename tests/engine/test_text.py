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
    # the empty text on one side (codes of -1), and texts of different piece counts
    flipped = choose(mask, "", join(joined, other)).array().to_pylist()
    assert flipped == ["" if m else e + other for e, m in zip(expected, mask, strict=True)]
    mixed = choose(mask, join(other, joined, "?"), join(joined, other)).array().to_pylist()
    assert mixed == [
        other + e + "?" if m else e + other for e, m in zip(expected, mask, strict=True)
    ]
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


# the compiled formatters must say every value exactly as the Python formatters do

from truce.engine.explain import _metres_words, _percent, distance_text, percent_text  # noqa: E402
from truce.engine.timing import minute_stamp, stamp_text  # noqa: E402

_MINUTE = 60_000_000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-510_170_400, 4_223_371_679), max_size=20))
def test_stamps_equal_python(minutes: list[int]) -> None:
    # microseconds anywhere inside each minute, including negative values (floored, not cut)
    micros = np.array([m * _MINUTE + (m % 7) * 8_571_428 for m in minutes], dtype=np.int64)
    made = stamp_text(micros).array().to_pylist() if minutes else []
    assert made == [minute_stamp(m) for m in minutes]


def test_stamps_at_the_edges_of_the_compiled_range() -> None:
    minutes = [-510_170_400, -510_170_401, 4_223_371_679, 0, -1, 29_000_000]
    micros = np.array(minutes, dtype=np.int64) * _MINUTE
    assert stamp_text(micros).array().to_pylist() == [minute_stamp(m) for m in minutes]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(-1_000_000, 10**13).map(float),
            st.integers(-2000, 200_000).map(lambda n: n / 2.0),  # .5: rounding to even
            st.floats(-5e3, 1e12, allow_nan=False),
            st.integers(9_990, 10_010).map(lambda n: n / 10.0),  # around 999.5 m
        ),
        max_size=20,
    )
)
def test_distances_equal_python(metres: list[float]) -> None:
    values = np.array(metres, dtype=np.float64)
    made = distance_text(values).array().to_pylist() if metres else []
    rounded = np.where(values < 1000.0, np.round(values), np.round(values, -2))
    expected = [_metres_words(float(m)) for m in rounded]
    # the Python words of -0.0 are '-0 m'; whole metres (as before) say '0 m'
    assert made == [w.replace("-0 m", "0 m") if w == "-0 m" else w for w in expected]


def test_distances_unknown_and_huge_fall_back() -> None:
    values = np.array([np.nan, 1e300, 850.0, 12_345.0])
    assert distance_text(values).array().to_pylist() == [
        "an unknown distance",
        _metres_words(1e300),
        "850 m",
        "12.3 km",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(-0.5, 1.5, allow_nan=False),
            st.integers(-100, 300).map(lambda n: n / 200.0),  # half percents: rounding to even
            st.sampled_from([0.0, 1e-9, 0.004999, 0.005, 0.995, 0.99500001, 0.999999, 1.0]),
        ),
        max_size=20,
    )
)
def test_percents_equal_python(fractions: list[float]) -> None:
    values = np.array(fractions, dtype=np.float64)
    made = percent_text(values).array().to_pylist() if fractions else []
    percent = values * 100.0
    rounded = np.round(percent)
    rounded = np.where((percent > 0.0) & (rounded == 0.0), 0.5, rounded)
    rounded = np.where((percent < 100.0) & (rounded == 100.0), 99.5, rounded)
    assert made == [_percent(float(r) + 0.0) for r in rounded]
