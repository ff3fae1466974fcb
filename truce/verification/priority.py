"""Which report leads: a total order on reports that does not depend on the input's order.

A report comes before another (has a better *rank*) when, in this order of keys,

1. its precision class is finer (classes double from 100 m: <=100 m, <=200 m, <=400 m, ...);
2. it is a monitor's own observation (its source type ``confirms``);
3. its time interval is narrower (classes double from one minute);
4. it starts in an earlier hour (UTC, counted from 1970; hours before 957 years earlier or after
   957 years later count as those bounds): among equally precise reports the earliest leads;
5. its content hash is smaller (a fixed function of source, kind, times, place and outcome);
6. its ``event_id`` sorts first.

Only the last key needs strings, and it is compared only between reports tied on all the
others, so the order costs one integer sort.

The hour (key 4) is there for speed as much as for meaning: the leaders are chosen in rank
order, and within a class of precision the hour makes consecutive decisions look at reports of
the same hours, which are near each other in memory, where the hash alone would send each
decision to a random place and time (a cache miss per cell looked at).
"""

from __future__ import annotations

import itertools

import numpy as np
from numba import prange

from truce.errors import InputError
from truce.verification.reports import ReportArrays
from truce.verification.scan import compiled, compiled_parallel

_HOUR_BITS = 24
_HASH_BITS = 28
_MINUTE_US = 60_000_000
_HOUR_US = 3_600_000_000


def mix64(value: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fixed, well-spread function of 64-bit integers."""
    bits = np.ascontiguousarray(value.astype(np.uint64, copy=False))
    out = np.empty(bits.shape, dtype=np.uint64)
    _mix_into(bits.ravel(), out.ravel())
    return out


def combine(seed: np.ndarray, value: np.ndarray) -> np.ndarray:
    """A hash of ``seed`` and ``value``, an array of 8-byte numbers taken as bit patterns."""
    bits = np.ascontiguousarray(value).view(np.uint64)
    out = np.empty(bits.shape, dtype=np.uint64)
    _combine_into(np.ascontiguousarray(seed, dtype=np.uint64).ravel(), bits.ravel(), out.ravel())
    return out


@compiled
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@compiled_parallel
def _mix_into(bits: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    for i in prange(bits.size):
        out[i] = _mix(bits[i])


@compiled_parallel
def _combine_into(seed: np.ndarray, bits: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    golden = np.uint64(0x9E3779B97F4A7C15)
    for i in prange(bits.size):
        out[i] = _mix(seed[i] ^ (_mix(bits[i]) + golden))


def content_hash(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each report's source, kind, times, place, precision and outcome.

    The source's code mixed, then each of kind, start, end, longitude, latitude (a missing one
    taken as 1e9), radius and outcome combined in turn (:func:`combine`), in one compiled pass.
    """
    out = np.empty(idx.size, dtype=np.uint64)
    _content_hash_into(
        np.asarray(idx, dtype=np.int64),
        arrays.source,
        arrays.kind,
        arrays.start,
        arrays.end,
        arrays.lon,
        arrays.lat,
        arrays.radius,
        arrays.outcome,
        out,
    )
    return out


@compiled
def _float_bits(
    value: float, buffer: np.ndarray, bits: np.ndarray
) -> np.uint64:  # pragma: no cover
    buffer[0] = value
    return np.uint64(bits[0])


@compiled
def _content_hash_into(
    idx: np.ndarray,
    source: np.ndarray,
    kind: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    radius: np.ndarray,
    outcome: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    golden = np.uint64(0x9E3779B97F4A7C15)
    largest = np.finfo(np.float64).max
    buffer = np.zeros(1, dtype=np.float64)
    bits = buffer.view(np.uint64)
    for k in range(idx.size):
        i = idx[k]
        h = _mix(np.uint64(source[i]))
        h = _mix(h ^ (_mix(np.uint64(np.int64(kind[i]))) + golden))
        h = _mix(h ^ (_mix(np.uint64(start[i])) + golden))
        h = _mix(h ^ (_mix(np.uint64(end[i])) + golden))
        for value in (lon[i], lat[i]):
            if np.isnan(value):
                value = 1e9
            elif np.isinf(value):
                value = largest if value > 0 else -largest
            h = _mix(h ^ (_mix(_float_bits(value, buffer, bits)) + golden))
        h = _mix(h ^ (_mix(_float_bits(radius[i], buffer, bits)) + golden))
        h = _mix(h ^ (_mix(np.uint64(np.int64(outcome[i]))) + golden))
        out[k] = h


def precision_class(radius: np.ndarray) -> np.ndarray:
    """0 for <=100 m, 1 for <=200 m, 2 for <=400 m, ... (at most 31)."""
    ratio = np.maximum(radius, 100.0) / 100.0
    return np.asarray(np.minimum(np.ceil(np.log2(ratio)), 31).astype(np.uint64))


def span_class(span_us: np.ndarray) -> np.ndarray:
    """0 for an interval up to a minute, 1 up to 2 minutes, 2 up to 4, ... (at most 63)."""
    ratio = np.maximum(span_us, _MINUTE_US).astype(np.float64) / _MINUTE_US
    return np.asarray(np.minimum(np.ceil(np.log2(ratio)), 63).astype(np.uint64))


def hour_key(start_us: np.ndarray) -> np.ndarray:
    """Key 4: the hour a report starts in, counted from 2**23 hours before 1970 (clipped)."""
    hours = np.floor_divide(start_us, _HOUR_US) + (1 << (_HOUR_BITS - 1))
    return np.asarray(np.clip(hours, 0, (1 << _HOUR_BITS) - 1).astype(np.uint64))


def rank_class(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """Keys 1-3 of each report of ``idx`` packed in one number (smaller ranks first)."""
    spans = arrays.end[idx] - arrays.start[idx]
    not_monitor = (~arrays.confirms[idx]).astype(np.uint64)
    key = precision_class(arrays.radius[idx]) << np.uint64(1)
    key = (key | not_monitor) << np.uint64(6)
    return np.asarray(key | span_class(spans))


def priority_keys(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """The packed sort key of each report of ``idx`` (keys 1-4 and the top of key 5)."""
    key = rank_class(arrays, idx) << np.uint64(_HOUR_BITS)
    key = (key | hour_key(arrays.start[idx])) << np.uint64(_HASH_BITS)
    return np.asarray(key | (content_hash(arrays, idx) >> np.uint64(64 - _HASH_BITS)))


def rank_order(arrays: ReportArrays, idx: np.ndarray) -> np.ndarray:
    """``idx`` sorted from the report that should lead first to the one that should lead last."""
    return rank_order_keys(arrays, idx)[0]


def rank_order_keys(arrays: ReportArrays, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rank_order`, and the packed key (:func:`priority_keys`) of each report in it."""
    keys = priority_keys(arrays, idx)
    order = stable_order(keys)
    ordered = np.asarray(idx[order])
    sorted_keys = keys[order]
    del keys, order
    tied = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    if tied.size:
        ordered = _break_ties(arrays, ordered, sorted_keys, tied)
    return ordered, sorted_keys


def sweep_and_hour(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys 1-3 (:func:`rank_class`) and key 4 (:func:`hour_key`) of packed keys."""
    sweep = keys >> np.uint64(_HOUR_BITS + _HASH_BITS)
    hour = (keys >> np.uint64(_HASH_BITS)) & np.uint64((1 << _HOUR_BITS) - 1)
    return sweep, hour


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for 64-bit unsigned keys, by a plain sort.

    Each key's top bits and its position below them are sorted as one number (a plain sort is
    several times faster than ``argsort``); keys whose top bits tie are then put in order of
    their full key, position breaking ties (by insertion: such runs are short).
    """
    bits = np.uint64(max(int(keys.size).bit_length(), 1))
    if keys.size and int(keys.max()).bit_length() + int(bits) <= 64:
        # small keys: key and position together fit in 64 bits, no runs to put in order
        packed = (keys.astype(np.uint64) << bits) | np.arange(keys.size, dtype=np.uint64)
        return (np.sort(packed) & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    packed = ((keys >> bits) << bits) | np.arange(keys.size, dtype=np.uint64)
    order = (np.sort(packed) & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    _order_runs(np.ascontiguousarray(keys, dtype=np.uint64), order, bits)
    return np.asarray(order)


@compiled
def _order_runs(keys: np.ndarray, order: np.ndarray, bits: np.uint64) -> None:  # pragma: no cover
    """Sort each run of ``order`` whose keys share their top bits by full key, then position."""
    n = order.size
    start = 0
    while start < n:
        end = start + 1
        top = keys[order[start]] >> bits
        while end < n and keys[order[end]] >> bits == top:
            end += 1
        if end - start > 32:
            run = order[start:end].copy()
            order[start:end] = run[np.argsort(keys[run], kind="mergesort")]
            start = end
            continue
        for i in range(start + 1, end):
            item = order[i]
            j = i - 1
            while j >= start and (
                keys[order[j]] > keys[item] or (keys[order[j]] == keys[item] and order[j] > item)
            ):
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = item
        start = end


def _break_ties(
    arrays: ReportArrays, ordered: np.ndarray, keys: np.ndarray, tied: np.ndarray
) -> np.ndarray:
    """Reorder each run of equal keys by full content hash, then event_id."""
    in_run = np.zeros(ordered.size, dtype=bool)
    in_run[tied] = True
    in_run[tied + 1] = True
    positions = np.flatnonzero(in_run)
    members = ordered[positions]
    hashes = content_hash(arrays, members)
    ids = arrays.table.column("event_id").take(members).to_pylist()
    run_keys = keys[positions].tolist()
    order = sorted(range(positions.size), key=lambda i: (run_keys[i], int(hashes[i]), ids[i]))
    for left, right in itertools.pairwise(order):
        if run_keys[left] == run_keys[right] and ids[left] == ids[right]:
            raise InputError(f"event_id {ids[left]!r} is used by more than one report")
    result = ordered.copy()
    result[positions] = members[np.array(order, dtype=np.int64)]
    return result


def ranks(count: int, ordered: np.ndarray) -> np.ndarray:
    """Rank of every report (position in ``ordered``); reports not in it get the worst rank."""
    rank = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    rank[ordered] = np.arange(ordered.size, dtype=np.int64)
    return rank
