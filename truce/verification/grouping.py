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

Steps 3 to 5 are loops over reports, each looking only at the reports near it, compiled with
numba (:mod:`truce.verification.scan`). Leaders and joining, in one scan: the anchors are taken
in rank order; one that no leader claimed leads, claims every undecided anchor it matches, and
every anchor it matches counts it and keeps it if it is the best so far (leaders come in rank
order, so of two equally close the first is the better-ranked). Every vague report then looks
at the leaders until it has found two (on all cores). No pair is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from truce.verification.duplicates import representatives
from truce.verification.priority import rank_order_keys, ranks, sweep_and_hour
from truce.verification.reports import ReportArrays
from truce.verification.scan import (
    MARGIN,
    SLACK_M,
    block_hours,
    build_index,
    choose_leaders,
    count_matches,
    index_places,
    leader_tasks,
    slab_bits,
    spatial_order,
)

LEADER = 0
MEMBER = 1
ALONE = 2
RE_REPORT = 3
ROLES: tuple[str, ...] = ("leader", "member", "alone", "re-report")
"""Role codes of a report in its incident (``alone``: a report that matched no leader)."""

RADIUS_EDGES = np.array([1_000.0, 4_000.0, 12_000.0, 25_000.0, 60_000.0, 120_000.0, 400_000.0])
"""Precision classes of vague reports, each searched on a grid of leaders about as wide as its
reach (see :data:`SHARED_CELL_RATIO`)."""

SHARED_CELL_RATIO = 4.0
"""A class of vague reports searches the grid of leaders of the class before it (from the
narrowest) if its reach is at most this many of that grid's cells: a few more cells per search
cost less than sorting the leaders again (at 3 million reports, the districts, oblasts and
regions on one grid took 0.52 s of CPU against 0.87 s on three)."""

ANCHOR_RADIUS_EDGES = np.array([4_000.0])
"""Anchors are indexed in two classes, points and settlements: each class more costs every
search a few more cell lookups, which outweighs the narrower cells (measured again with time
buckets: three classes, split at 4 and 12 km, were slower on the 1M bench input)."""


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
    ordered, keys = rank_order_keys(arrays, unique)
    rank = ranks(n, ordered)
    order_key = order_keys(rank, rep, position)
    del position
    is_anchor = arrays.anchor[ordered]
    anchors = ordered[is_anchor]
    sweep, hour = sweep_and_hour(keys[is_anchor])
    vague = unique[arrays.joinable[unique] & ~arrays.anchor[unique]]
    # Freed before the leader scan, which holds the anchor index: the peak of memory.
    del unique, ordered, keys, is_anchor
    leader = np.arange(n, dtype=np.int64)
    role = np.full(n, ALONE, dtype=np.int8)
    candidates = np.zeros(n, dtype=np.int32)
    leaders = np.zeros(0, dtype=np.int64)
    if anchors.size:
        hours = block_hours(
            int((arrays.end[anchors] - arrays.start[anchors]).max()),
            int(arrays.window_us(anchors).max()),
        )
        tasks = leader_tasks(sweep, hour, hours)
        del sweep, hour
        parts = _classes(arrays, anchors)
        index = build_index(
            arrays, parts, [_cell_m(arrays, part, part) for part in parts], slab_bits(hours)
        )
        del parts
        in_rank_order = index_places(arrays, index, anchors)
        del anchors
        state, count, best = choose_leaders(arrays, index, in_rank_order, tasks)
        del in_rank_order
        leaders = np.sort(index.report[state == 1])
        following = state == 2
        followers = index.report[following]
        del index
        leader[followers] = best[following]
        role[followers] = MEMBER
        candidates[followers] = count[following]
        role[leaders] = LEADER
        candidates[leaders] = 1
        del state, count, best, following, followers
    only, count_vague = vague_matches(arrays, vague, leaders)
    single = count_vague == 1
    leader[vague[single]] = only[single]
    role[vague[single]] = MEMBER
    candidates[vague] = count_vague
    duplicates = np.flatnonzero(rep != np.arange(n))
    leader[duplicates] = leader[rep[duplicates]]
    role[duplicates] = RE_REPORT
    candidates[duplicates] = candidates[rep[duplicates]]
    return Grouping(leader, role, rep, candidates, rank, order_key)


def vague_matches(
    arrays: ReportArrays, vague: np.ndarray, leaders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each vague report: the leader it matches if it matches exactly one, and how many it
    matches, counted up to 2.

    A vague report (an oblast on a busy night) may match hundreds of leaders; two are enough
    to know that it cannot say which incident it belongs to, so the search of each stops at
    the second. Vague reports are searched by precision class, each on a grid of leaders with
    cells about as wide as the class's reach.
    """
    only = np.full(vague.size, -1, dtype=np.int64)
    count = np.zeros(vague.size, dtype=np.int64)
    if vague.size == 0 or leaders.size == 0:
        return only, count
    radius_class = np.searchsorted(RADIUS_EDGES, arrays.radius[vague], side="left")
    index_cell_m, index = 0.0, None
    for value in np.unique(radius_class):
        chosen = np.flatnonzero(radius_class == value)
        cell_m = _cell_m(arrays, vague[chosen], leaders)
        if index is None or cell_m > SHARED_CELL_RATIO * index_cell_m:
            index_cell_m, index = cell_m, build_index(arrays, [leaders], [cell_m])
        chosen = chosen[spatial_order(arrays, vague[chosen], index_cell_m)]
        count[chosen], found = count_matches(arrays, vague[chosen], index, 2)
        only[chosen] = np.where(count[chosen] == 1, found, -1)
    return only, count


def order_keys(rank: np.ndarray, rep: np.ndarray, position: np.ndarray) -> np.ndarray:
    """One sort key per report: its representative's rank, then its place among re-reports."""
    return np.asarray((rank[rep] << 20) | np.minimum(position, (1 << 20) - 1))


def _cell_m(arrays: ReportArrays, first: np.ndarray, second: np.ndarray) -> float:
    """A cell as wide as the largest reach between a report of ``first`` and one of ``second``."""
    window, radius = float(arrays.window_m(first).max()), float(arrays.radius[first].max())
    if second is first:
        return (window + 2 * radius) * MARGIN + SLACK_M
    window = max(window, float(arrays.window_m(second).max()))
    radius += float(arrays.radius[second].max())
    return (window + radius) * MARGIN + SLACK_M


def _classes(arrays: ReportArrays, idx: np.ndarray) -> list[np.ndarray]:
    """``idx`` split by :data:`ANCHOR_RADIUS_EDGES` (empty classes left out)."""
    radius_class = np.searchsorted(ANCHOR_RADIUS_EDGES, arrays.radius[idx], side="left")
    parts = [idx[radius_class == value] for value in range(ANCHOR_RADIUS_EDGES.size + 1)]
    return [part for part in parts if part.size]
