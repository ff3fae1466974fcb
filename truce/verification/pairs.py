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

BLOCK_PAIRS = 131_072
"""How many candidate pairs are checked at once (bounds memory)."""

QUERY_CHUNK = 65_536
"""How many reports look up their neighbours at once."""

_MARGIN = 1.01
_ALL_CELLS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
_FORWARD_CELLS = [(0, 1), (1, -1), (1, 0), (1, 1)]


def matches(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each pair ``(a[i], b[i])`` of report indices matches (see the module docstring)."""
    ok = arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]] != INCOMPATIBLE
    ok &= arrays.located[a] & arrays.located[b]
    mid2, span2 = arrays.mid2, arrays.span2
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
    block_pairs: int | None = None,
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
    block = BLOCK_PAIRS if block_pairs is None else block_pairs
    yield from _search(arrays, grid, left, right, cells, b is None, block)


def nearby_pairs(
    arrays: ReportArrays, a: np.ndarray, b: np.ndarray, per_cell: int
) -> Iterator[Pairs]:
    """Some matching pairs ``(i from a, j from b, score)``: a partial search.

    Each report of ``a`` looks only at the ``per_cell`` reports of ``b`` nearest to it in time
    in each of the nine cells around it. In dense data that is enough to find that a report
    has several matches, at a bounded cost per report.
    """
    if a.size == 0 or b.size == 0:
        return
    grid = _Grid(arrays, a, b)
    left, right = grid.side(a), grid.side(b)
    for first in range(0, left.size, QUERY_CHUNK):
        queries = np.arange(first, min(first + QUERY_CHUNK, left.size), dtype=np.int64)
        starts, counts = grid.lookup(right.key, left, queries, _ALL_CELLS)
        middle = grid.lookup_time(right.key, left, queries, _ALL_CELLS)
        low = np.maximum(starts, middle - per_cell // 2)
        high = np.minimum(starts + counts, low + per_cell)
        yield from _check(arrays, left, right, queries, low, np.maximum(high - low, 0), BLOCK_PAIRS)


def _search(
    arrays: ReportArrays,
    grid: _Grid,
    left: _Side,
    right: _Side,
    cells: list[tuple[int, int]],
    self_join: bool,
    block_pairs: int,
) -> Iterator[Pairs]:
    for first in range(0, left.size, QUERY_CHUNK):
        queries = np.arange(first, min(first + QUERY_CHUNK, left.size), dtype=np.int64)
        starts, counts = grid.lookup(right.key, left, queries, cells)
        if self_join:
            starts, counts = _own_cell_forward(grid, left, queries, starts, counts)
        yield from _check(arrays, left, right, queries, starts, counts, block_pairs)


def pair_scores(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far apart two matching reports are, as shares of the pair's windows; symmetric.

    The distance over the distance reach, plus the time between the middles over the time
    reach, plus 2 when the kinds conflict.
    """
    mid2, span2 = arrays.mid2, arrays.span2
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
    """The columns the test needs, for a set of reports, in the grid's sort order.

    ``floats`` holds x, y, z, radius and distance window per report, ``ints`` the doubled
    middle time, the interval length, the time window and the kind code: a candidate pair
    then costs two row reads per side instead of one read per column.
    """

    idx: np.ndarray
    key: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    mid2: np.ndarray
    floats: np.ndarray
    ints: np.ndarray

    @property
    def size(self) -> int:
        """How many reports."""
        return int(self.idx.size)


class _Grid:
    """Cells and sort keys for one join: the cell size is the largest reach of any pair."""

    def __init__(
        self, arrays: ReportArrays, a: np.ndarray, b: np.ndarray, cell_m: float | None = None
    ) -> None:
        self.arrays = arrays
        windows = max(float(arrays.window_m[a].max()), float(arrays.window_m[b].max()))
        reach_m = windows + float(arrays.radius[a].max()) + float(arrays.radius[b].max())
        self.cell_m = reach_m * _MARGIN + 10.0 if cell_m is None else cell_m
        span2 = arrays.span2
        time_window = max(int(arrays.window_us[a].max()), int(arrays.window_us[b].max()))
        self.reach_t2 = max(2 * time_window, int(span2[a].max()) + int(span2[b].max()))
        x0, x1, y0, y1, t0, t1 = arrays.extent
        self.x0, self.y0, self.t0 = x0, y0, t0
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
        mid2 = arrays.mid2[idx]
        key = self.pack(cx, cy, self.tq(mid2))
        order = np.argsort(key, kind="stable")
        s = idx[order]
        floats = np.empty((s.size, 5), dtype=np.float64)
        for column, values in enumerate(
            (arrays.xyz[0], arrays.xyz[1], arrays.xyz[2], arrays.radius, arrays.window_m)
        ):
            floats[:, column] = values[s]
        ints = np.empty((s.size, 4), dtype=np.int64)
        ints[:, 0] = mid2[order]
        ints[:, 1] = arrays.span2[s]
        ints[:, 2] = arrays.window_us[s]
        ints[:, 3] = arrays.kind[s]
        return _Side(s, key[order], cx[order], cy[order], ints[:, 0], floats, ints)

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

    def lookup_time(
        self,
        sorted_keys: np.ndarray,
        side: _Side,
        queries: np.ndarray,
        cells: list[tuple[int, int]],
    ) -> np.ndarray:
        """For each cell offset and query: where the query's own time falls in that cell."""
        cx, cy = side.cx[queries], side.cy[queries]
        now = self.tq(side.mid2[queries])
        where = np.empty((len(cells), queries.size), dtype=np.int64)
        for row, (dx, dy) in enumerate(cells):
            where[row] = np.searchsorted(sorted_keys, self.pack(cx + dx, cy + dy, now), side="left")
        return where


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
        left_ints, right_ints = left.ints[qa], right.ints[pb]
        gap = np.abs(left_ints[:, 0] - right_ints[:, 0])
        time_reach = time_reach2(
            left_ints[:, 2], right_ints[:, 2], left_ints[:, 1], right_ints[:, 1]
        )
        relation = matrix[left_ints[:, 3], right_ints[:, 3]]
        keep = np.flatnonzero((gap <= time_reach) & (relation != INCOMPATIBLE))
        qa, pb = qa[keep], pb[keep]
        gap, time_reach, relation = gap[keep], time_reach[keep], relation[keep]
        left_floats, right_floats = left.floats[qa], right.floats[pb]
        reach = space_reach(
            left_floats[:, 4], right_floats[:, 4], left_floats[:, 3], right_floats[:, 3]
        )
        dx = left_floats[:, 0] - right_floats[:, 0]
        dy = left_floats[:, 1] - right_floats[:, 1]
        dz = left_floats[:, 2] - right_floats[:, 2]
        chord_2 = dx * dx + dy * dy + dz * dz
        keep = np.flatnonzero(chord_2 <= reach * reach)
        if keep.size:
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
