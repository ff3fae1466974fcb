"""Grouping reports into incidents around leader reports, so that matches never chain.

The rule, in the order it is applied:

1. **Re-reports merge** (:mod:`truce.verification.duplicates`): one stands for all.
2. **Anchors** are the reports precise enough to lead (``precision_m`` at most
   ``anchor_precision_m``, 25 km by default). Only an anchor can lead an incident; a vaguer
   report (a district, an oblast) can only join one, and a report vaguer than
   ``join_precision_m`` (250 km: a macro-region, a country) joins nothing.
3. **Leaders** are chosen greedily in rank order (:mod:`truce.verification.priority`): an anchor
   leads unless a better-ranked leader matches it (:func:`truce.verification.pairs.matches`).
   So no two leaders match each other.
4. **Joining**: every other report joins the *best* leader it matches: the one closest to it in
   space and time (each measured as a share of the pair's window), a leader of a consistent kind
   before one of a conflicting kind, then the better-ranked. A report never links two leaders: an
   incident spans at most one leader's reach, and a chain of reports each 1.9 km apart becomes
   a row of small incidents, not one long one.
5. A report that matches no leader is an incident of its own.

Step 3 runs in rounds on the pairs of matching anchors, all at once: in each round, every
undecided anchor that no undecided better-ranked anchor matches becomes a leader, and the
anchors it matches are claimed. This gives exactly the greedy result (each round settles at
least the best undecided anchor) without a loop over reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from truce.verification.compatibility import CONFLICTING
from truce.verification.duplicates import representatives
from truce.verification.pairs import matching_pairs
from truce.verification.priority import rank_order, ranks
from truce.verification.reports import EARTH_RADIUS_M, ReportArrays, chord2

LEADER = 0
MEMBER = 1
ALONE = 2
RE_REPORT = 3
ROLES: tuple[str, ...] = ("leader", "member", "alone", "re-report")
"""Role codes of a report in its incident (``alone``: a report that matched no leader)."""

RADIUS_EDGES = np.array([1_000.0, 5_000.0, 25_000.0, 100_000.0, 400_000.0])
"""Precision classes searched separately, so that vague reports do not widen every search."""

SPAN_EDGES_US = np.array([26 * 3600, 8 * 86400, 32 * 86400], dtype=np.int64) * 1_000_000
"""Time-interval classes searched separately (up to a day, a week, a month, longer)."""


@dataclass
class Grouping:
    """The automatic grouping: for every report, the report leading its incident."""

    leader: np.ndarray
    role: np.ndarray
    representative: np.ndarray
    candidates: np.ndarray
    rank: np.ndarray
    order_key: np.ndarray

    @property
    def count(self) -> int:
        """How many reports."""
        return int(self.leader.shape[0])


def group_reports(arrays: ReportArrays) -> Grouping:
    """Group every report of ``arrays`` under a leader (see the module docstring)."""
    n = arrays.count
    rep, position = representatives(arrays)
    unique = np.flatnonzero(rep == np.arange(n))
    anchors = unique[arrays.anchor[unique]]
    pair_a, pair_b = _anchor_pairs(arrays, anchors)
    degree = np.bincount(pair_a, minlength=n) + np.bincount(pair_b, minlength=n)
    rank = ranks(n, rank_order(arrays, unique, degree[unique]))
    leader_flag = _choose_leaders(n, anchors, pair_a, pair_b, rank)
    leader = np.arange(n, dtype=np.int64)
    role = np.full(n, ALONE, dtype=np.int8)
    role[leader_flag] = LEADER
    candidates = np.zeros(n, dtype=np.int32)
    members, leaders = _anchor_candidates(pair_a, pair_b, leader_flag)
    joiners = unique[arrays.joinable[unique] & ~arrays.anchor[unique]]
    extra_m, extra_l = _joiner_candidates(arrays, joiners, np.flatnonzero(leader_flag))
    members = np.concatenate([members, extra_m])
    leaders = np.concatenate([leaders, extra_l])
    if members.size:
        best = best_leaders(arrays, members, leaders, rank, n)
        joined = np.flatnonzero(best >= 0)
        leader[joined] = best[joined]
        role[joined] = MEMBER
        candidates += np.bincount(members, minlength=n).astype(np.int32)
    candidates[leader_flag] = 1
    duplicates = np.flatnonzero(rep != np.arange(n))
    leader[duplicates] = leader[rep[duplicates]]
    role[duplicates] = RE_REPORT
    candidates[duplicates] = candidates[rep[duplicates]]
    return Grouping(leader, role, rep, candidates, rank, order_keys(rank, rep, position))


def order_keys(rank: np.ndarray, rep: np.ndarray, position: np.ndarray) -> np.ndarray:
    """One sort key per report: its representative's rank, then its place among re-reports."""
    return np.asarray((rank[rep] << 20) | np.minimum(position, (1 << 20) - 1))


def _classes(arrays: ReportArrays, idx: np.ndarray) -> list[np.ndarray]:
    """``idx`` split by precision class and time-interval class."""
    radius_class = np.searchsorted(RADIUS_EDGES, arrays.radius[idx], side="left")
    span_class = np.searchsorted(SPAN_EDGES_US, arrays.end[idx] - arrays.start[idx], side="left")
    code = radius_class * (SPAN_EDGES_US.size + 1) + span_class
    order = np.argsort(code, kind="stable")
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    return [part for part in np.split(idx[order], cuts) if part.size]


def _anchor_pairs(arrays: ReportArrays, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every matching pair of anchors, each once."""
    return _collect(_class_joins(arrays, _classes(arrays, anchors), None))


def _class_joins(
    arrays: ReportArrays, left: list[np.ndarray], right: list[np.ndarray] | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    if right is None:
        for i, first in enumerate(left):
            yield from matching_pairs(arrays, first)
            for second in left[i + 1 :]:
                yield from matching_pairs(arrays, first, second)
        return
    for first in left:
        for second in right:
            yield from matching_pairs(arrays, first, second)


def _collect(blocks: Iterator[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    firsts, seconds = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for a, b in blocks:
        firsts.append(a)
        seconds.append(b)
    return np.concatenate(firsts), np.concatenate(seconds)


def _choose_leaders(
    n: int, anchors: np.ndarray, pair_a: np.ndarray, pair_b: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """The greedy leaders among ``anchors``, computed in parallel rounds (module docstring)."""
    state = np.zeros(n, dtype=np.int8)  # 0 undecided, 1 leader, 2 claimed
    better_first = rank[pair_a] < rank[pair_b]
    high = np.where(better_first, pair_a, pair_b)
    low = np.where(better_first, pair_b, pair_a)
    pending = anchors
    blocked = np.zeros(n, dtype=bool)
    while pending.size:
        blocked[low] = True
        new = pending[~blocked[pending]]
        blocked[low] = False
        state[new] = 1
        claimed = low[state[high] == 1]
        state[claimed] = np.where(state[claimed] == 0, 2, state[claimed])
        live = (state[high] == 0) & (state[low] == 0)
        high, low = high[live], low[live]
        pending = pending[state[pending] == 0]
    return np.asarray(state == 1)


def _anchor_candidates(
    pair_a: np.ndarray, pair_b: np.ndarray, leader_flag: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(member, leader) for every matching pair of an anchor that does not lead and a leader."""
    a_leads = leader_flag[pair_a] & ~leader_flag[pair_b]
    b_leads = leader_flag[pair_b] & ~leader_flag[pair_a]
    members = np.concatenate([pair_b[a_leads], pair_a[b_leads]])
    leaders = np.concatenate([pair_a[a_leads], pair_b[b_leads]])
    return members, leaders


def _joiner_candidates(
    arrays: ReportArrays, joiners: np.ndarray, leaders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(report, leader) for every match of a report too vague to lead with a leader."""
    if joiners.size == 0 or leaders.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    blocks = _class_joins(arrays, _classes(arrays, joiners), _classes(arrays, leaders))
    return _collect(blocks)


def join_scores(arrays: ReportArrays, members: np.ndarray, leaders: np.ndarray) -> np.ndarray:
    """How far each member is from a leader it matches, as shares of the pair's windows.

    The distance over the distance reach, plus the time between the middles over the time
    reach, plus 2 when the kinds conflict (so a consistent leader is always preferred).
    """
    reach = np.maximum(arrays.window_m[members], arrays.window_m[leaders])
    reach += arrays.radius[members] + arrays.radius[leaders]
    reach /= EARTH_RADIUS_M
    distance = np.sqrt(chord2(arrays.xyz, members, leaders))
    space = np.divide(distance, reach, out=np.zeros_like(distance), where=reach > 0)
    mid2 = arrays.start + arrays.end
    span2 = arrays.end - arrays.start
    time_reach = 2 * np.maximum(arrays.window_us[members], arrays.window_us[leaders])
    time_reach += span2[members] + span2[leaders]
    gap = np.abs(mid2[members] - mid2[leaders]).astype(np.float64)
    time = np.divide(gap, time_reach, out=np.zeros_like(gap), where=time_reach > 0)
    conflict = arrays.kinds.matrix[arrays.kind[members], arrays.kind[leaders]] == CONFLICTING
    return np.asarray(space + time + 2.0 * conflict)


def best_leaders(
    arrays: ReportArrays, members: np.ndarray, leaders: np.ndarray, rank: np.ndarray, n: int
) -> np.ndarray:
    """For each report, the leader it joins (-1 if it has no candidate)."""
    score = join_scores(arrays, members, leaders)
    best_score = np.full(n, np.inf)
    np.minimum.at(best_score, members, score)
    finalists = score == best_score[members]
    best_rank = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best_rank, members[finalists], rank[leaders[finalists]])
    by_rank = np.full(n, -1, dtype=np.int64)
    chosen = finalists & (rank[leaders] == best_rank[members])
    by_rank[members[chosen]] = leaders[chosen]
    return np.asarray(by_rank)
