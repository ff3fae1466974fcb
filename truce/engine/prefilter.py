"""The first, cheapest pass over a batch: which events may concern which units at all.

Three bit masks (one bit per unit) are combined per event with a handful of numpy operations:
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
        local = self.window.local(batch.ix, batch.iy)
        local = np.where(local >= 0, local, self.window.size)
        kind = np.where(batch.kind >= 0, batch.kind, len(KIND_SLUGS))
        weapon = np.where(batch.weapon >= 0, batch.weapon, len(WEAPON_SLUGS))
        timely = self._timely(batch)
        wide = batch.wide & batch.located
        named = batch.has_target & batch.located
        for word in range(self.words):
            if not timely[word]:
                continue
            bits = self.cells[word][local]
            if wide.any():
                bits |= np.where(wide, self.spatial[word], np.uint64(0))
            if self.bypass[word] and named.any():
                bits |= np.where(named, self.bypass[word], np.uint64(0))
            bits &= self.kinds[word][kind] | self.weapons[word][weapon]
            bits &= timely[word]
            hit = np.flatnonzero(bits)
            if len(hit) == 0:
                continue
            hit_bits = bits[hit]
            for bit in range(min(_WORD, len(self.units) - word * _WORD)):
                mine = hit[(hit_bits >> np.uint64(bit)) & np.uint64(1) != 0]
                if len(mine):
                    out[word * _WORD + bit] = mine
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
