"""The leader search compiled (numba): sorted cells of reports, scanned report by report.

Grouping needs three answers (:mod:`truce.verification.grouping`): which anchors lead (the
greedy choice in rank order), the best leader of every other anchor (of all it matches, by
score), and, for each vague report, whether it matches no, one or several leaders. All three
are loops over reports that look at the reports near them, which numpy can only do by forming
every candidate pair in memory; compiled, each candidate costs a few nanoseconds and no memory.

An :class:`Index` holds a set of reports split in classes (of precision, so that vague reports
do not widen every search), each class sorted by (cell column, cell row, time) on a grid whose
cells are about as wide as the class's own reach, with a directory of its non-empty cells. A
report looks for the reports of a class it may match by walking the columns of cells its reach
covers, finding in each column the first cell by binary search, and in each cell the stretch of
its time reach through the cell's time buckets (two or three memory reads). Sorting uses plain
``np.sort`` of keys with the position packed in their low bits, several times faster than
``argsort``. Every candidate is checked with the exact test of
:func:`truce.verification.pairs.matches` and scored as :func:`truce.verification.pairs.pair_scores`
does, operation for operation, so the results are the same to the last bit.

Leaders are chosen in rank order (:func:`choose_leaders`), and the anchors they match join them
in the same scan; the rank takes the start hour before its hash, so consecutive leaders of one
class are of the same hours and read neighbouring memory. The search of vague reports
(:func:`count_matches`) takes them in the order of the grid, so that neighbours follow each
other and read the same memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit, prange

from truce.verification.reports import EARTH_RADIUS_M, ReportArrays

MARGIN = 1.01
"""Cells and search boxes are widened by this factor (plus :data:`SLACK_M`): the grid is a
plane, the test a chord on the sphere (see :func:`truce.verification.reports.grid_coordinates`)."""

SLACK_M = 10.0

_F = TypeVar("_F", bound=Callable[..., Any])


def compiled(function: _F) -> _F:
    """``function`` compiled by numba (cached on disk, releasing the GIL), same signature."""
    return cast(_F, njit(cache=True, nogil=True)(function))


def compiled_parallel(function: _F) -> _F:
    """:func:`compiled`, with its ``prange`` loops run on all cores. Each iteration of such a
    loop writes only its own entries, so the result does not depend on the number of threads."""
    return cast(_F, njit(cache=True, nogil=True, parallel=True)(function))


PER_BUCKET = 4
"""About how many reports of a cell share one of its time buckets (see :func:`_first_time`)."""

SHORT_CELL = 16
"""A cell of at most this many reports is read from its start, without buckets."""

REACH_UNKNOWN = np.iinfo(np.int32).max
"""``Index.reach_q`` of a report whose reach does not fit in 31 bits (never skipped by it)."""

QUERY_BLOCK = 1 << 20
"""How many reports search an index at once (their records are built block by block)."""

RECORD = np.dtype(
    [
        ("x", np.float64),
        ("y", np.float64),
        ("z", np.float64),
        ("radius", np.float64),
        ("mid2", np.int64),
        ("span2", np.int64),
        ("kind", np.int16),
        ("type", np.int16),
        ("pad", np.int32),
        ("pad2", np.int64),
    ]
)
"""What the test needs of one report, in one 64-byte record: a candidate costs one memory read.
The distance and time windows are looked up by source type."""


@dataclass
class Index:
    """Reports sorted by class, cell and time, with their columns in that order.

    ``records`` holds the :data:`RECORD` of each report, ``tq`` the shifted, quantised time the
    cells are sorted by (apart, so that searches read little memory), ``reach_q`` each report's
    own time reach (the larger of twice its time window and its interval) in the same quanta,
    rounded up (:data:`REACH_UNKNOWN` if larger): two reports whose ``tq`` differ by more than
    the sum of their reaches plus one cannot match in time, which a search sees without reading
    their records. Per cell, ``cell_time``
    (earliest time, bucket width as a power of two, start of its buckets in ``time_table``, how
    many buckets, first and end position, latest time: one 64-byte row, read at once) and
    ``time_table`` (per bucket, the first report at or after its start): see
    :func:`_first_time`. Per class:
    ``class_floats`` (cell size, largest radius, largest window) and ``class_ints`` (bits of the
    cell row, first and last cell in the directory, largest interval, largest time window, time
    shift).
    """

    report: np.ndarray
    records: np.ndarray
    tq: np.ndarray
    reach_q: np.ndarray
    cells: np.ndarray
    cell_begin: np.ndarray
    cell_end: np.ndarray
    cell_time: np.ndarray
    time_table: np.ndarray
    class_floats: np.ndarray
    class_ints: np.ndarray
    origin: tuple[float, float, int]

    @property
    def size(self) -> int:
        """How many reports."""
        return int(self.report.size)


def build_index(arrays: ReportArrays, parts: list[np.ndarray], cell_m: list[float]) -> Index:
    """An index of the reports ``parts`` (one class each), with cells ``cell_m`` wide."""
    x0, _, y0, _, t0, t1 = arrays.extent
    reports, tqs, reaches, cells, begins, ends = [], [], [], [], [], []
    class_floats = np.zeros((len(parts), 3), dtype=np.float64)
    class_ints = np.zeros((len(parts), 6), dtype=np.int64)
    offset = cell_offset = 0
    for c, (part, size) in enumerate(zip(parts, cell_m, strict=True)):
        cx = np.floor((arrays.grid_x[part] - x0) / size).astype(np.int64)
        cy = np.floor((arrays.grid_y[part] - y0) / size).astype(np.int64)
        y_bits = max(int(cy.max()).bit_length(), 1)
        cell = (cx << y_bits) | cy
        del cx, cy
        order, tq, shift = _cell_time_order(cell, arrays.mid2(part) - t0, int(t1 - t0))
        cell = cell[order]
        first = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        reports.append(part[order])
        tqs.append(tq[order])
        in_order = part[order]
        reach = np.maximum(2 * arrays.window_us(in_order), arrays.span2(in_order))
        del in_order
        reach = (reach + ((1 << shift) - 1)) >> shift
        reaches.append(np.minimum(reach, REACH_UNKNOWN).astype(np.int32))
        cells.append(cell[first])
        begins.append(first + offset)
        ends.append(np.r_[first[1:], part.size] + offset)
        class_floats[c] = (size, arrays.radius[part].max(), arrays.window_m(part).max())
        class_ints[c] = (
            y_bits,
            cell_offset,
            cell_offset + first.size,
            arrays.span2(part).max(),
            arrays.window_us(part).max(),
            shift,
        )
        offset += part.size
        cell_offset += first.size
    report = _join(reports)
    tq_all, cell_begin, cell_end = _join(tqs), _join(begins), _join(ends)
    cell_time, time_table = time_buckets(tq_all, cell_begin, cell_end)
    return Index(
        report=report,
        records=records_of(arrays, report),
        tq=tq_all,
        reach_q=_join(reaches),
        cells=_join(cells),
        cell_begin=cell_begin,
        cell_end=cell_end,
        cell_time=cell_time,
        time_table=time_table,
        class_floats=class_floats,
        class_ints=class_ints,
        origin=(x0, y0, t0),
    )


def _cell_time_order(
    cell: np.ndarray, time: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """The order that sorts reports by cell, then quantised time; the quantised times (shifted
    right by the returned shift, so that the sort key fits in 63 bits).

    The position of each report is packed in the key's lowest bits, so a plain sort of the keys
    (several times faster than ``argsort``) gives the order; the time is quantised as coarsely
    as needed (a search widens its reach to whole quanta, so this only adds candidates).
    """
    index_bits = max(int(cell.size).bit_length(), 1)
    t_bits = 63 - max(int(cell.max(initial=0)).bit_length(), 1) - index_bits
    if t_bits < 8:
        t_bits = 62 - max(int(cell.max(initial=0)).bit_length(), 1)
        shift = max(span.bit_length() + 1 - t_bits, 0)
        tq = time >> shift
        return np.argsort((cell << t_bits) | tq), tq, shift
    shift = max(span.bit_length() + 1 - t_bits, 0)
    tq = time >> shift
    keys = np.sort((((cell << t_bits) | tq) << index_bits) | np.arange(cell.size, dtype=np.int64))
    return keys & ((1 << index_bits) - 1), tq, shift


def time_buckets(
    tq: np.ndarray, cell_begin: np.ndarray, cell_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The time buckets of every cell of more than :data:`SHORT_CELL` reports (sorted by
    ``tq`` within each cell): about one per :data:`PER_BUCKET` reports, as wide as a power of
    two, each with the position of its first report at or after its start."""
    cell_time = np.zeros((cell_begin.size, 8), dtype=np.int64)
    cell_time[:, 4] = cell_begin
    cell_time[:, 5] = cell_end
    if cell_begin.size:
        cell_time[:, 0] = tq[cell_begin]
        cell_time[:, 6] = tq[cell_end - 1]
    sizes = _bucket_counts(tq, cell_begin, cell_end, cell_time)
    time_table = np.zeros(int(sizes.sum()), dtype=np.int64)
    _fill_buckets(tq, cell_begin, cell_end, cell_time, time_table)
    return cell_time, time_table


@compiled
def _bucket_counts(
    tq: np.ndarray, cell_begin: np.ndarray, cell_end: np.ndarray, cell_time: np.ndarray
) -> np.ndarray:  # pragma: no cover
    """Per cell: earliest time, bucket width (bits), start in the table, bucket count; the
    table entries each cell needs (bucket count + 1) are returned."""
    sizes = np.zeros(cell_begin.size, dtype=np.int64)
    start = 0
    for k in range(cell_begin.size):
        lo, hi = cell_begin[k], cell_end[k]
        if hi - lo <= SHORT_CELL:
            continue
        tmin, span = tq[lo], tq[hi - 1] - tq[lo] + 1
        wanted = max((hi - lo) // PER_BUCKET, 1)
        width = (span + wanted - 1) // wanted
        shift = 0
        while (1 << shift) < width:
            shift += 1
        count = ((tq[hi - 1] - tmin) >> shift) + 1
        cell_time[k, 0] = tmin
        cell_time[k, 1] = shift
        cell_time[k, 2] = start
        cell_time[k, 3] = count
        sizes[k] = count + 1
        start += count + 1
    return sizes


@compiled
def _fill_buckets(
    tq: np.ndarray,
    cell_begin: np.ndarray,
    cell_end: np.ndarray,
    cell_time: np.ndarray,
    time_table: np.ndarray,
) -> None:  # pragma: no cover
    for k in range(cell_begin.size):
        count = cell_time[k, 3]
        if count == 0:
            continue
        j, hi = cell_begin[k], cell_end[k]
        tmin, shift, start = cell_time[k, 0], cell_time[k, 1], cell_time[k, 2]
        for b in range(count + 1):
            threshold = tmin + (b << shift)
            while j < hi and tq[j] < threshold:
                j += 1
            time_table[start + b] = j


def spatial_order(arrays: ReportArrays, idx: np.ndarray, cell_m: float) -> np.ndarray:
    """The order that sorts reports ``idx`` by cell (``cell_m`` wide), then time: searches of
    neighbours in that order read the same memory one after the other."""
    x0, _, y0, _, _, _ = arrays.extent
    cx = np.floor((arrays.grid_x[idx] - x0) / cell_m).astype(np.int64)
    cy = np.floor((arrays.grid_y[idx] - y0) / cell_m).astype(np.int64)
    return np.asarray(np.lexsort((arrays.mid2(idx), cy, cx)))


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def records_of(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """The :data:`RECORD` of each report of ``idx``."""
    records = np.zeros(idx.size, dtype=RECORD)
    _fill_records(
        np.asarray(idx, dtype=np.int64),
        arrays.xyz,
        arrays.radius,
        arrays.start,
        arrays.end,
        arrays.kind,
        arrays.type_index,
        records,
    )
    return records


@compiled_parallel
def _fill_records(
    idx: np.ndarray,
    xyz: np.ndarray,
    radius: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    kind: np.ndarray,
    type_index: np.ndarray,
    records: np.ndarray,
) -> None:  # pragma: no cover
    for k in prange(idx.size):
        i = idx[k]
        records[k].x = xyz[0, i]
        records[k].y = xyz[1, i]
        records[k].z = xyz[2, i]
        records[k].radius = radius[i]
        records[k].mid2 = start[i] + end[i]
        records[k].span2 = end[i] - start[i]
        records[k].kind = kind[i]
        records[k].type = type_index[i]


def grid_of(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """Grid x and y of reports ``idx`` (2 x n)."""
    grid = np.empty((2, idx.size), dtype=np.float64)
    np.take(arrays.grid_x, idx, out=grid[0])
    np.take(arrays.grid_y, idx, out=grid[1])
    return grid


def windows(arrays: ReportArrays) -> tuple[np.ndarray, np.ndarray]:
    """The distance window (m) and time window (microseconds) of each source type."""
    return arrays.type_window_m, arrays.type_window_us


_IndexArgs = tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    int,
]


def _index_args(arrays: ReportArrays, index: Index) -> _IndexArgs:
    """The windows of ``arrays`` and the arrays of ``index``, in the order the compiled scans
    take them."""
    return (
        *windows(arrays),
        index.records,
        index.tq,
        index.cell_time,
        index.time_table,
        index.cells,
        index.class_floats,
        index.class_ints,
        np.array(index.origin[:2], dtype=np.float64),
        index.origin[2],
    )


def choose_leaders(
    arrays: ReportArrays, index: Index, ranked: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The greedy leaders among the anchors of ``index`` (``ranked``: the same in rank order),
    and the leader every other anchor joins.

    Returns, in index order, the state of each anchor (1 leads, 2 follows: a better-ranked
    leader matches it), how many leaders it matches and the best of them (the smallest score,
    then the best rank; -1 for a leader). Each leader, in rank order, visits every anchor it
    matches: an undecided one follows it, and every follower keeps the closest leader so far.
    """
    # each anchor's place in the index, in rank order (int32 while it fits: this is at the
    # peak of memory, and the whole-set array is freed before the scan)
    place_type = np.int32 if index.size < np.iinfo(np.int32).max else np.int64
    position = np.empty(arrays.count, dtype=place_type)
    position[index.report] = np.arange(index.size, dtype=place_type)
    in_rank_order = position[ranked].astype(np.int64)
    del position
    state = np.zeros(index.size, dtype=np.int8)
    count = np.zeros(index.size, dtype=np.int32)
    best = np.full(index.size, -1, dtype=np.int64)
    best_score = np.full(index.size, np.inf, dtype=np.float64)
    _leaders(
        in_rank_order,
        grid_of(arrays, index.report),
        *_index_args(arrays, index),
        arrays.kinds.matrix,
        index.reach_q,
        state,
        count,
        best,
        best_score,
    )
    return state, count, np.where(best >= 0, index.report[np.maximum(best, 0)], -1)


def count_matches(
    arrays: ReportArrays, queries: np.ndarray, index: Index, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each report of ``queries``: how many reports of ``index`` it matches (up to
    ``limit``), and the last one found (the only one when it matches one)."""
    count = np.zeros(queries.size, dtype=np.int64)
    found = np.full(queries.size, -1, dtype=np.int64)
    index_args = _index_args(arrays, index)
    for block in range(0, queries.size, QUERY_BLOCK):
        part = slice(block, block + QUERY_BLOCK)
        _count(
            records_of(arrays, queries[part]),
            grid_of(arrays, queries[part]),
            *index_args,
            arrays.kinds.matrix,
            limit,
            count[part],
            found[part],
        )
    return count, np.where(found >= 0, index.report[np.maximum(found, 0)], -1)


@compiled
def _lower(values: np.ndarray, lo: int, hi: int, target: int) -> int:  # pragma: no cover
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


@compiled
def _first_time(
    tq: np.ndarray,
    cell_time: np.ndarray,
    time_table: np.ndarray,
    k: int,
    lo: int,
    hi: int,
    target: int,
) -> int:  # pragma: no cover
    """The first position of cell ``k`` (``[lo, hi)``, sorted by ``tq``) at or after ``target``.

    A short cell is read from its start. A longer one looks up the time bucket of ``target``:
    every report before the bucket's first is earlier than the bucket, every report from the
    next bucket's first on is later, so the answer lies between the two: two or three memory
    reads however long the cell (a crowded bucket is searched by halving).
    """
    tmin = cell_time[k, 0]
    if target <= tmin:
        return lo
    if target > cell_time[k, 6]:
        return hi
    count = cell_time[k, 3]
    if count == 0:
        while lo < hi and tq[lo] < target:
            lo += 1
        return lo
    bucket = (target - tmin) >> cell_time[k, 1]
    if bucket >= count:
        return hi
    j: int = time_table[cell_time[k, 2] + bucket]
    stop: int = time_table[cell_time[k, 2] + bucket + 1]
    if stop - j > SHORT_CELL:
        return _lower(tq, j, stop, target)
    while j < stop and tq[j] < target:
        j += 1
    return j


@compiled
def _score(
    a: Any, b: Any, window_m: np.ndarray, window_us: np.ndarray, kinds: np.ndarray
) -> float:  # pragma: no cover
    """The score of the pair of records (a, b) if they match, else -1."""
    gap = abs(a.mid2 - b.mid2)
    window = max(window_us[a.type], window_us[b.type])
    time_reach = max(2 * window, a.span2 + b.span2)
    if gap > time_reach:
        return -1.0
    relation = kinds[a.kind, b.kind]
    if relation == 0:
        return -1.0
    reach = (max(window_m[a.type], window_m[b.type]) + (a.radius + b.radius)) / EARTH_RADIUS_M
    dx = a.x - b.x
    dy = a.y - b.y
    dz = a.z - b.z
    chord_2 = dx * dx + dy * dy + dz * dz
    if chord_2 > reach * reach:
        return -1.0
    space = np.sqrt(chord_2) / reach if reach > 0 else 0.0
    time = float(gap) / float(time_reach) if time_reach > 0 else 0.0
    return space + time + (2.0 if relation == 3 else 0.0)


@compiled
def _box(
    a: Any,
    gx: float,
    gy: float,
    window_m: float,
    window_us: int,
    class_floats: np.ndarray,
    class_ints: np.ndarray,
    c: int,
    origin: np.ndarray,
    t0: int,
) -> tuple[int, int, int, int, int, int]:  # pragma: no cover
    """The cell columns, cell rows and quantised times record ``a`` may match class c within."""
    size = class_floats[c, 0]
    reach = (max(window_m, class_floats[c, 2]) + a.radius + class_floats[c, 1]) * MARGIN
    reach += SLACK_M
    col_lo = max(int(np.floor((gx - reach - origin[0]) / size)), 0)
    col_hi = int(np.floor((gx + reach - origin[0]) / size))
    y_max = (1 << class_ints[c, 0]) - 1
    row_lo = max(int(np.floor((gy - reach - origin[1]) / size)), 0)
    row_hi = min(int(np.floor((gy + reach - origin[1]) / size)), y_max)
    time_reach = max(2 * max(window_us, class_ints[c, 4]), a.span2 + class_ints[c, 3])
    shift = class_ints[c, 5]
    t_lo = max(a.mid2 - time_reach - t0, 0) >> shift
    t_hi = (a.mid2 + time_reach - t0) >> shift
    return col_lo, col_hi, row_lo, row_hi, t_lo, t_hi


@compiled
def _leaders(
    order: np.ndarray,
    grid: np.ndarray,
    window_m: np.ndarray,
    window_us: np.ndarray,
    records: np.ndarray,
    tq: np.ndarray,
    cell_time: np.ndarray,
    time_table: np.ndarray,
    cells: np.ndarray,
    class_floats: np.ndarray,
    class_ints: np.ndarray,
    origin: np.ndarray,
    t0: int,
    kinds: np.ndarray,
    reach_q: np.ndarray,
    state: np.ndarray,
    count: np.ndarray,
    best: np.ndarray,
    best_score: np.ndarray,
) -> None:  # pragma: no cover
    """Greedy leaders in rank order: each claims the undecided anchors it matches, and every
    anchor it matches counts it and keeps it if it is the closest so far (leaders come in rank
    order, so of two equally close the first found is the better-ranked)."""
    for p in order:
        if state[p] != 0:
            continue
        state[p] = 1
        a = records[p]
        wm, wt = window_m[a.type], window_us[a.type]
        own_reach = max(2 * wt, a.span2)
        for c in range(class_floats.shape[0]):
            col_lo, col_hi, row_lo, row_hi, t_lo, t_hi = _box(
                a, grid[0, p], grid[1, p], wm, wt, class_floats, class_ints, c, origin, t0
            )
            if t_hi < t_lo or row_hi < row_lo:
                continue
            shift = class_ints[c, 5]
            t_a = (a.mid2 - t0) >> shift
            reach_a = ((own_reach + (1 << shift) - 1) >> shift) + 1
            y_bits, first, last = class_ints[c, 0], class_ints[c, 1], class_ints[c, 2]
            for col in range(col_lo, col_hi + 1):
                k = _lower(cells, first, last, (col << y_bits) | row_lo)
                top = (col << y_bits) | row_hi
                while k < last and cells[k] <= top:
                    end = cell_time[k, 5] if cell_time[k, 0] <= t_hi else cell_time[k, 4]
                    q = _first_time(tq, cell_time, time_table, k, cell_time[k, 4], end, t_lo)
                    while q < end and tq[q] <= t_hi:
                        if state[q] != 1 and (
                            abs(tq[q] - t_a) <= reach_a + np.int64(reach_q[q])
                            or reach_q[q] == REACH_UNKNOWN
                        ):
                            score = _score(records[q], a, window_m, window_us, kinds)
                            if score >= 0.0:
                                state[q] = 2
                                count[q] += 1
                                if score < best_score[q]:
                                    best_score[q] = score
                                    best[q] = p
                        q += 1
                    k += 1


@compiled_parallel
def _count(
    queries: np.ndarray,
    grid: np.ndarray,
    window_m: np.ndarray,
    window_us: np.ndarray,
    records: np.ndarray,
    tq: np.ndarray,
    cell_time: np.ndarray,
    time_table: np.ndarray,
    cells: np.ndarray,
    class_floats: np.ndarray,
    class_ints: np.ndarray,
    origin: np.ndarray,
    t0: int,
    kinds: np.ndarray,
    limit: int,
    count: np.ndarray,
    found: np.ndarray,
) -> None:  # pragma: no cover
    """Per query: matches in the index counted up to ``limit``, and the last one found."""
    for p in prange(queries.size):
        a = queries[p]
        wm, wt = window_m[a.type], window_us[a.type]
        for c in range(class_floats.shape[0]):
            if count[p] >= limit:
                break
            col_lo, col_hi, row_lo, row_hi, t_lo, t_hi = _box(
                a, grid[0, p], grid[1, p], wm, wt, class_floats, class_ints, c, origin, t0
            )
            if t_hi < t_lo or row_hi < row_lo:
                continue
            y_bits, first, last = class_ints[c, 0], class_ints[c, 1], class_ints[c, 2]
            for col in range(col_lo, col_hi + 1):
                k = _lower(cells, first, last, (col << y_bits) | row_lo)
                top = (col << y_bits) | row_hi
                while k < last and cells[k] <= top and count[p] < limit:
                    end = cell_time[k, 5] if cell_time[k, 0] <= t_hi else cell_time[k, 4]
                    q = _first_time(tq, cell_time, time_table, k, cell_time[k, 4], end, t_lo)
                    while q < end and tq[q] <= t_hi:
                        if _score(a, records[q], window_m, window_us, kinds) >= 0.0:
                            count[p] += 1
                            found[p] = q
                            if count[p] >= limit:
                                break
                        q += 1
                    k += 1
                if count[p] >= limit:
                    break
