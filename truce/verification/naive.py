"""The grouping rule written plainly, comparing every pair: a reference for tests and benchmarks.

:func:`naive_grouping` applies the same rule as :func:`truce.verification.grouping.group_reports`
with none of its machinery: re-reports by a dictionary of their content, every pair of reports
tested with :func:`~truce.verification.pairs.matches`, the rank by sorting Python tuples, the
leaders by a loop in rank order, each report's leader by a loop over its candidates. It takes
time and memory in the square of the number of reports: use it on a few thousand at most.
"""

from __future__ import annotations

import numpy as np

from truce.verification.duplicates import COUNT_FIELDS, TEXT_FIELDS
from truce.verification.grouping import (
    ALONE,
    LEADER,
    MEMBER,
    RE_REPORT,
    Grouping,
    order_keys,
)
from truce.verification.pairs import matches, pair_scores
from truce.verification.priority import content_hash, hour_key, precision_class
from truce.verification.reports import ReportArrays

_MINUTE_US = 60_000_000


def naive_grouping(arrays: ReportArrays) -> Grouping:
    """The grouping of ``arrays`` by brute force (same result as the fast one)."""
    n = arrays.count
    ids = arrays.table.column("event_id").to_pylist()
    rep = _naive_representatives(arrays, ids)
    unique = [i for i in range(n) if rep[i] == i]
    located = [i for i in unique if arrays.located[i]]
    anchors = [i for i in located if arrays.anchor[i]]
    match = _all_matches(arrays, located)
    ordered = sorted(unique, key=lambda i: _rank_key(arrays, i, ids[i]))
    rank = {i: position for position, i in enumerate(ordered)}
    leaders: list[int] = []
    claimed: set[int] = set()
    for i in ordered:
        if not arrays.anchor[i] or i in claimed:
            continue
        leaders.append(i)
        claimed.update(j for j in anchors if j != i and (i, j) in match)
    leader_set = set(leaders)
    leader = np.arange(n, dtype=np.int64)
    role = np.full(n, ALONE, dtype=np.int8)
    candidates = np.zeros(n, dtype=np.int32)
    for i in located:
        if i in leader_set:
            role[i], candidates[i] = LEADER, 1
            continue
        if not arrays.joinable[i]:
            continue
        options = [j for j in leaders if (i, j) in match]
        if not arrays.anchor[i]:
            candidates[i] = min(len(options), 2)
            if len(options) == 1:
                leader[i], role[i] = options[0], MEMBER
            continue
        if not options:
            continue
        scores = pair_scores(arrays, np.full(len(options), i), np.array(options, dtype=np.int64))
        best = min(range(len(options)), key=lambda k: (float(scores[k]), rank[options[k]]))
        leader[i], role[i], candidates[i] = options[best], MEMBER, len(options)
    for i in range(n):
        if rep[i] != i:
            leader[i], role[i], candidates[i] = leader[rep[i]], RE_REPORT, candidates[rep[i]]
    full_rank = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    for i, place in rank.items():
        full_rank[i] = place
    reps = np.array(rep, dtype=np.int64)
    position = np.zeros(n, dtype=np.int64)
    for members in _groups(rep).values():
        for place, i in enumerate(sorted(members, key=lambda i: ids[i])):
            position[i] = place
    return Grouping(
        leader, role, reps, candidates, full_rank, order_keys(full_rank, reps, position)
    )


def _groups(rep: list[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, r in enumerate(rep):
        groups.setdefault(r, []).append(i)
    return groups


def _naive_representatives(arrays: ReportArrays, ids: list[str]) -> list[int]:
    table = arrays.table
    texts = {name: table.column(name).to_pylist() for name in TEXT_FIELDS if name in
             table.column_names}  # fmt: skip
    counts = {name: table.column(name).to_pylist() for name in COUNT_FIELDS if name in
              table.column_names}  # fmt: skip
    first: dict[tuple[object, ...], int] = {}
    keys = []
    for i in range(arrays.count):
        key = (
            int(arrays.source[i]),
            int(arrays.kind[i]),
            int(arrays.start[i]),
            int(arrays.end[i]),
            _float_key(arrays.lon[i]),
            _float_key(arrays.lat[i]),
            _float_key(arrays.radius[i]),
            int(arrays.outcome[i]),
            *(values[i] for values in counts.values()),
            *(values[i] for values in texts.values()),
        )
        keys.append(key)
        if key not in first or ids[i] < ids[first[key]]:
            first[key] = i
    return [first[key] for key in keys]


def _float_key(value: float) -> float | str:
    return "nan" if np.isnan(value) else float(value)


def _all_matches(arrays: ReportArrays, located: list[int]) -> set[tuple[int, int]]:
    """Every ordered pair of distinct located reports that match."""
    idx = np.array(located, dtype=np.int64)
    if idx.size < 2:
        return set()
    grid_a, grid_b = np.meshgrid(idx, idx, indexing="ij")
    a, b = grid_a.ravel(), grid_b.ravel()
    keep = a != b
    a, b = a[keep], b[keep]
    ok = matches(arrays, a, b)
    return set(zip(a[ok].tolist(), b[ok].tolist(), strict=True))


def _rank_key(arrays: ReportArrays, i: int, event_id: str) -> tuple[object, ...]:
    one = np.array([i], dtype=np.int64)
    span = int(arrays.end[i] - arrays.start[i])
    span_class = min(int(np.ceil(np.log2(max(span, _MINUTE_US) / _MINUTE_US))), 63)
    return (
        int(precision_class(arrays.radius[one])[0]),
        not bool(arrays.confirms[i]),
        span_class,
        int(hour_key(arrays.start[one])[0]),
        int(content_hash(arrays, one)[0]),
        event_id,
    )
