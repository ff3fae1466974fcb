"""Exact re-reports: the same source saying the same thing twice.

Two reports are re-reports of each other when they come from the same source and agree on every
field of content: times, place, precision, kind, weapon, target, outcome, counts and text. Only
the identifiers (``event_id``, ``source_record``), the ``link``, the ``claims`` and the ``raw``
row may differ: a post shared under two links is one report. Re-reports are merged before
grouping; the one with the first ``event_id`` stands for all of them, and all of them stay
listed in the incident.

The search hashes the numeric fields of every report, compares text only among reports whose
numeric hash collides with another's, and verifies every merge field by field.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.verification.priority import combine, content_hash, stable_order
from truce.verification.reports import COUNT_FIELDS, TEXT_FIELDS, ReportArrays

__all__ = ["COUNT_FIELDS", "TEXT_FIELDS", "representatives"]


def representatives(arrays: ReportArrays) -> tuple[np.ndarray, np.ndarray]:
    """For each report, the report that stands for it (itself if not a re-report), and its place
    among its re-reports in ``event_id`` order (0 for the one that stands for them)."""
    n = arrays.count
    rep = np.arange(n, dtype=np.int64)
    position = np.zeros(n, dtype=np.int64)
    everyone = np.arange(n, dtype=np.int64)
    counts = [_counts(arrays.table, name) for name in COUNT_FIELDS if name in
              arrays.table.column_names]  # fmt: skip
    first_hash = _hash_columns(content_hash(arrays, everyone), counts)
    candidates = _in_runs(first_hash, everyone)
    if candidates.size == 0:
        return rep, position
    codes = _text_codes(arrays.table, candidates)
    full = _numeric_columns(arrays, candidates) + [c[candidates] for c in counts] + codes
    second_hash = _hash_columns(first_hash[candidates], codes)
    order = stable_order(second_hash)
    members, hashes = candidates[order], second_hash[order]
    full = [c[order] for c in full]
    run_start = np.r_[True, hashes[1:] != hashes[:-1]]
    head = np.maximum.accumulate(np.where(run_start, np.arange(members.size), 0))
    same = np.ones(members.size, dtype=bool)
    for column in full:
        same &= column == column[head]
    group = np.where(same, head, np.arange(members.size))
    sizes = np.bincount(group, minlength=members.size)
    keep = sizes[group] > 1
    _choose_first_ids(arrays.table, members[keep], group[keep], rep, position)
    return rep, position


_BASE = ("source", "kind", "start", "end", "lon", "lat", "radius", "outcome")


def _numeric_columns(arrays: ReportArrays, idx: np.ndarray) -> list[np.ndarray]:
    """The numeric fields of :data:`_BASE` of reports ``idx``, as 8-byte numbers."""
    base = [
        arrays.source[idx].astype(np.int64),
        arrays.kind[idx].astype(np.int64),
        arrays.start[idx],
        arrays.end[idx],
        _bits(arrays.lon[idx]),
        _bits(arrays.lat[idx]),
        _bits(arrays.radius[idx]),
        arrays.outcome[idx].astype(np.int64),
    ]
    return base


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.nan_to_num(values, nan=np.inf)).view(np.int64)


def _counts(table: pa.Table, name: str) -> np.ndarray:
    """A count column as int64, -1 where missing; chunk by chunk, and nothing to convert in a
    chunk where every count is missing (as in most reports)."""
    column = table.column(name)
    counts = np.full(len(column), -1, dtype=np.int64)
    at = 0
    for chunk in column.chunks:
        if chunk.null_count < len(chunk):
            values = pc.fill_null(pc.cast(chunk, pa.int64()), -1)
            counts[at : at + len(chunk)] = values.to_numpy(zero_copy_only=False)
        at += len(chunk)
    return counts


def _hash_columns(seed: np.ndarray, columns: list[np.ndarray]) -> np.ndarray:
    h = seed
    for column in columns:
        h = combine(h, column.astype(np.int64))
    return h


def _in_runs(hashes: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The reports whose hash some other report shares, sorted (and possibly a few more).

    The hashes are cut to their top bits and each report's position packed below them, so a
    plain sort (several times faster than ``argsort``) brings equal hashes together. Cutting
    can only add reports (whose cut hashes collide by chance): every merge is verified field by
    field afterwards, so those stay on their own.
    """
    bits = np.uint64(max(int(idx.size).bit_length(), 1))
    keys = np.sort(
        ((hashes.astype(np.uint64) >> bits) << bits) | np.arange(idx.size, dtype=np.uint64)
    )
    top = keys >> bits
    equal = top[1:] == top[:-1]
    flag = np.zeros(idx.size, dtype=bool)
    flag[1:] |= equal
    flag[:-1] |= equal
    positions = (keys[flag] & ((np.uint64(1) << bits) - np.uint64(1))).astype(np.int64)
    return np.sort(idx[positions])


def _text_codes(table: pa.Table, idx: np.ndarray) -> list[np.ndarray]:
    """Per text field: codes equal exactly where the texts of reports ``idx`` are equal."""
    taken = pa.array(idx)
    codes = []
    for name in TEXT_FIELDS:
        if name not in table.column_names:
            continue
        # sorted indices: a take from the chunked column reads each chunk in order
        column = table.column(name).take(taken).combine_chunks()
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        encoded = pc.dictionary_encode(pc.fill_null(column, "\x00<null>"))
        codes.append(np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64))
    return codes


def _choose_first_ids(
    table: pa.Table, members: np.ndarray, group: np.ndarray, rep: np.ndarray, position: np.ndarray
) -> None:
    """Within each group of re-reports, point every member at the one with the first event_id."""
    # one array first: a take from a chunked column jumping about costs about twice as much
    ids = table.column("event_id").combine_chunks().take(pa.array(members))
    sorting = pa.table({"group": group, "event_id": ids})
    order = np.asarray(
        pc.sort_indices(sorting, sort_keys=[("group", "ascending"), ("event_id", "ascending")]),
        dtype=np.int64,
    )
    ordered_groups = group[order]
    first = np.r_[True, ordered_groups[1:] != ordered_groups[:-1]]
    leader_pos = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    rep[members[order]] = members[order[leader_pos]]
    position[members[order]] = np.arange(order.size) - leader_pos
