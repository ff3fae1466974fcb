"""The compiled cell-bounds pass gives what the field's local cell then bounds give."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.fields import PointsField
from truce.engine.grid import cell_numbers

_FIELD = PointsField(
    np.array([30.0, 30.3, 30.31]),
    np.array([50.0, 50.2, 50.21]),
    np.array([0.0, 200.0, 0.0]),
    5000.0,
)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 400))
def test_cell_bounds_equals_local_then_bounds(seed: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    # around the field's window and well beyond it, with missing coordinates
    lon = rng.uniform(28.5, 31.8, size)
    lat = rng.uniform(49.0, 51.2, size)
    lon[rng.random(size) < 0.05] = np.nan
    ix, iy = cell_numbers(lon, lat)
    rows = np.sort(rng.choice(size, size // 2, replace=False)).astype(np.int64)
    local, lo, hi = _FIELD.cell_bounds(ix, iy, rows)
    expected_local = _FIELD.local(ix[rows], iy[rows])
    expected_lo, expected_hi = _FIELD.bounds(expected_local)
    np.testing.assert_array_equal(local, expected_local)
    np.testing.assert_array_equal(lo, expected_lo)
    np.testing.assert_array_equal(hi, expected_hi)
    assert lo.dtype == expected_lo.dtype
    assert local.dtype == expected_local.dtype


def test_outside_bound_is_rounded_as_before() -> None:
    # an outside bound that is no float32 number: rounded to float32 as numpy's where did
    field = PointsField(np.array([30.0]), np.array([50.0]), np.array([0.0]), 5000.0)
    field.outside_lo = 7000.123
    assert float(np.float32(field.outside_lo)) != field.outside_lo
    far = np.array([0], dtype=np.int64)
    _, lo, hi = field.cell_bounds(far, far, far)
    expected_lo, _ = field.bounds(np.array([-1]))
    np.testing.assert_array_equal(lo, expected_lo)
    assert hi[0] == np.inf
