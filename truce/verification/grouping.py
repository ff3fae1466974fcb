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
4. **Joining**: every other anchor joins the *best* leader it matches: the one closest to it in
   space and time (each measured as a share of the pair's window), a leader of a consistent kind
   before one of a conflicting kind, then the better-ranked. A report never links two leaders: an
   incident spans at most one leader's reach, and a chain of reports each 1.9 km apart becomes
   a row of small incidents, not one long one.
5. A vague report joins the leader it matches only if it matches exactly one: an oblast-level
   report on a night of many strikes cannot say which of them it describes, so it stays on its
   own, noting that it matched several (:func:`vague_matches`).
6. A report that matches no leader is an incident of its own.

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
from truce.verification.pairs import Pairs, matching_pairs, nearby_pairs
from truce.verification.priority import rank_order, ranks
from truce.verification.reports import ReportArrays

LEADER = 0
MEMBER = 1
ALONE = 2
RE_REPORT = 3
ROLES: tuple[str, ...] = ("leader", "member", "alone", "re-report")
"""Role codes of a report in its incident (``alone``: a report that matched no leader)."""

RADIUS_EDGES = np.array([1_000.0, 4_000.0, 12_000.0, 25_000.0, 60_000.0, 120_000.0, 400_000.0])
"""Precision classes searched separately, so that vague reports do not widen every search."""

SPAN_EDGES_US = np.array([7_260, 93_600, 691_200, 2_764_800], dtype=np.int64) * 1_000_000
"""Time-interval classes searched separately: two hours, a day (of 26 hours), 8 days, 32."""

NEAR_PER_CELL = 8
"""How many leaders per grid cell a vague report first looks at (see :func:`vague_matches`)."""

SPLIT_SIZE = 100_000
"""Below this many reports a set is searched whole, not class by class."""

FIRST_BATCH = 32_768
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
    leaders, anchor_pairs = choose_leaders(arrays, ordered[arrays.anchor[ordered]], rank)
    leader_flag = np.zeros(n, dtype=bool)
    leader_flag[leaders] = True
    leader = np.arange(n, dtype=np.int64)
    role = np.full(n, ALONE, dtype=np.int8)
    role[leader_flag] = LEADER
    candidates = np.zeros(n, dtype=np.int32)
    members, chosen, scores = anchor_pairs
    if members.size:
        best = best_leaders(members, chosen, scores, rank, n)
        joined = np.flatnonzero(best >= 0)
        leader[joined] = best[joined]
        role[joined] = MEMBER
        candidates += np.bincount(members, minlength=n).astype(np.int32)
    vague = unique[arrays.joinable[unique] & ~arrays.anchor[unique]]
    only, count = vague_matches(arrays, vague, leaders)
    single = count == 1
    leader[vague[single]] = only[single]
    role[vague[single]] = MEMBER
    candidates[vague] = count
    candidates[leader_flag] = 1
    duplicates = np.flatnonzero(rep != np.arange(n))
    leader[duplicates] = leader[rep[duplicates]]
    role[duplicates] = RE_REPORT
    candidates[duplicates] = candidates[rep[duplicates]]
    return Grouping(leader, role, rep, candidates, rank, order_keys(rank, rep, position))


def vague_matches(
    arrays: ReportArrays, vague: np.ndarray, leaders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each vague report: the leader it matches if it matches exactly one, and how many it
    matches, counted up to 2.

    A vague report (an oblast on a busy night) may match hundreds of leaders, and listing them
    all would cost more than everything else; two are enough to know that it cannot say which
    incident it belongs to. So each first looks at the few leaders nearest to it in time in
    each cell around it, where in dense data two matches turn up at once; only those that find
    fewer are searched in full.
    """
    only = np.full(vague.size, -1, dtype=np.int64)
    count = np.zeros(vague.size, dtype=np.int64)
    if vague.size == 0 or leaders.size == 0:
        return only, count
    position = np.full(int(vague.max()) + 1, -1, dtype=np.int64)
    position[vague] = np.arange(vague.size)
    near, _, _ = _collect(
        block
        for part in _classes(arrays, vague)
        for block in nearby_pairs(arrays, part, leaders, NEAR_PER_CELL)
    )
    count = np.minimum(np.bincount(position[near], minlength=vague.size), 2)
    rest = vague[count < 2]
    members, chosen, _ = _collect(_joins(arrays, rest, leaders))
    rest_count = np.bincount(position[members], minlength=vague.size)[position[rest]]
    count[position[rest]] = np.minimum(rest_count, 2)
    alone = position[members][rest_count[np.searchsorted(rest, members)] == 1]
    only[alone] = chosen[rest_count[np.searchsorted(rest, members)] == 1]
    return only, count


def order_keys(rank: np.ndarray, rep: np.ndarray, position: np.ndarray) -> np.ndarray:
    """One sort key per report: its representative's rank, then its place among re-reports."""
    return np.asarray((rank[rep] << 20) | np.minimum(position, (1 << 20) - 1))


def _classes(arrays: ReportArrays, idx: np.ndarray) -> list[np.ndarray]:
    """``idx`` split by precision class and time-interval class."""
    radius_class = np.searchsorted(RADIUS_EDGES, arrays.radius[idx], side="left")
    span_class = np.searchsorted(SPAN_EDGES_US, arrays.span2[idx], side="left")
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


def choose_leaders(
    arrays: ReportArrays, anchors: np.ndarray, rank: np.ndarray
) -> tuple[np.ndarray, Pairs]:
    """The leaders among ``anchors`` (given in rank order), and every (anchor, leader) match.

    This is the greedy result, computed in batches of doubling size, best-ranked first. An
    anchor of a batch that a leader of an earlier batch matches is claimed; the rest are
    settled among themselves in rounds (:func:`_settle`). Only pairs with a leader and pairs
    within a batch's unclaimed anchors are ever formed, never all the pairs of a dense
    cluster: most anchors are claimed by the first leaders near them. Each matching pair of
    an anchor that does not lead and a leader is returned once, with its score.
    """
    found: list[Pairs] = []
    leaders = np.zeros(0, dtype=np.int64)
    followers = np.zeros(0, dtype=np.int64)
    first, size = 0, FIRST_BATCH
    while first < anchors.size:
        batch = anchors[first : first + size]
        first, size = first + size, size * 2
        claimed = np.zeros(batch.size, dtype=bool)
        if leaders.size:
            earlier = _collect(_joins(arrays, batch, leaders))
            found.append(earlier)
            claimed = np.isin(batch, earlier[0])
        open_ = batch[~claimed]
        pair_a, pair_b, score = _collect(_joins(arrays, open_, None))
        new = _settle(open_, pair_a, pair_b, rank)
        a_leads, b_leads = np.isin(pair_a, new), np.isin(pair_b, new)
        found.append((pair_b[a_leads], pair_a[a_leads], score[a_leads]))
        found.append((pair_a[b_leads], pair_b[b_leads], score[b_leads]))
        found.append(_collect(_joins(arrays, batch[claimed], new)))
        found.append(_collect(_joins(arrays, followers, new)))
        followers = np.concatenate([followers, np.setdiff1d(batch, new)])
        leaders = np.concatenate([leaders, new])
    return np.sort(leaders), _collect(iter(found))


def _joins(arrays: ReportArrays, left: np.ndarray, right: np.ndarray | None) -> Iterator[Pairs]:
    """Matching pairs between two disjoint sets (or within ``left``), class by class.

    Sets are split in classes only when both are large: a join costs a sort of the larger set,
    and splitting a small one only multiplies that cost.
    """
    if left.size == 0 or (right is not None and right.size == 0):
        return iter(())
    if right is None:
        if left.size < SPLIT_SIZE:
            return matching_pairs(arrays, left)
        return _class_joins(arrays, _classes(arrays, left), None)
    if min(left.size, right.size) < SPLIT_SIZE:
        return matching_pairs(arrays, left, right)
    return _class_joins(arrays, _classes(arrays, left), _classes(arrays, right))


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
