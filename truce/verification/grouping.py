"""Grouping reports into incidents around leader reports, so that matches never chain.

The rule, in the order it is applied:

1. **Re-reports merge** (:mod:`truce.verification.duplicates`): one stands for all.
2. **Anchors** are the reports precise enough to lead: ``precision_m`` at most
   ``anchor_precision_m`` (25 km by default) and a time interval at most ``anchor_span_s``
   long (2 days). Only an anchor can lead an incident; a vaguer report (a district, an oblast,
   a week) can only join one, and a report vaguer than ``join_precision_m`` (200 km: a
   macro-region, a country) or ``join_span_s`` (8 days: a month, a year) joins nothing.
3. **Leaders** are chosen greedily in rank order (:mod:`truce.verification.priority`): an anchor
   leads unless a better-ranked leader matches it (:func:`truce.verification.pairs.matches`).
   So no two leaders match each other.
4. **Joining**: every other report joins the *best* leader it matches: the one closest to it in
   space and time (each measured as a share of the pair's window), a leader of a consistent kind
   before one of a conflicting kind, then the better-ranked. A report never links two leaders: an
   incident spans at most one leader's reach, and a chain of reports each 1.9 km apart becomes
   a row of small incidents, not one long one.
5. A report that matches no leader is an incident of its own.

Step 3 needs no loop over reports (:func:`choose_leaders`): anchors are taken in batches in
rank order; those an earlier leader matches are claimed, and the rest are settled in rounds: in
each round, every undecided anchor that no undecided better-ranked anchor matches becomes a
leader, and the anchors it matches are claimed. This is exactly the greedy result (each round
settles at least the best undecided anchor), and it never forms all the pairs of a dense
cluster: most anchors meet only the few leaders near them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from truce.verification.duplicates import representatives
from truce.verification.pairs import Pairs, matching_pairs
from truce.verification.priority import rank_order, ranks
from truce.verification.reports import ReportArrays

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

FIRST_BATCH = 4_096
"""How many anchors the first batch of leader selection takes (each next one twice as many)."""


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
    ordered = rank_order(arrays, unique)
    rank = ranks(n, ordered)
    leaders = choose_leaders(arrays, ordered[arrays.anchor[ordered]], rank)
    leader_flag = np.zeros(n, dtype=bool)
    leader_flag[leaders] = True
    leader = np.arange(n, dtype=np.int64)
    role = np.full(n, ALONE, dtype=np.int8)
    role[leader_flag] = LEADER
    candidates = np.zeros(n, dtype=np.int32)
    joiners = unique[arrays.joinable[unique] & ~leader_flag[unique]]
    members, chosen, scores = _collect(
        _class_joins(arrays, _classes(arrays, joiners), _classes(arrays, leaders))
    )
    if members.size:
        best = best_leaders(members, chosen, scores, rank, n)
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


def _class_joins(
    arrays: ReportArrays, left: list[np.ndarray], right: list[np.ndarray] | None
) -> Iterator[Pairs]:
    """Matching pairs between two sets split in classes (``right`` None: within ``left``)."""
    if right is None:
        for i, first in enumerate(left):
            yield from matching_pairs(arrays, first)
            for second in left[i + 1 :]:
                yield from matching_pairs(arrays, first, second)
        return
    for first in left:
        for second in right:
            yield from matching_pairs(arrays, first, second)


def _collect(blocks: Iterator[Pairs]) -> Pairs:
    parts: tuple[list[np.ndarray], ...] = ([], [], [])
    for block in blocks:
        for part, values in zip(parts, block, strict=True):
            part.append(values)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    first, second, score = (
        np.concatenate(part) if part else default
        for part, default in zip(parts, empty, strict=True)
    )
    return first, second, score


def choose_leaders(arrays: ReportArrays, anchors: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The leaders among ``anchors`` (given in rank order): the greedy result, in batches.

    Anchors are taken in batches of doubling size, best-ranked first. An anchor of a batch that
    a leader of an earlier batch matches is claimed; the rest are settled among themselves in
    rounds (:func:`_settle`). Only pairs with leaders and pairs within a batch's unclaimed
    anchors are ever formed, never all pairs of anchors: in dense data most anchors are
    claimed by the first leaders near them and take part in no other pair.
    """
    chosen = [np.zeros(0, dtype=np.int64)]
    leaders = chosen[0]
    first, size = 0, FIRST_BATCH
    while first < anchors.size:
        batch = anchors[first : first + size]
        first, size = first + size, size * 2
        if leaders.size:
            claimed, _, _ = _collect(
                _class_joins(arrays, _classes(arrays, batch), _classes(arrays, leaders))
            )
            batch = batch[~np.isin(batch, claimed)]
        pair_a, pair_b, _ = _collect(_class_joins(arrays, _classes(arrays, batch), None))
        chosen.append(_settle(batch, pair_a, pair_b, rank))
        leaders = np.concatenate(chosen)
    return np.sort(leaders)


def _settle(
    batch: np.ndarray, pair_a: np.ndarray, pair_b: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """The greedy leaders among ``batch`` given the matching pairs within it, in rounds."""
    if pair_a.size == 0:
        return batch
    local = np.full(int(batch.max()) + 1, -1, dtype=np.int64)
    local[batch] = np.arange(batch.size)
    a, b = local[pair_a], local[pair_b]
    better_first = rank[pair_a] < rank[pair_b]
    high = np.where(better_first, a, b)
    low = np.where(better_first, b, a)
    state = np.zeros(batch.size, dtype=np.int8)  # 0 undecided, 1 leader, 2 claimed
    pending = np.arange(batch.size)
    blocked = np.zeros(batch.size, dtype=bool)
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
    return np.asarray(batch[state == 1])


def best_leaders(
    members: np.ndarray, leaders: np.ndarray, score: np.ndarray, rank: np.ndarray, n: int
) -> np.ndarray:
    """For each report, the leader it joins (-1 if it has no candidate).

    The best leader has the smallest score (:func:`truce.verification.pairs.pair_scores`:
    nearest in space and time, a consistent kind before a conflicting one), then the best rank.
    """
    best_score = np.full(n, np.inf)
    np.minimum.at(best_score, members, score)
    finalists = score == best_score[members]
    best_rank = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best_rank, members[finalists], rank[leaders[finalists]])
    by_rank = np.full(n, -1, dtype=np.int64)
    chosen = finalists & (rank[leaders] == best_rank[members])
    by_rank[members[chosen]] = leaders[chosen]
    return np.asarray(by_rank)
