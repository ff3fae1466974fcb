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

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
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

NO_SLABS = 62
"""The slab shift of an index not split in slabs of time (every report in slab 0)."""

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
    ]
)
"""What the test needs of one report, in one 56-byte record: a candidate costs one or two
memory reads (a record of 64 bytes, aligned to a cache line, was not faster and cost 8 bytes more
a report: 80 MB at 10 million). The distance and time windows are looked up by source type."""


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
    shift, slab shift in quanta of ``tq``, bits of a cell below its slab): a cell's number is
    its slab, column and row packed (see :func:`build_index`).
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


def build_index(
    arrays: ReportArrays,
    parts: list[np.ndarray],
    cell_m: list[float],
    slab_bits: int | None = None,
) -> Index:
    """An index of the reports ``parts`` (one class each), with cells ``cell_m`` wide.

    With ``slab_bits``, each class is split first in slabs of time (``mid2 - t0`` shifted right
    by ``slab_bits``), then in cells: a slab of time is contiguous in memory, so that work on
    one stretch of time reads and writes its own part of the index (the leader scan's tasks).
    """
    x0, _, y0, _, t0, t1 = arrays.extent
    reports, tqs, reaches, cells, begins, ends = [], [], [], [], [], []
    class_floats = np.zeros((len(parts), 3), dtype=np.float64)
    class_ints = np.zeros((len(parts), 8), dtype=np.int64)
    offset = cell_offset = 0
    for c, (part, size) in enumerate(zip(parts, cell_m, strict=True)):
        cx = np.floor((arrays.grid_x[part] - x0) / size).astype(np.int64)
        cy = np.floor((arrays.grid_y[part] - y0) / size).astype(np.int64)
        y_bits = max(int(cy.max()).bit_length(), 1)
        cell_bits = max(int(cx.max()).bit_length(), 1) + y_bits
        cell = (cx << y_bits) | cy
        del cx, cy
        order, tq, shift, slab_shift = _cell_time_order(
            cell, arrays.mid2(part) - t0, int(t1 - t0), slab_bits
        )
        cell = cell[order]
        if slab_shift != NO_SLABS:
            cell |= (tq[order] >> slab_shift) << cell_bits
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
            slab_shift,
            cell_bits,
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
    cell: np.ndarray, time: np.ndarray, span: int, slab_bits: int | None
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The order that sorts reports by slab of time (if ``slab_bits``), cell, then quantised
    time; the quantised times (shifted right by the returned shift, so that the sort key fits
    in 63 bits) and the slab shift in quanta (:data:`NO_SLABS` without slabs).

    The position of each report is packed in the key's lowest bits, so a plain sort of the keys
    (several times faster than ``argsort``) gives the order; the time is quantised as coarsely
    as needed (a search widens its reach to whole quanta, so this only adds candidates). A slab
    is the top bits of the quantised time: moved above the cell, they cost no bits of the key.
    """
    index_bits = max(int(cell.size).bit_length(), 1)
    cell_bits = max(int(cell.max(initial=0)).bit_length(), 1)
    t_bits = 63 - cell_bits - index_bits
    packed = t_bits >= 8
    if not packed:
        t_bits = 62 - cell_bits
    shift = max(span.bit_length() + 1 - t_bits, 0)
    tq = time >> shift
    slab_shift = NO_SLABS
    if slab_bits is not None and (span >> max(slab_bits, shift)) > 0:
        slab_shift = max(slab_bits - shift, 0)
    if slab_shift == NO_SLABS:
        key = (cell << t_bits) | tq
    else:
        low = tq & ((1 << slab_shift) - 1)
        key = ((tq >> slab_shift) << (cell_bits + slab_shift)) | (cell << slab_shift) | low
    if not packed:
        return np.argsort(key, kind="stable"), tq, shift, slab_shift
    keys = np.sort((key << index_bits) | np.arange(cell.size, dtype=np.int64))
    return keys & ((1 << index_bits) - 1), tq, shift, slab_shift


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


def index_places(arrays: ReportArrays, index: Index, reports: np.ndarray) -> np.ndarray:
    """The place in ``index`` of each of ``reports`` (int32 while it fits: this is at the peak
    of memory)."""
    place_type = np.int32 if index.size < np.iinfo(np.int32).max else np.int64
    position = np.empty(arrays.count, dtype=place_type)
    position[index.report] = np.arange(index.size, dtype=place_type)
    return np.asarray(position[reports])


def choose_leaders(
    arrays: ReportArrays, index: Index, in_rank_order: np.ndarray, tasks: LeaderTasks | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The greedy leaders among the anchors of ``index`` (``in_rank_order``: their places in
    the index in rank order, :func:`index_places`), and the leader every other anchor joins.

    Returns, in index order, the state of each anchor (1 leads, 2 follows: a better-ranked
    leader matches it), how many leaders it matches and the best of them (the smallest score,
    then the best rank; -1 for a leader). Each leader, in rank order, visits every anchor it
    matches: an undecided one follows it, and every follower keeps the closest leader so far.
    With ``tasks`` (:func:`leader_tasks`), the rank order is kept only where it matters, so the
    work runs on :data:`LEADER_THREADS` threads with the result of one pass.
    """
    state = np.zeros(index.size, dtype=np.int8)
    count = np.zeros(index.size, dtype=np.int32)
    best = np.full(index.size, -1, dtype=np.int64)
    best_score = np.full(index.size, np.inf, dtype=np.float64)
    args = (
        grid_of(arrays, index.report),
        *_index_args(arrays, index),
        arrays.kinds.matrix,
        index.reach_q,
        state,
        count,
        best,
        best_score,
    )
    if tasks is None:
        _leaders(in_rank_order, 0, in_rank_order.size, *args)
    else:
        lo, hi = tasks.lo.tolist(), tasks.hi.tolist()

        def work(task: int) -> None:
            _leaders(in_rank_order, lo[task], hi[task], *args)

        threads = LEADER_THREADS if LEADER_THREADS is not None else numba.get_num_threads()
        tasks.run(work, threads, latest_first=LATEST_FIRST)
    return state, count, np.where(best >= 0, index.report[np.maximum(best, 0)], -1)


LEADER_THREADS: int | None = None
"""Threads of the leader scan (None: numba's thread count, the cores)."""

LATEST_FIRST = False
"""Run the leader tasks on one thread, each time the ready task latest in rank order (a test
of the dependencies between tasks: the result must not change)."""

_HOUR_US = 3_600_000_000


def block_hours(longest_span_us: int, widest_window_us: int) -> int:
    """Hours of start time of a block of :class:`LeaderTasks`: more than twice the farthest
    apart the starts of two anchors that match can be.

    Two anchors match only if their doubled middles (``mid2``) are at most ``reach`` apart (the
    larger of twice a time window and their two intervals), so their starts are at most
    (``reach`` + the longest interval) / 2 apart; the bound used is twice that (no halving),
    plus two hours for the hour keys' rounding.
    """
    reach = max(2 * widest_window_us, 2 * longest_span_us)
    bound_us = reach + longest_span_us + 2 * _HOUR_US
    return int(2 * (bound_us // _HOUR_US + 1) + 1)


def slab_bits(hours: int) -> int:
    """The slab shift (of ``mid2``, twice the middle time) of an index for tasks of blocks of
    ``hours`` hours: slabs at least as long as the blocks, and less than twice (a power of two
    of microseconds). Each slab repeats the cells it shares with others: longer slabs, fewer
    cells in all; shorter ones, fewer reports per task and slab."""
    return int(2 * hours * _HOUR_US).bit_length()


@dataclass
class LeaderTasks:
    """The greedy choice in rank order split into tasks, and which may run at once.

    Anchors in rank order come in runs of one rank class (a *sweep*), each in order of start
    hour. A task is the anchors of one sweep whose start falls in one block of hours
    (:func:`block_hours`): a leader reaches only anchors of its own block and the two next to
    it, and two leaders two blocks apart never reach the same anchor. So task (sweep k, block
    j) may start when the sweep's earlier tasks are done and every earlier sweep has done all
    its tasks up to block j + 1: then every task that shares anchors with it and comes before
    it in rank order is done, and none that comes after it has started (each of those waits
    for it in turn). Every anchor sees the decisions and updates of the leaders that reach it
    in the order of one pass of the rank order, whatever the threads.
    """

    lo: np.ndarray
    hi: np.ndarray
    block: np.ndarray
    sweep_first: np.ndarray

    def run(self, work: Callable[[int], None], threads: int, latest_first: bool = False) -> None:
        """Call ``work`` on every task, on ``threads`` threads (``work`` releases the GIL);
        with ``latest_first``, on one thread in the order :meth:`ready` gives."""
        first, block = self.sweep_first.tolist(), self.block.tolist()
        sweeps = len(first) - 1
        if not latest_first and (threads <= 1 or sweeps <= 1):
            for task in range(self.lo.size):
                work(task)
            return
        following = first[:-1]
        busy = [False] * sweeps
        if latest_first:
            while (k := _ready(first, block, following, busy, True)) >= 0:
                work(following[k])
                following[k] += 1
            return
        remaining = [self.lo.size]
        condition = threading.Condition()
        failure: list[BaseException] = []

        def worker() -> None:
            while True:
                with condition:
                    while True:
                        if failure or remaining[0] == 0:
                            return
                        k = _ready(first, block, following, busy, False)
                        if k >= 0:
                            busy[k] = True
                            break
                        condition.wait()
                try:
                    work(following[k])
                except BaseException as error:  # handed to the caller
                    with condition:
                        failure.append(error)
                        condition.notify_all()
                    return
                with condition:
                    following[k] += 1
                    busy[k] = False
                    remaining[0] -= 1
                    condition.notify_all()

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        if failure:
            raise failure[0]


def _ready(
    first: list[int], block: list[int], following: list[int], busy: list[bool], latest_first: bool
) -> int:
    """A sweep whose next task (``following``) may start now (see :class:`LeaderTasks`), or -1:
    the earliest in rank order, or the latest with ``latest_first``."""
    chosen = -1
    limit = 1 << 62  # the least next block of the earlier sweeps
    for k in range(len(first) - 1):
        t = following[k]
        pending = t < first[k + 1]
        if pending and not busy[k] and block[t] + 2 <= limit:
            if not latest_first:
                return k
            chosen = k
        if pending:
            limit = min(limit, block[t])
    return chosen


def leader_tasks(sweep: np.ndarray, hour: np.ndarray, hours: int) -> LeaderTasks:
    """The tasks of :class:`LeaderTasks` for anchors of rank classes ``sweep`` and start hours
    ``hour``, in rank order, with blocks of ``hours`` hours."""
    n = sweep.size
    if n == 0:
        empty = np.zeros(0, np.int64)
        return LeaderTasks(empty, empty, empty, np.zeros(1, np.int64))
    hour = hour.astype(np.int64)
    block = (hour - hour.min()) // hours
    new_sweep = np.r_[True, sweep[1:] != sweep[:-1]]
    lo = np.flatnonzero(new_sweep | np.r_[True, block[1:] != block[:-1]])
    sweep_first = np.flatnonzero(new_sweep[lo])
    return LeaderTasks(
        lo=lo,
        hi=np.r_[lo[1:], n].astype(np.int64),
        block=block[lo],
        sweep_first=np.r_[sweep_first, lo.size].astype(np.int64),
    )


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
def _reach(a: Any, window_m: float, class_floats: np.ndarray, c: int) -> float:  # pragma: no cover
    """How far apart on the grid, east-west or north-south, record ``a`` and a report of class
    ``c`` it matches can be at most: the half-width of its search box (the grid's distances
    are never larger than the sphere's, see
    :func:`truce.verification.reports.grid_coordinates`)."""
    reach: float = (max(window_m, class_floats[c, 2]) + a.radius + class_floats[c, 1]) * MARGIN
    return reach + SLACK_M


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
    reach = _reach(a, window_m, class_floats, c)
    col_lo = max(int(np.floor((gx - reach - origin[0]) / size)), 0)
    col_max = (1 << (class_ints[c, 7] - class_ints[c, 0])) - 1
    col_hi = min(int(np.floor((gx + reach - origin[0]) / size)), col_max)
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
    lo: int,
    hi: int,
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
    """Greedy leaders in rank order (``order[lo:hi]``): each claims the undecided anchors it
    matches, and every anchor it matches counts it and keeps it if it is the closest so far
    (leaders come in rank order, so of two equally close the first found is the better-ranked).
    A candidate's record is read only if its time (``tq``, ``reach_q``) and its grid point are
    within the leader's reach (the search box cut to the point)."""
    for p in order[lo:hi]:
        if state[p] != 0:
            continue
        state[p] = 1
        a = records[p]
        gx, gy = grid[0, p], grid[1, p]
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
            space = _reach(a, wm, class_floats, c)
            reach_a = ((own_reach + (1 << shift) - 1) >> shift) + 1
            y_bits, first, last = class_ints[c, 0], class_ints[c, 1], class_ints[c, 2]
            slab_shift, cell_bits = class_ints[c, 6], class_ints[c, 7]
            for slab in range(t_lo >> slab_shift, (t_hi >> slab_shift) + 1):
                base = slab << cell_bits
                for col in range(col_lo, col_hi + 1):
                    k = _lower(cells, first, last, base | (col << y_bits) | row_lo)
                    top = base | (col << y_bits) | row_hi
                    while k < last and cells[k] <= top:
                        end = cell_time[k, 5] if cell_time[k, 0] <= t_hi else cell_time[k, 4]
                        q = _first_time(tq, cell_time, time_table, k, cell_time[k, 4], end, t_lo)
                        while q < end and tq[q] <= t_hi:
                            if (
                                state[q] != 1
                                and (
                                    abs(tq[q] - t_a) <= reach_a + np.int64(reach_q[q])
                                    or reach_q[q] == REACH_UNKNOWN
                                )
                                and abs(grid[0, q] - gx) <= space
                                and abs(grid[1, q] - gy) <= space
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
            slab_shift, cell_bits = class_ints[c, 6], class_ints[c, 7]
            for slab in range(t_lo >> slab_shift, (t_hi >> slab_shift) + 1):
                base = slab << cell_bits
                for col in range(col_lo, col_hi + 1):
                    k = _lower(cells, first, last, base | (col << y_bits) | row_lo)
                    top = base | (col << y_bits) | row_hi
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
                if count[p] >= limit:
                    break
