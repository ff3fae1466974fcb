"""The first, cheapest pass over a batch: which events may concern which units at all.

Three bit masks (one bit per unit) are combined per event in one compiled pass (:func:`_word_rows`):
one per grid cell (the unit's fields come within their reach plus :data:`NARROW_M` of the cell),
one per event kind and weapon class (the unit's tables give them a level), and one per batch (the
unit's span meets the batch's time range). Events with a wide precision circle skip the cell
mask; events naming a target skip it for units that match targets by name. Only the events left
go to the units' exact checks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from truce.engine.batch import KIND_SLUGS, WEAPON_SLUGS, PreparedBatch
from truce.engine.checks import EventUnit
from truce.engine.fields import NARROW_M
from truce.engine.grid import IntArray, Window
from truce.engine.kernels import compiled

_WORD = 64


class Prefilter:
    """Cell, kind and time bit masks of a set of units."""

    def __init__(self, units: list[EventUnit]) -> None:
        self.units = units
        self.words = max(1, -(-len(units) // _WORD))
        windows = [field.window for unit in units for field, _ in unit.near()]
        self.window = windows[0] if windows else Window(0, 0, 1, 1)
        for window in windows[1:]:
            self.window = self.window.union(window)
        self.cells = np.zeros((self.words, self.window.size + 1), dtype=np.uint64)
        self.kinds = np.zeros((self.words, len(KIND_SLUGS) + 1), dtype=np.uint64)
        self.weapons = np.zeros((self.words, len(WEAPON_SLUGS) + 1), dtype=np.uint64)
        self.bypass = np.zeros(self.words, dtype=np.uint64)
        self.spatial = np.zeros(self.words, dtype=np.uint64)
        for index, unit in enumerate(units):
            self._add(index, unit)
        _warm()

    def _add(self, index: int, unit: EventUnit) -> None:
        word, bit = divmod(index, _WORD)
        flag = np.uint64(1) << np.uint64(bit)
        grid = self.cells[word, :-1].reshape(self.window.ny, self.window.nx)
        for field, reach in unit.near():
            near = (field.lo <= reach + NARROW_M).reshape(field.window.ny, field.window.nx)
            rows = slice(
                field.window.y0 - self.window.y0, field.window.y0 - self.window.y0 + field.window.ny
            )
            cols = slice(
                field.window.x0 - self.window.x0, field.window.x0 - self.window.x0 + field.window.nx
            )
            grid[rows, cols] |= np.where(near, flag, np.uint64(0))
        self.kinds[word, :-1] |= np.where(unit.kind_levels > 0, flag, np.uint64(0))
        self.weapons[word, :-1] |= np.where(unit.weapon_levels > 0, flag, np.uint64(0))
        self.spatial[word] |= flag
        if unit.bypass_targets:
            self.bypass[word] |= flag

    def candidates(self, batch: PreparedBatch) -> list[IntArray]:
        """For every unit, the rows of the batch that may concern it."""
        out: list[IntArray] = [np.zeros(0, dtype=np.int64) for _ in self.units]
        if batch.size == 0 or not self.units:
            return out
        timely = self._timely(batch)
        wide = batch.wide & batch.located
        named = batch.has_target & batch.located
        window = self.window
        for word in range(self.words):
            if not timely[word]:
                continue
            offsets = np.zeros(_WORD + 1, dtype=np.int64)
            rows = _word_rows(
                batch.ix,
                batch.iy,
                np.array([window.x0, window.y0, window.nx, window.ny], dtype=np.int64),
                self.cells[word],
                batch.kind,
                self.kinds[word],
                batch.weapon,
                self.weapons[word],
                wide,
                named,
                np.array([self.spatial[word], self.bypass[word], timely[word]], dtype=np.uint64),
                offsets,
            )
            for bit in range(min(_WORD, len(self.units) - word * _WORD)):
                if offsets[bit + 1] > offsets[bit]:
                    out[word * _WORD + bit] = rows[offsets[bit] : offsets[bit + 1]]
        return out

    def _timely(self, batch: PreparedBatch) -> NDArray[np.uint64]:
        """Per word, the units whose span meets the batch's time range."""
        first, last = int(batch.start.min()), int(batch.end.max())
        timely = np.zeros(self.words, dtype=np.uint64)
        for index, unit in enumerate(self.units):
            if unit.context.span.overlaps(first, last):
                word, bit = divmod(index, _WORD)
                timely[word] |= np.uint64(1) << np.uint64(bit)
        return timely


@compiled
def _word_rows(
    ix: IntArray,
    iy: IntArray,
    window: IntArray,
    cells: NDArray[np.uint64],
    kind: NDArray[np.int16],
    kinds: NDArray[np.uint64],
    weapon: NDArray[np.int16],
    weapons: NDArray[np.uint64],
    wide: NDArray[np.bool_],
    named: NDArray[np.bool_],
    masks: NDArray[np.uint64],
    offsets: IntArray,
) -> IntArray:
    """The rows of a batch each unit of one 64-unit word may concern, grouped by unit.

    Per row, the unit bits are: the row's cell mask (``cells``, laid out on ``window`` =
    x0, y0, nx, ny; the last entry, zero, for rows outside it), or all spatial units
    (``masks[0]``) for a wide circle, or-ed with the units matching targets by name
    (``masks[1]``) for a row naming a target, and-ed with the kind or weapon masks (their last
    entries for a missing code) and the batch's timely units (``masks[2]``). Returns the rows of
    unit bit ``b`` as ``rows[offsets[b]:offsets[b + 1]]``, ascending (``offsets`` is filled).
    """
    x0, y0, nx, ny = window[0], window[1], window[2], window[3]
    outside = nx * ny
    no_kind, no_weapon = len(kinds) - 1, len(weapons) - 1
    size = len(ix)
    bits = np.empty(size, dtype=np.uint64)
    counts = np.zeros(64, dtype=np.int64)
    one = np.uint64(1)
    for row in range(size):
        cx, cy = ix[row] - x0, iy[row] - y0
        local = cy * nx + cx if 0 <= cx < nx and 0 <= cy < ny else outside
        b = cells[local]
        if wide[row]:
            b |= masks[0]
        if named[row]:
            b |= masks[1]
        k = kind[row] if kind[row] >= 0 else no_kind
        w = weapon[row] if weapon[row] >= 0 else no_weapon
        b &= (kinds[k] | weapons[w]) & masks[2]
        bits[row] = b
        bit = 0
        while b:
            if b & one:
                counts[bit] += 1
            b >>= one
            bit += 1
    offsets[0] = 0
    for bit in range(64):
        offsets[bit + 1] = offsets[bit] + counts[bit]
    rows = np.empty(offsets[64], dtype=np.int64)
    at = offsets[:64].copy()
    for row in range(size):
        b = bits[row]
        bit = 0
        while b:
            if b & one:
                rows[at[bit]] = row
                at[bit] += 1
            b >>= one
            bit += 1
    return rows


def _warm() -> None:
    """Load :func:`_word_rows` (from numba's disk cache, or compiling it) at set-up rather than
    inside the first batch."""
    nowhere = np.zeros(0, dtype=np.int64)
    none16 = np.zeros(0, dtype=np.int16)
    mask = np.zeros(1, dtype=np.uint64)
    flags = np.zeros(0, dtype=bool)
    window = np.zeros(4, dtype=np.int64)
    offsets = np.zeros(_WORD + 1, dtype=np.int64)
    _word_rows(
        nowhere, nowhere, window, mask, none16, mask, none16, mask, flags, flags, mask, offsets
    )
