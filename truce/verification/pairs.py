"""Pairs of reports that may describe one incident, found without comparing all pairs.

Two reports *match* (:func:`matches`) when

* their kinds are not incompatible (:mod:`truce.verification.compatibility`);
* their time intervals overlap, or their middles are at most the larger of the two sources'
  time windows apart: ``|mid_a - mid_b| <= max(window, half_a + half_b)``. The window is a
  tolerance on precise times; a report dated to a day carries its uncertainty in its interval,
  so two reports dated to consecutive days match only with a window of a day;
* the chord distance between their points is at most the larger of the two distance windows
  plus both precision radii: their circles of uncertainty, widened by the window, touch.

The test is exactly symmetric, so it does not matter which report of a pair comes first.

:func:`matching_pairs` finds every matching pair between two sets of reports with a grid and a
sort: the cells of the grid are as wide as the largest distance any pair of the two sets may
match at, and one set is sorted by (cell column, cell row, time). Each report of the other set
then looks up, by binary search, the stretch of each of the nine cells around its own that falls
within its time reach. Work grows with the number of candidate pairs, never with the square of
the number of reports. Candidates are checked in blocks of bounded size, on copies of the few
columns the test needs laid out in the sorted order, so that the checks read memory in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from truce.verification.compatibility import CONFLICTING, INCOMPATIBLE
from truce.verification.reports import EARTH_RADIUS_M, ReportArrays, chord2

BLOCK_PAIRS = 2_000_000
"""How many candidate pairs are checked at once (bounds memory)."""

QUERY_CHUNK = 262_144
"""How many reports look up their neighbours at once."""

_MARGIN = 1.01
_ALL_CELLS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
_FORWARD_CELLS = [(0, 1), (1, -1), (1, 0), (1, 1)]


def matches(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each pair ``(a[i], b[i])`` of report indices matches (see the module docstring)."""
    ok = arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]] != INCOMPATIBLE
    ok &= arrays.located[a] & arrays.located[b]
    mid2 = arrays.start + arrays.end
    span2 = arrays.end - arrays.start
    time_reach = time_reach2(arrays.window_us[a], arrays.window_us[b], span2[a], span2[b])
    ok &= np.abs(mid2[a] - mid2[b]) <= time_reach
    reach = space_reach(arrays.window_m[a], arrays.window_m[b], arrays.radius[a], arrays.radius[b])
    ok &= chord2(arrays.xyz, a, b) <= reach * reach
    return np.asarray(ok)


def time_reach2(
    window_a: np.ndarray, window_b: np.ndarray, span2_a: np.ndarray, span2_b: np.ndarray
) -> np.ndarray:
    """Twice the largest time between the middles of two matching reports; symmetric.

    Their intervals overlap (the middles are at most the two half-widths apart), or their
    middles are at most the larger of the two windows apart. A window is a tolerance on the
    reported times: an interval as long as a day already carries its own uncertainty.
    """
    return np.asarray(np.maximum(2 * np.maximum(window_a, window_b), span2_a + span2_b))


def space_reach(
    window_a: np.ndarray, window_b: np.ndarray, radius_a: np.ndarray, radius_b: np.ndarray
) -> np.ndarray:
    """The largest chord (in Earth radii) at which two reports match; symmetric in a and b."""
    return np.asarray((np.maximum(window_a, window_b) + (radius_a + radius_b)) / EARTH_RADIUS_M)


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A block of matching pairs: the first reports, the second reports, and the pairs' scores."""


def matching_pairs(
    arrays: ReportArrays,
    a: np.ndarray,
    b: np.ndarray | None = None,
    *,
    block_pairs: int = BLOCK_PAIRS,
) -> Iterator[Pairs]:
    """Blocks of matching pairs ``(i from a, j from b, score)``; with ``b`` None, within ``a``.

    Within one set each unordered pair comes once. ``a`` and ``b`` hold indices of located
    reports and must not overlap. The score is :func:`pair_scores` of the pair.
    """
    if b is not None and a.size > b.size:
        for from_b, from_a, score in matching_pairs(arrays, b, a, block_pairs=block_pairs):
            yield from_a, from_b, score
        return
    b_set = a if b is None else b
    if a.size == 0 or b_set.size == 0:
        return
    grid = _Grid(arrays, a, b_set)
    right = grid.side(b_set)
    left = right if b is None else grid.side(a)
    cells = _FORWARD_CELLS if b is None else _ALL_CELLS
    for first in range(0, left.size, QUERY_CHUNK):
        queries = np.arange(first, min(first + QUERY_CHUNK, left.size), dtype=np.int64)
        starts, counts = grid.lookup(right.key, left, queries, cells)
        if b is None:
            starts, counts = _own_cell_forward(grid, left, queries, starts, counts)
        yield from _check(arrays, left, right, queries, starts, counts, block_pairs)


def pair_scores(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far apart two matching reports are, as shares of the pair's windows; symmetric.

    The distance over the distance reach, plus the time between the middles over the time
    reach, plus 2 when the kinds conflict.
    """
    mid2 = arrays.start + arrays.end
    span2 = arrays.end - arrays.start
    return _score(
        chord2(arrays.xyz, a, b),
        space_reach(arrays.window_m[a], arrays.window_m[b], arrays.radius[a], arrays.radius[b]),
        np.abs(mid2[a] - mid2[b]),
        time_reach2(arrays.window_us[a], arrays.window_us[b], span2[a], span2[b]),
        arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]],
    )


def _score(
    chord_2: np.ndarray,
    reach: np.ndarray,
    gap2: np.ndarray,
    time_reach2: np.ndarray,
    relation: np.ndarray,
) -> np.ndarray:
    distance = np.sqrt(chord_2)
    space = np.divide(distance, reach, out=np.zeros_like(distance), where=reach > 0)
    gap = gap2.astype(np.float64)
    span = time_reach2.astype(np.float64)
    time = np.divide(gap, span, out=np.zeros_like(gap), where=span > 0)
    return np.asarray(space + time + 2.0 * (relation == CONFLICTING))


@dataclass
class _Side:
    """The columns the test needs, for a set of reports, in the grid's sort order."""

    idx: np.ndarray
    key: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    mid2: np.ndarray
    span2: np.ndarray
    window_us: np.ndarray
    window_m: np.ndarray
    radius: np.ndarray
    kind: np.ndarray

    @property
    def size(self) -> int:
        """How many reports."""
        return int(self.idx.size)


class _Grid:
    """Cells and sort keys for one join: the cell size is the largest reach of any pair."""

    def __init__(self, arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> None:
        self.arrays = arrays
        windows = max(float(arrays.window_m[a].max()), float(arrays.window_m[b].max()))
        reach_m = windows + float(arrays.radius[a].max()) + float(arrays.radius[b].max())
        self.cell_m = reach_m * _MARGIN + 10.0
        span2 = arrays.end - arrays.start
        time_window = max(int(arrays.window_us[a].max()), int(arrays.window_us[b].max()))
        self.reach_t2 = max(2 * time_window, int(span2[a].max()) + int(span2[b].max()))
        gx, gy = arrays.grid_x, arrays.grid_y
        x0, x1 = min(gx[a].min(), gx[b].min()), max(gx[a].max(), gx[b].max())
        y0, y1 = min(gy[a].min(), gy[b].min()), max(gy[a].max(), gy[b].max())
        mid_a = arrays.start[a] + arrays.end[a]
        mid_b = arrays.start[b] + arrays.end[b]
        t0 = int(min(mid_a.min(), mid_b.min()))
        t1 = int(max(mid_a.max(), mid_b.max()))
        self.x0, self.y0, self.t0 = float(x0), float(y0), t0
        self.y_bits = max((int((y1 - y0) // self.cell_m) + 3).bit_length(), 1)
        x_bits = max((int((x1 - x0) // self.cell_m) + 3).bit_length(), 1)
        t_range = t1 - t0 + 2 * self.reach_t2 + 1
        self.quantum = 1
        while (t_range // self.quantum).bit_length() + x_bits + self.y_bits > 62:
            self.quantum *= 2
        self.t_bits = 62 - x_bits - self.y_bits

    def pack(self, cx: np.ndarray, cy: np.ndarray, tq: np.ndarray) -> np.ndarray:
        """The sort key of cells and quantised times."""
        return np.asarray((cx << (self.y_bits + self.t_bits)) | (cy << self.t_bits) | tq)

    def tq(self, mid2: np.ndarray) -> np.ndarray:
        """Quantised, shifted times (never negative)."""
        shifted = np.clip(mid2 - self.t0 + self.reach_t2, 0, None)
        return np.asarray(shifted // self.quantum)

    def side(self, idx: np.ndarray) -> _Side:
        """The columns of reports ``idx``, sorted by (cell column, cell row, time)."""
        arrays = self.arrays
        cx = ((arrays.grid_x[idx] - self.x0) // self.cell_m).astype(np.int64) + 1
        cy = ((arrays.grid_y[idx] - self.y0) // self.cell_m).astype(np.int64) + 1
        mid2 = arrays.start[idx] + arrays.end[idx]
        key = self.pack(cx, cy, self.tq(mid2))
        order = np.argsort(key, kind="stable")
        s = idx[order]
        return _Side(
            idx=s,
            key=key[order],
            cx=cx[order],
            cy=cy[order],
            x=arrays.xyz[0][s],
            y=arrays.xyz[1][s],
            z=arrays.xyz[2][s],
            mid2=mid2[order],
            span2=arrays.end[s] - arrays.start[s],
            window_us=arrays.window_us[s],
            window_m=arrays.window_m[s],
            radius=arrays.radius[s],
            kind=arrays.kind[s],
        )

    def lookup(
        self,
        sorted_keys: np.ndarray,
        side: _Side,
        queries: np.ndarray,
        cells: list[tuple[int, int]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each cell offset and query: the start and length of its stretch of candidates."""
        cx, cy = side.cx[queries], side.cy[queries]
        low = self.tq(side.mid2[queries] - self.reach_t2)
        high = self.tq(side.mid2[queries] + self.reach_t2)
        starts = np.empty((len(cells), queries.size), dtype=np.int64)
        counts = np.empty_like(starts)
        for row, (dx, dy) in enumerate(cells):
            lo = np.searchsorted(sorted_keys, self.pack(cx + dx, cy + dy, low), side="left")
            hi = np.searchsorted(sorted_keys, self.pack(cx + dx, cy + dy, high), side="right")
            starts[row] = lo
            counts[row] = hi - lo
        return starts, counts


def _own_cell_forward(
    grid: _Grid,
    side: _Side,
    queries: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For a join of a set with itself: add each query's own cell, after its own position."""
    high = grid.tq(side.mid2[queries] + grid.reach_t2)
    last_key = grid.pack(side.cx[queries], side.cy[queries], high)
    end = np.searchsorted(side.key, last_key, side="right")
    own_start = queries + 1
    own = np.maximum(end - own_start, 0)
    return np.vstack([starts, own_start]), np.vstack([counts, own])


def _check(
    arrays: ReportArrays,
    left: _Side,
    right: _Side,
    queries: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    block_pairs: int,
) -> Iterator[Pairs]:
    """Expand the stretches into candidate pairs, block by block, and keep those that match."""
    bounds = np.cumsum(counts.sum(axis=0))
    first = 0
    matrix = arrays.kinds.matrix
    while first < queries.size:
        base = int(bounds[first - 1]) if first else 0
        last = max(int(np.searchsorted(bounds, base + block_pairs, side="right")), first + 1)
        cols = slice(first, last)
        qa, pb = _repeat_ranges(
            np.tile(queries[cols], counts.shape[0]),
            starts[:, cols].ravel(),
            counts[:, cols].ravel(),
        )
        first = last
        time_reach = time_reach2(
            left.window_us[qa], right.window_us[pb], left.span2[qa], right.span2[pb]
        )
        gap = np.abs(left.mid2[qa] - right.mid2[pb])
        keep = gap <= time_reach
        qa, pb, gap, time_reach = qa[keep], pb[keep], gap[keep], time_reach[keep]
        relation = matrix[left.kind[qa], right.kind[pb]]
        keep = relation != INCOMPATIBLE
        qa, pb, gap, time_reach, relation = (v[keep] for v in (qa, pb, gap, time_reach, relation))
        reach = space_reach(left.window_m[qa], right.window_m[pb], left.radius[qa],
                            right.radius[pb])  # fmt: skip
        dx = left.x[qa] - right.x[pb]
        dy = left.y[qa] - right.y[pb]
        dz = left.z[qa] - right.z[pb]
        chord_2 = dx * dx + dy * dy + dz * dz
        keep = chord_2 <= reach * reach
        if keep.any():
            score = _score(chord_2[keep], reach[keep], gap[keep], time_reach[keep], relation[keep])
            yield left.idx[qa[keep]], right.idx[pb[keep]], score


def _repeat_ranges(
    owners: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each owner repeated once per position of its range ``[start, start + count)``."""
    nonzero = counts > 0
    owners, starts, counts = owners[nonzero], starts[nonzero], counts[nonzero]
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    left = np.repeat(owners, counts)
    offsets = np.cumsum(counts) - counts
    positions = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, counts)
    return left, positions
