"""The search's building blocks give what the plain numpy operations they replace give."""

from __future__ import annotations

import threading
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from truce.verification.duplicates import _in_runs
from truce.verification.priority import stable_order
from truce.verification.scan import _first_time, leader_tasks, time_buckets

keys_strategy = st.lists(
    st.one_of(
        st.integers(0, 2**64 - 1),
        st.integers(0, 40),
        st.integers(2**63, 2**63 + 5),
    ),
    max_size=300,
)


@given(keys_strategy)
@settings(max_examples=200, deadline=None)
def test_stable_order_is_a_stable_argsort(keys: list[int]) -> None:
    values = np.array(keys, dtype=np.uint64)
    assert np.array_equal(stable_order(values), np.argsort(values, kind="stable"))


@given(keys_strategy)
@settings(max_examples=200, deadline=None)
def test_in_runs_finds_every_shared_hash(keys: list[int]) -> None:
    values = np.array(keys, dtype=np.uint64)
    idx = np.arange(values.size, dtype=np.int64)
    found = set(_in_runs(values, idx).tolist())
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    shared = set(np.flatnonzero(counts[inverse] > 1).tolist())
    assert shared <= found


@given(
    st.lists(st.lists(st.integers(0, 5_000), min_size=1, max_size=120), min_size=1, max_size=6),
    st.lists(st.integers(-10, 5_100), min_size=1, max_size=30),
)
@settings(max_examples=200, deadline=None)
def test_time_buckets_find_the_first_time_at_or_after(
    cells: list[list[int]], targets: list[int]
) -> None:
    tq = np.array([t for cell in cells for t in sorted(cell)], dtype=np.int64)
    sizes = np.array([len(cell) for cell in cells], dtype=np.int64)
    end = np.cumsum(sizes)
    begin = end - sizes
    cell_time, time_table = time_buckets(tq, begin, end)
    for k in range(len(cells)):
        for target in targets:
            expected = begin[k] + np.searchsorted(tq[begin[k] : end[k]], target, side="left")
            found = _first_time(tq, cell_time, time_table, k, begin[k], end[k], target)
            assert found == expected


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30)), min_size=1, max_size=80),
    st.integers(1, 3),
    st.booleans(),
)
@settings(max_examples=40, deadline=None)
def test_leader_tasks_keep_the_rank_order_where_tasks_share_anchors(
    anchors: list[tuple[int, int]], hours: int, latest_first: bool
) -> None:
    # anchors in rank order: by rank class (sweep), then start hour
    ordered = sorted(anchors)
    sweep = np.array([s for s, _ in ordered], dtype=np.uint64)
    hour = np.array([h for _, h in ordered], dtype=np.uint64)
    tasks = leader_tasks(sweep, hour, hours)
    spans: dict[int, tuple[float, float]] = {}
    lock = threading.Lock()

    def work(task: int) -> None:
        started = time.perf_counter()
        time.sleep(0.0005)
        with lock:
            spans[task] = (started, time.perf_counter())

    tasks.run(work, 2, latest_first=latest_first)
    covered = np.concatenate([np.arange(lo, hi) for lo, hi in zip(tasks.lo, tasks.hi, strict=True)])
    assert sorted(covered.tolist()) == list(range(len(ordered)))
    assert sorted(spans) == list(range(tasks.lo.size))
    block_of = (hour.astype(np.int64) - int(hour.min())) // hours
    for first in spans:
        for second in spans:
            a, b = int(tasks.lo[first]), int(tasks.lo[second])
            near = abs(int(block_of[a]) - int(block_of[b])) <= 1
            if a < b and (near or sweep[a] == sweep[b]):
                # the task first in rank order ends before the other starts
                assert spans[first][1] <= spans[second][0]
