"""The compiled screen keeps the rows, statuses and shares the numpy classification gives."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.checks.base import screen
from truce.engine.timing import OPEN_END, OUTSIDE, Span, classify


def _reference(
    batch: Any, rows: np.ndarray, span: Span, level: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Screening as numpy did it before the kernel."""
    keep = (level > 0) & batch.located[rows]
    rows, level = rows[keep], level[keep]
    status, fraction = classify(batch.start[rows], batch.end[rows], span)
    keep = status != OUTSIDE
    return rows[keep], level[keep], status[keep], fraction[keep]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300), st.booleans())
def test_screen_equals_classify(seed: int, size: int, open_end: bool) -> None:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 1000, size).astype(np.int64)
    # instants (end <= start), short and long spans
    end = start + rng.choice([-5, 0, 0, 1, 7, 300, 2000], size)
    located = rng.random(size) < 0.9
    batch = cast(Any, SimpleNamespace(start=start, end=end, located=located))
    span = Span(int(rng.integers(0, 900)), OPEN_END if open_end else int(rng.integers(900, 1400)))
    rows = np.sort(rng.choice(size, size // 2, replace=False)).astype(np.int64)
    level = rng.integers(0, 3, len(rows)).astype(np.uint8)
    got = screen(batch, rows, span, level)
    expected = _reference(batch, rows, span, level)
    for actual, wanted in zip(
        (got.rows, got.level, got.time_status, got.time_fraction), expected, strict=True
    ):
        np.testing.assert_array_equal(actual, wanted)
        assert np.asarray(actual).dtype == np.asarray(wanted).dtype
