"""Candidate pairs of reports that may describe one incident, found without comparing all pairs.

Two reports *match* (:func:`matches`) when

* their kinds are not incompatible (:mod:`truce.verification.compatibility`);
* their time intervals, each widened by the larger of the two sources' time windows, overlap:
  ``|mid_a - mid_b| <= window + half_a + half_b``;
* the chord distance between their points is at most the larger of the two distance windows
  plus both precision radii: their circles of uncertainty, widened by the window, touch.

:func:`matching_pairs` finds every matching pair between two sets of reports with a grid and a
sort: each report of one set is put in a cell of a grid whose cells are as wide as the largest
distance any pair of the two sets may match at, and the other set is sorted by (cell column,
cell row, time). A report then looks up, with binary search, the stretch of each of the nine
cells around its own that falls within its time reach. Work grows with the number of candidate
pairs, never with the square of the reports. The candidates are then checked exactly with
:func:`matches`, in blocks of bounded size, so memory stays bounded in dense data.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from truce.verification.compatibility import INCOMPATIBLE
from truce.verification.reports import EARTH_RADIUS_M, ReportArrays, chord2

BLOCK_PAIRS = 4_000_000
"""How many candidate pairs are checked at once (bounds memory)."""

QUERY_CHUNK = 500_000
"""How many reports look up their neighbours at once."""

_MARGIN = 1.01
_OFFSETS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def matches(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each pair ``(a[i], b[i])`` of report indices matches (see the module docstring)."""
    ok = arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]] != INCOMPATIBLE
    ok &= arrays.located[a] & arrays.located[b]
    time_reach = 2 * np.maximum(arrays.window_us[a], arrays.window_us[b])
    mid2 = arrays.start + arrays.end
    span2 = arrays.end - arrays.start
    ok &= np.abs(mid2[a] - mid2[b]) <= time_reach + span2[a] + span2[b]
    reach = np.maximum(arrays.window_m[a], arrays.window_m[b]) + arrays.radius[a]
    reach += arrays.radius[b]
    reach /= EARTH_RADIUS_M
    ok &= chord2(arrays.xyz, a, b) <= reach * reach
    return np.asarray(ok)


def matching_pairs(
    arrays: ReportArrays,
    a: np.ndarray,
    b: np.ndarray | None = None,
    *,
    block_pairs: int = BLOCK_PAIRS,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of matching pairs ``(i from a, j from b)``; with ``b`` None, pairs within ``a``.

    Within one set each unordered pair comes once, with ``i < j``. ``a`` and ``b`` are arrays of
    report indices of located reports; they must not overlap.
    """
    b_set = a if b is None else b
    if a.size == 0 or b_set.size == 0:
        return
    grid = _Grid(arrays, a, b_set)
    b_keys = grid.key(b_set)
    order = np.argsort(b_keys, kind="stable")
    sorted_b, sorted_keys = b_set[order], b_keys[order]
    sorted_a = sorted_b if b is None else a[np.argsort(grid.key(a), kind="stable")]
    for first in range(0, a.size, QUERY_CHUNK):
        queries = sorted_a[first : first + QUERY_CHUNK]
        starts, counts = grid.lookup(sorted_keys, queries)
        yield from _expand(arrays, queries, sorted_b, starts, counts, b is None, block_pairs)


class _Grid:
    """Cells and sort keys for one join: the cell size is the largest reach of any pair."""

    def __init__(self, arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> None:
        both = np.concatenate([a, b])
        window = float(arrays.window_m[both].max())
        self.reach_m = window + float(arrays.radius[a].max()) + float(arrays.radius[b].max())
        self.cell_m = self.reach_m * _MARGIN + 10.0
        span2 = arrays.end - arrays.start
        self.reach_t2 = int(
            2 * int(arrays.window_us[both].max()) + int(span2[a].max()) + int(span2[b].max())
        )
        lat = arrays.lat[both]
        self.cos_ref = max(float(np.cos(np.radians(min(float(np.abs(lat).max()), 89.0)))), 0.01)
        self.arrays = arrays
        x, y = self._xy(both)
        self.x0, self.y0 = float(x.min()), float(y.min())
        mid2 = arrays.start[both] + arrays.end[both]
        self.t0 = int(mid2.min())
        cells_x = int((float(x.max()) - self.x0) // self.cell_m) + 3
        cells_y = int((float(y.max()) - self.y0) // self.cell_m) + 3
        self.y_bits = max(int(cells_y).bit_length(), 1)
        self.x_bits = max(int(cells_x).bit_length(), 1)
        t_range = int(mid2.max()) - self.t0 + 2 * self.reach_t2 + 1
        self.quantum = 1
        while (t_range // self.quantum).bit_length() + self.x_bits + self.y_bits > 62:
            self.quantum *= 2
        self.t_bits = 62 - self.x_bits - self.y_bits

    def _xy(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam = np.radians(self.arrays.lon[idx])
        phi = np.radians(self.arrays.lat[idx])
        return EARTH_RADIUS_M * self.cos_ref * lam, EARTH_RADIUS_M * phi

    def _cells(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._xy(idx)
        cx = ((x - self.x0) // self.cell_m).astype(np.int64) + 1
        cy = ((y - self.y0) // self.cell_m).astype(np.int64) + 1
        return cx, cy

    def _pack(self, cx: np.ndarray, cy: np.ndarray, tq: np.ndarray) -> np.ndarray:
        return np.asarray((cx << (self.y_bits + self.t_bits)) | (cy << self.t_bits) | tq)

    def _tq(self, mid2: np.ndarray) -> np.ndarray:
        shifted = np.clip(mid2 - self.t0 + self.reach_t2, 0, None)
        return np.asarray(shifted // self.quantum)

    def key(self, idx: np.ndarray) -> np.ndarray:
        """The sort key of each report: (cell column, cell row, time)."""
        cx, cy = self._cells(idx)
        mid2 = self.arrays.start[idx] + self.arrays.end[idx]
        return self._pack(cx, cy, self._tq(mid2))

    def lookup(self, sorted_keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of the nine cells around each query: the start and length of its stretch."""
        cx, cy = self._cells(queries)
        mid2 = self.arrays.start[queries] + self.arrays.end[queries]
        low = self._tq(mid2 - self.reach_t2)
        high = self._tq(mid2 + self.reach_t2)
        starts = np.empty((len(_OFFSETS), queries.size), dtype=np.int64)
        counts = np.empty_like(starts)
        for row, (dx, dy) in enumerate(_OFFSETS):
            nx, ny = cx + dx, cy + dy
            lo = np.searchsorted(sorted_keys, self._pack(nx, ny, low), side="left")
            hi = np.searchsorted(sorted_keys, self._pack(nx, ny, high), side="right")
            starts[row] = lo
            counts[row] = hi - lo
        return starts, counts


def _expand(
    arrays: ReportArrays,
    queries: np.ndarray,
    sorted_b: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    self_join: bool,
    block_pairs: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    per_query = counts.sum(axis=0)
    bounds = np.cumsum(per_query)
    first = 0
    while first < queries.size:
        base = int(bounds[first - 1]) if first else 0
        last = int(np.searchsorted(bounds, base + block_pairs, side="right"))
        last = max(last, first + 1)
        cols = slice(first, last)
        block_counts = counts[:, cols].ravel()
        owners = np.tile(queries[cols], len(_OFFSETS))
        a, b = _repeat_ranges(owners, starts[:, cols].ravel(), block_counts, sorted_b)
        if self_join:
            keep = a < b
            a, b = a[keep], b[keep]
        ok = matches(arrays, a, b)
        if ok.any():
            yield a[ok], b[ok]
        first = last


def _repeat_ranges(
    owners: np.ndarray, starts: np.ndarray, counts: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each owner repeated once per element of its range ``values[start:start + count]``."""
    nonzero = counts > 0
    owners, starts, counts = owners[nonzero], starts[nonzero], counts[nonzero]
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    left = np.repeat(owners, counts)
    offsets = np.cumsum(counts) - counts
    positions = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, counts)
    return left, values[positions]
