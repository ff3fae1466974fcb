"""The compiled prefilter pass gives, per unit, the rows the numpy mask formulation gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.engine.grid import Window
from truce.engine.prefilter import _word_rows


def _reference(
    ix: np.ndarray,
    iy: np.ndarray,
    window: Window,
    cells: np.ndarray,
    kind: np.ndarray,
    kinds: np.ndarray,
    weapon: np.ndarray,
    weapons: np.ndarray,
    wide: np.ndarray,
    named: np.ndarray,
    masks: np.ndarray,
) -> list[np.ndarray]:
    """The per-unit rows as numpy computed them before the kernel."""
    local = window.local(ix, iy)
    local = np.where(local >= 0, local, window.size)
    bits = cells[local]
    bits |= np.where(wide, masks[0], np.uint64(0))
    bits |= np.where(named, masks[1], np.uint64(0))
    k = np.where(kind >= 0, kind, len(kinds) - 1)
    w = np.where(weapon >= 0, weapon, len(weapons) - 1)
    bits &= kinds[k] | weapons[w]
    bits &= masks[2]
    return [np.flatnonzero((bits >> np.uint64(b)) & np.uint64(1)) for b in range(64)]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300))
def test_word_rows_equals_numpy(seed: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    window = Window(int(rng.integers(-3, 5)), int(rng.integers(0, 5)), 7, 5)
    units = int(rng.integers(1, 65))
    top = np.uint64(2**units - 1) if units < 64 else np.uint64(2**64 - 1)

    def masks_of(count: int) -> np.ndarray:
        values = rng.integers(0, 2**63, count, dtype=np.uint64) * np.uint64(2) + rng.integers(
            0, 2, count, dtype=np.uint64
        )
        return np.asarray(values & top, dtype=np.uint64)

    cells = np.append(masks_of(window.size), np.uint64(0))
    kinds = np.append(masks_of(6), np.uint64(0))
    weapons = np.append(masks_of(4), np.uint64(0))
    masks = masks_of(3)
    ix = rng.integers(-2, 14, size).astype(np.int64)
    iy = rng.integers(-2, 12, size).astype(np.int64)
    kind = rng.integers(-1, 6, size).astype(np.int16)
    weapon = rng.integers(-1, 4, size).astype(np.int16)
    wide = rng.random(size) < 0.2
    named = rng.random(size) < 0.2
    offsets = np.zeros(65, dtype=np.int64)
    rows = _word_rows(
        ix,
        iy,
        np.array([window.x0, window.y0, window.nx, window.ny], dtype=np.int64),
        cells,
        kind,
        kinds,
        weapon,
        weapons,
        wide,
        named,
        masks,
        offsets,
    )
    expected = _reference(ix, iy, window, cells, kind, kinds, weapon, weapons, wide, named, masks)
    for bit in range(64):
        np.testing.assert_array_equal(rows[offsets[bit] : offsets[bit + 1]], expected[bit])
