"""The output of corroboration: an incidents table and a report-to-incident table.

:data:`INCIDENT_SCHEMA`, one row per incident, in order of time then rank:

* ``incident_id`` is ``inc:`` and the ``event_id`` of the report leading it, so it stays the
  same across runs as long as that report leads;
* ``grade`` and ``reasons`` (slugs of :data:`~truce.verification.grading.REASONS`);
  :func:`explain` turns a row into sentences;
* the reports, as the sources identified them (``source_records``, with ``sources``) and as
  truce did (``event_ids``), leader first then by rank;
* a representative time (the interval every report's interval shares, or the leader's when
  they share none) and place (the leader's point and precision);
* the kinds and outcomes reported, the claims of attribution each with its report and source,
  and whether attribution is contested;
* the decisions of people that shaped it.

:data:`ASSIGNMENT_SCHEMA`, one row per report, in input order: its incident, its role, what it
re-reports, how many incidents it could have joined (a vague report's count stops at 2), and
its origin. Its ``source``, ``incident_id``, ``role`` and ``origin`` are dictionary-encoded
(cast them to strings to compare with plain ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.verification import grading
from truce.verification.grouping import ALONE, LEADER, MEMBER, RE_REPORT, ROLES, Grouping
from truce.verification.overrides import Applied
from truce.verification.priority import stable_order
from truce.verification.reports import ReportArrays
from truce.verification.scan import compiled

_TS = pa.timestamp("us", tz="UTC")
_STRINGS = pa.list_(pa.string())
CLAIM_BY_SOURCE = pa.struct(
    [
        pa.field("event_id", pa.string()),
        pa.field("source", pa.string()),
        pa.field("claimant", pa.string()),
        pa.field("perpetrator", pa.string()),
        pa.field("note", pa.string()),
    ]
)
"""One claim of attribution, with the report and source it came from."""

DECISION = pa.struct(
    [
        pa.field("action", pa.string()),
        pa.field("event_ids", _STRINGS),
        pa.field("who", pa.string()),
        pa.field("why", pa.string()),
        pa.field("at", pa.string()),
    ]
)
"""A person's decision, as recorded on the incidents it shaped."""

INCIDENT_SCHEMA = pa.schema(
    [
        pa.field("incident_id", pa.string(), nullable=False),
        pa.field("leader_event_id", pa.string(), nullable=False),
        pa.field("grade", pa.string(), nullable=False),
        pa.field("reasons", _STRINGS, nullable=False),
        pa.field("report_count", pa.int32(), nullable=False),
        pa.field("independent_sources", pa.int32(), nullable=False),
        pa.field("sources", _STRINGS, nullable=False),
        pa.field("origins", _STRINGS, nullable=False),
        pa.field("event_ids", _STRINGS, nullable=False),
        pa.field("source_records", _STRINGS, nullable=False),
        pa.field("time_start", _TS, nullable=False),
        pa.field("time_end", _TS, nullable=False),
        pa.field("lon", pa.float64()),
        pa.field("lat", pa.float64()),
        pa.field("precision_m", pa.float64()),
        pa.field("area_precision", pa.string()),
        pa.field("kinds", _STRINGS, nullable=False),
        pa.field("outcomes", _STRINGS, nullable=False),
        pa.field("claims", pa.list_(CLAIM_BY_SOURCE), nullable=False),
        pa.field("contested_attribution", pa.bool_(), nullable=False),
        pa.field("decisions", pa.list_(DECISION), nullable=False),
    ],
    metadata={"truce.schema": "incidents/1"},
)
"""The incidents table (see the module docstring)."""

ASSIGNMENT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("source", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("source_record", pa.string(), nullable=False),
        pa.field("incident_id", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("role", pa.dictionary(pa.int8(), pa.string()), nullable=False),
        pa.field("re_report_of", pa.string()),
        pa.field("candidates", pa.int32(), nullable=False),
        pa.field("origin", pa.dictionary(pa.int32(), pa.string()), nullable=False),
    ],
    metadata={"truce.schema": "incident-assignments/1"},
)
"""The report-to-incident table (see the module docstring)."""

ASSIGNMENT_ROLES: tuple[str, ...] = (*ROLES, "decided")
"""Roles in the assignments table: the automatic ones, and ``decided`` by a person."""


def build_tables(
    arrays: ReportArrays, grouping: Grouping, applied: Applied, aliases: Mapping[str, str]
) -> tuple[pa.Table, pa.Table]:
    """The incidents table and the assignments table."""
    n = arrays.count
    leader = applied.leader
    position = _positions(grouping.order_key)
    heads = _incident_order(arrays, np.flatnonzero(leader == np.arange(n)), position)
    m = heads.size
    # int32 (fewer than 2**31 incidents): the incident of each report is held to the end
    incident_of_head = np.full(n, -1, dtype=np.int32)
    incident_of_head[heads] = np.arange(m, dtype=np.int32)
    inc = incident_of_head[leader]
    offsets = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(np.bincount(inc, minlength=m), out=offsets[1:])
    rows = _rows_by_incident(inc, position, heads, offsets)
    del position, incident_of_head
    # where each report sits in ``rows``: every other take of ids is from the incidents'
    # list of ids (one array, in that order), not from a combined copy of the input's column
    place = np.empty(n, dtype=rows.dtype)
    place[rows] = np.arange(n, dtype=rows.dtype)
    decided = np.zeros(n, dtype=bool)
    decided[list(applied.decided_rows)] = True
    head_ids = _one_chunk(arrays.table.column("event_id").take(pa.array(heads)))
    incidents = _incidents_table(
        arrays, grouping, applied, aliases, heads, inc, rows, place, offsets, head_ids
    )
    del rows
    incident_ids = incidents.column("incident_id").chunk(0)
    ids_in_order = incidents.column("event_ids").chunk(0).values
    roles = _roles(grouping, leader, decided)
    assignments = _assignments_table(
        arrays, grouping, inc, place, ids_in_order, incident_ids, roles
    )
    return incidents, assignments


def _incident_order(arrays: ReportArrays, heads: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Heads sorted by their start time, then by rank."""
    seconds = (arrays.start[heads] - arrays.start.min()) // 1_000_000
    bits = max(int(position.size).bit_length(), 1)
    if int(seconds.max(initial=0)).bit_length() + bits <= 62:
        # Positions are distinct: a plain sort of the packed keys (faster than argsort) gives
        # the positions in order, and each position names its report.
        report_at = np.empty(position.size, dtype=np.int64)
        report_at[position] = np.arange(position.size, dtype=np.int64)
        keys = np.sort((seconds << bits) | position[heads])
        return np.asarray(report_at[keys & ((1 << bits) - 1)])
    return heads[np.lexsort((position[heads], seconds))]


def _positions(order_key: np.ndarray) -> np.ndarray:
    """The place of each report when sorted by its (distinct) ``order_key``.

    A key is the representative's rank (high bits) and the place among its re-reports (low 20
    bits, numbered from 0): the places follow by counting, without a sort, unless a report has
    so many re-reports that the low bits saturate.
    """
    n = order_key.size
    within = order_key & ((1 << 20) - 1)
    if n == 0 or int(within.max()) >= (1 << 20) - 1:
        position = np.empty(n, dtype=np.int64)
        position[np.argsort(order_key)] = np.arange(n, dtype=np.int64)
        return position
    group = order_key >> 20
    sizes = np.bincount(group)
    first = np.cumsum(sizes) - sizes
    return np.asarray(first[group] + within, dtype=np.int64)


def _rows_by_incident(
    inc: np.ndarray, position: np.ndarray, heads: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Reports sorted by incident, each incident's head first, then the others by ``position``
    (a permutation): a counting sort. Report numbers are int32 below 2**31 reports (half the
    memory of this array and of the places made from it, which are held to the end)."""
    kind = np.int32 if position.size < 2**31 else np.int64
    in_order = np.empty(position.size, dtype=kind)
    in_order[position] = np.arange(position.size, dtype=kind)
    rows = np.empty(position.size, dtype=kind)
    _place_rows(inc, in_order, heads, offsets.astype(np.int64), rows)
    return rows


@compiled
def _place_rows(
    inc: np.ndarray, in_order: np.ndarray, heads: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> None:  # pragma: no cover
    cursor = offsets[:-1].copy()
    is_head = np.zeros(inc.size, dtype=np.bool_)
    for h in heads:
        rows[cursor[inc[h]]] = h
        cursor[inc[h]] += 1
        is_head[h] = True
    for k in in_order:
        if not is_head[k]:
            rows[cursor[inc[k]]] = k
            cursor[inc[k]] += 1


def _roles(grouping: Grouping, leader: np.ndarray, decided: np.ndarray) -> np.ndarray:
    role = grouping.role.copy()
    role[role == LEADER] = MEMBER
    role[(leader == np.arange(leader.size)) & (role != ALONE)] = LEADER
    role[grouping.role == RE_REPORT] = RE_REPORT
    role[decided] = len(ROLES)
    return role


def _incidents_table(
    arrays: ReportArrays,
    grouping: Grouping,
    applied: Applied,
    aliases: Mapping[str, str],
    heads: np.ndarray,
    inc: np.ndarray,
    rows: np.ndarray,
    place: np.ndarray,
    offsets: np.ndarray,
    head_ids: pa.Array,
) -> pa.Table:
    m = heads.size
    table = arrays.table

    # The two lists of every report's ids and the claims are the largest part of the table and
    # independent of the rest: they are copied on another thread (Arrow, numpy and the compiled
    # loops release the GIL) while grading runs.
    # The takes are from the chunked columns: a combined copy of each would cost as much
    # memory as the take itself, at the peak.
    def copy_lists() -> tuple[pa.Array, pa.Array, pa.Array]:
        take_rows = pa.array(rows)
        event_ids = _one_chunk(table["event_id"].take(take_rows))
        source_records = _one_chunk(table["source_record"].take(take_rows))
        return event_ids, source_records, _claims(arrays, event_ids, inc, place, m)

    with ThreadPoolExecutor(max_workers=1) as pool:
        copied = pool.submit(copy_lists)
        columns = _graded_columns(
            arrays, grouping, applied, aliases, heads, inc, rows, offsets, head_ids, m
        )
        event_ids, source_records, claims = copied.result()
    # the temporaries of grading and of the takes go back to the system before the lists are
    # put together (Arrow's allocator keeps freed memory for reuse otherwise)
    pa.default_memory_pool().release_unused()
    columns["event_ids"] = _lists(offsets, event_ids)
    columns["source_records"] = _lists(offsets, source_records)
    columns["claims"] = claims
    arrays_out = [_one_chunk(columns[f.name]).cast(f.type) for f in INCIDENT_SCHEMA]
    return pa.Table.from_arrays(arrays_out, schema=INCIDENT_SCHEMA)


def _graded_columns(
    arrays: ReportArrays,
    grouping: Grouping,
    applied: Applied,
    aliases: Mapping[str, str],
    heads: np.ndarray,
    inc: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    head_ids: pa.Array,
    m: int,
) -> dict[str, Any]:
    """Every column of the incidents table but the two lists of report ids."""
    table = arrays.table
    named = {
        "sources": (arrays.source, arrays.source_names),
        "origins": (arrays.origin, arrays.origin_names),
        "kinds": (arrays.kind, arrays.kinds.slugs),
        "outcomes": (arrays.outcome, _OUTCOMES),
    }
    decided = np.zeros(arrays.count, dtype=bool)
    decided[list(applied.decided_rows)] = True
    specific = arrays.anchor[grouping.representative] | decided
    # one pass over the reports in incident order for every per-incident sum (each incident's
    # values accumulated in registers: no write jumps about)
    report_flags = (
        arrays.confirms * np.uint8(grading.CONFIRMS)
        | (grouping.role != RE_REPORT) * np.uint8(grading.UNIQUE)
        | ((grouping.role == ALONE) & (grouping.candidates > 1)) * np.uint8(grading.SEVERAL)
        | ~arrays.located * np.uint8(grading.UNLOCATED)
        | specific * np.uint8(grading.SPECIFIC)
    ).astype(np.uint8)
    del specific
    codes = [codes for codes, _ in named.values()]
    widths = [max(len(n), 1) for _, n in named.values()]
    sums = grading.incident_passes(
        rows,
        offsets,
        codes,
        widths,
        arrays.outcome,
        arrays.origin,
        report_flags,
        arrays.start,
        arrays.end,
    )
    code_sets = sums["code_sets"] or grading.distinct_code_sets(inc, codes, widths, m)
    distinct = {
        name: _distinct(incident, code, names, m)
        for (name, (_, names)), (incident, code) in zip(named.items(), code_sets, strict=True)
    }
    independent = grading.independent_sources(arrays, inc, m, code_sets[1][0])
    # which incidents can hold a kind conflict at all, from the code sets of all their reports
    origin_count = np.bincount(code_sets[1][0], minlength=m)
    kind_count = np.bincount(code_sets[2][0], minlength=m)
    outcome_conflict = sums["outcome_conflict"]
    kind_conflict = grading.kind_conflicts(
        arrays,
        rows,
        offsets,
        (report_flags & grading.SPECIFIC) > 0,
        (origin_count > 1) & (kind_count > 1),
    )
    del report_flags
    confirmed = sums["confirmed"]
    contested, mutual = grading.attribution(arrays, inc, m, aliases)
    grade = grading.grade_codes(independent, confirmed, outcome_conflict | kind_conflict)
    report_count = np.diff(offsets)
    unique_rows = sums["unique"]
    flags = {
        "single-source": independent <= 1,
        "independent-sources": independent >= 2,
        "monitor-observation": confirmed,
        "outcome-conflict": outcome_conflict,
        "kind-conflict": kind_conflict,
        "contested-attribution": contested,
        "mutual-blame": mutual,
        "same-origin": unique_rows > independent,
        "re-reports": report_count > unique_rows,
        "matched-several": sums["several"],
        "no-location": sums["unlocated"],
        "override": _is_decided(heads, applied, arrays.count),
    }
    start, end = _representative_time(arrays, heads, sums["latest_start"], sums["earliest_end"])
    places = ("lon", "lat", "precision_m")
    return {
        "incident_id": pc.binary_join_element_wise("inc:", head_ids, ""),
        "leader_event_id": head_ids,
        "grade": _named(grade, grading.GRADES),
        "reasons": _flag_lists(flags),
        "report_count": pa.array(report_count, pa.int32()),
        "independent_sources": pa.array(independent, pa.int32()),
        "sources": distinct["sources"],
        "origins": distinct["origins"],
        "time_start": pa.array(start, pa.int64()).cast(_TS),
        "time_end": pa.array(end, pa.int64()).cast(_TS),
        **dict(zip(places, _take_floats([table.column(n) for n in places], heads), strict=True)),
        "area_precision": _optional(table, "area_precision", heads),
        "kinds": distinct["kinds"],
        "outcomes": distinct["outcomes"],
        "contested_attribution": pa.array(contested),
        "decisions": _decisions(applied, heads),
    }


_OUTCOMES = ("unknown", "impact", "attempt")


def _is_decided(heads: np.ndarray, applied: Applied, n: int) -> np.ndarray:
    """Whether each head leads an incident a person's decision shaped."""
    decided = np.zeros(n, dtype=bool)
    decided[np.array(list(applied.decisions), dtype=np.int64)] = True
    return np.asarray(decided[heads])


def _one_chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _take_floats(columns: list[pa.ChunkedArray], idx: np.ndarray) -> list[pa.Array]:
    """``column.take(idx)`` of each column as float64, missing values missing: gathered by
    numpy chunk by chunk (a take from a chunked column that jumps about is several times
    slower, and a combined copy of the column would add its whole size to the peak of
    memory). Columns of the same chunk lengths share the split of ``idx`` into chunks."""
    taken: list[pa.Array] = []
    split: tuple[list[int], list[tuple[np.ndarray, np.ndarray]]] | None = None
    for column in columns:
        lengths = [len(chunk) for chunk in column.chunks]
        if split is None or split[0] != lengths:
            split = (lengths, _split_by_chunk(lengths, idx))
        values = np.empty(idx.size, dtype=np.float64)
        missing = np.zeros(idx.size, dtype=bool) if column.null_count else None
        for chunk, (where, at) in zip(column.chunks, split[1], strict=True):
            if where.size == 0:
                continue
            if chunk.type != pa.float64():
                chunk = pc.cast(chunk, pa.float64())
            values[where] = np.asarray(chunk.to_numpy(zero_copy_only=False))[at]
            if missing is not None and chunk.null_count:
                missing[where] = np.asarray(pc.is_null(chunk).to_numpy(zero_copy_only=False))[at]
        taken.append(pa.array(values, pa.float64(), mask=missing))
    return taken


def _split_by_chunk(lengths: list[int], idx: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per chunk of the given lengths: the places in ``idx`` that fall in it, and where."""
    bounds = np.cumsum([0, *lengths])
    chunk_of = np.searchsorted(bounds, idx, side="right") - 1
    # a stable sort of small integers (a radix sort for 16 bits)
    small = chunk_of.astype(np.uint16) if len(lengths) < (1 << 16) else chunk_of
    order = np.argsort(small, kind="stable")
    cuts = np.searchsorted(chunk_of[order], np.arange(len(lengths) + 1))
    parts = []
    for c in range(len(lengths)):
        where = order[cuts[c] : cuts[c + 1]]
        parts.append((where, idx[where] - bounds[c]))
    return parts


def _optional(table: pa.Table, name: str, heads: np.ndarray) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(heads.size, pa.string())
    return _one_chunk(table.column(name)).take(pa.array(heads))


def _representative_time(
    arrays: ReportArrays, heads: np.ndarray, latest_start: np.ndarray, earliest_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The interval all reports share (closing ends restored; from the latest start and
    earliest closed end of each incident's reports), else the leader's."""
    shared = latest_start <= earliest_end
    head_start, head_end = arrays.start[heads], arrays.end[heads]
    head_end = np.where(head_end > head_start, head_end + 1, head_end)
    return np.where(shared, latest_start, head_start), np.where(shared, earliest_end, head_end)


def _lists(offsets: np.ndarray, values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), _one_chunk(values))


def _distinct(incident: np.ndarray, code: np.ndarray, names: tuple[str, ...], m: int) -> pa.Array:
    """Per incident, the distinct names among its reports, in name order, from the distinct
    (incident, code) pairs."""
    offsets = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(np.bincount(incident, minlength=m), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), _named(code, names))


def _flag_lists(flags: dict[str, np.ndarray]) -> pa.Array:
    """Per incident, the names of its flags that are set, in the order of ``flags``."""
    matrix = np.column_stack([np.asarray(v, dtype=bool) for v in flags.values()])
    offsets = np.zeros(matrix.shape[0] + 1, dtype=np.int32)
    np.cumsum(matrix.sum(axis=1, dtype=np.int32), out=offsets[1:])
    col = np.empty(int(offsets[-1]), dtype=np.int32)
    _set_columns(matrix, col)
    return pa.ListArray.from_arrays(pa.array(offsets), _named(col, tuple(flags)))


@compiled
def _set_columns(matrix: np.ndarray, col: np.ndarray) -> None:  # pragma: no cover
    """The column of every set entry of ``matrix``, row by row (``np.nonzero(matrix)[1]``
    as int32, without the row numbers)."""
    at = 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if matrix[i, j]:
                col[at] = j
                at += 1


def _named(codes: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    """The strings ``names[codes]``, built by Arrow (no Python string per value)."""
    dictionary = pa.array(list(names), pa.string())
    indices = pa.array(np.asarray(codes, dtype=np.int32), pa.int32())
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())


def _claims(
    arrays: ReportArrays, ids_in_order: pa.Array, inc: np.ndarray, place: np.ndarray, m: int
) -> pa.Array:
    """Per incident, every claim of its reports, with the report's event_id and source
    (``ids_in_order``: the reports' ids in incident order, report ``k``'s at ``place[k]``)."""
    table = arrays.table
    claims = _one_chunk(table.column("claims"))
    parent = np.asarray(pc.list_parent_indices(claims).to_numpy(), dtype=np.int64)
    flat = claims.flatten()
    order = stable_order(place[parent].astype(np.uint64))
    parent, taken = parent[order], pa.array(order)
    values = pa.StructArray.from_arrays(
        [
            ids_in_order.take(pa.array(place[parent])),
            _named(arrays.source[parent], arrays.source_names),
            flat.field("claimant").take(taken),
            flat.field("perpetrator").take(taken),
            flat.field("note").take(taken),
        ],
        fields=list(CLAIM_BY_SOURCE),
    )
    offsets = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(np.bincount(inc[parent], minlength=m), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _decisions(applied: Applied, heads: np.ndarray) -> pa.Array:
    if not applied.decisions:
        return pa.ListArray.from_arrays(
            pa.array(np.zeros(heads.size + 1, dtype=np.int32)), pa.array([], DECISION)
        )
    per_head = [[d.to_dict() for d in applied.decisions.get(h, [])] for h in heads.tolist()]
    return pa.array(per_head, pa.list_(DECISION))


def _assignments_table(
    arrays: ReportArrays,
    grouping: Grouping,
    inc: np.ndarray,
    place: np.ndarray,
    ids_in_order: pa.Array,
    incident_ids: pa.Array,
    roles: np.ndarray,
) -> pa.Table:
    table = arrays.table
    rep = grouping.representative
    is_copy = rep != np.arange(rep.size)
    re_report_of = ids_in_order.take(pa.array(place[rep], mask=~is_copy))
    columns = [
        table.column("event_id"),
        # dictionary-encoded (a few sources, millions of reports): the codes of the reports
        pa.DictionaryArray.from_arrays(
            pa.array(arrays.source, pa.int32()), pa.array(arrays.source_names, pa.string())
        ),
        _plain(table.column("source_record")),
        pa.DictionaryArray.from_arrays(pa.array(inc, pa.int32()), _one_chunk(incident_ids)),
        pa.DictionaryArray.from_arrays(pa.array(roles, pa.int8()), pa.array(ASSIGNMENT_ROLES)),
        re_report_of,
        pa.array(grouping.candidates, pa.int32()),
        pa.DictionaryArray.from_arrays(
            pa.array(arrays.origin, pa.int32()), pa.array(arrays.origin_names, pa.string())
        ),
    ]
    return pa.Table.from_arrays(columns, schema=ASSIGNMENT_SCHEMA)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A string column as plain strings (a dictionary-encoded one decoded)."""
    return column.cast(pa.string()) if column.type != pa.string() else column


def explain(incident: Mapping[str, Any]) -> list[str]:
    """The reasons of one incident (a row of the incidents table as a dict) as sentences."""
    lines = []
    for reason in incident["reasons"]:
        text = grading.REASONS.get(reason, reason)
        if reason in ("single-source", "independent-sources"):
            origins = ", ".join(incident["origins"])
            text = f"{incident['independent_sources']} independent source(s): {origins}"
        elif reason == "contested-attribution":
            named = sorted({c["perpetrator"] for c in incident["claims"] if c["perpetrator"]})
            text = f"{text}: " + "; ".join(
                f"{c['claimant']} blames {c['perpetrator']} ({c['source']})"
                for c in incident["claims"]
                if c["perpetrator"] in named
            )
        elif reason == "override":
            text = "; ".join(
                f"{d['action']} by {d['who']}: {d['why']}" for d in incident["decisions"]
            )
        lines.append(text)
    return lines
