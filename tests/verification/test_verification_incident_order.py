"""The tables' per-incident sums, taken in one pass over the reports in incident order, equal the
same sums taken report by report; and with a person's decisions applied, every incident's values
come from the reports the assignments put in it."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verification.builders import random_table
from truce.verification import Detach, Merge, Override, Split, corroborate, grading
from truce.verification.incidents import _take_floats
from truce.verification.reports import COUNT_FIELDS, TEXT_FIELDS, ReportArrays


def incident_layout(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, ...]:
    """A random incident per report (every incident used), and the reports listed incident by
    incident in a random order within each incident (``rows``, ``offsets``)."""
    inc = np.concatenate([np.arange(m), rng.integers(0, m, n - m)])
    rng.shuffle(inc)
    rows = np.lexsort((rng.random(n), inc))
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(inc, minlength=m), out=offsets[1:])
    return inc, rows, offsets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    share=st.floats(0.05, 1.0),
    widths=st.lists(st.integers(1, 64), min_size=4, max_size=4),
)
def test_one_pass_in_incident_order_equals_the_passes_report_by_report(
    seed: int, n: int, share: float, widths: list[int]
) -> None:
    rng = np.random.default_rng(seed)
    m = max(1, int(n * share))
    inc, rows, offsets = incident_layout(rng, n, m)
    widths[3] = 3  # the outcome codes
    codes = [rng.integers(0, w, n).astype(np.int32) for w in widths]
    origin, outcome = codes[1], codes[3].astype(np.int8)
    flags = rng.integers(0, 32, n).astype(np.uint8)
    start = rng.integers(0, 1_000, n).astype(np.int64)
    end = start + rng.choice([0, 1, 50, 500], n)
    sums = grading.incident_passes(rows, offsets, codes, widths, outcome, origin, flags, start, end)

    expected_sets = grading.distinct_code_sets(inc, codes, widths, m)
    for (incident, code), (want_incident, want_code) in zip(
        sums["code_sets"], expected_sets, strict=True
    ):
        assert np.array_equal(incident, want_incident)
        assert np.array_equal(code, want_code)
    for name, bit in (
        ("confirmed", grading.CONFIRMS),
        ("several", grading.SEVERAL),
        ("unlocated", grading.UNLOCATED),
    ):
        want = np.bincount(inc, weights=(flags & bit) > 0, minlength=m) > 0
        assert np.array_equal(sums[name], want), name
    unique = np.bincount(inc, weights=(flags & grading.UNIQUE) > 0, minlength=m)
    assert np.array_equal(sums["unique"], unique)
    arrays = cast(ReportArrays, type("Arrays", (), {"outcome": outcome, "origin": origin}))
    specific = (flags & grading.SPECIFIC) > 0
    conflicts = grading.outcome_conflicts(arrays, inc, m, specific)
    assert np.array_equal(sums["outcome_conflict"], conflicts)
    latest = np.full(m, np.iinfo(np.int64).min, dtype=np.int64)
    earliest = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    grading.raise_to(latest, inc, start)
    grading.lower_to(earliest, inc, np.where(end > start, end + 1, end))
    assert np.array_equal(sums["latest_start"], latest)
    assert np.array_equal(sums["earliest_end"], earliest)


def test_code_sets_wider_than_64_are_left_to_the_caller() -> None:
    rng = np.random.default_rng(1)
    _, rows, offsets = incident_layout(rng, 50, 10)
    codes = [rng.integers(0, 70, 50).astype(np.int32) for _ in range(4)]
    outcome = rng.integers(0, 3, 50).astype(np.int8)
    sums = grading.incident_passes(
        rows,
        offsets,
        codes,
        [70, 70, 70, 70],
        outcome,
        codes[1],
        np.zeros(50, dtype=np.uint8),
        np.zeros(50, dtype=np.int64),
        np.zeros(50, dtype=np.int64),
    )
    assert sums["code_sets"] is None
    assert not sums["outcome_conflict"].any()


def per_incident_from_assignments(reports: pa.Table, assignments: pa.Table) -> dict[str, Any]:
    """Each incident's values computed from the reports the assignments put in it, row by row."""
    found: dict[str, Any] = {}
    rows = reports.to_pylist()
    incident_of = assignments.column("incident_id").cast(pa.string()).to_pylist()
    for row, incident in zip(rows, incident_of, strict=True):
        entry = found.setdefault(
            incident, {"ids": set(), "sources": set(), "kinds": set(), "outcomes": set()}
        )
        entry["ids"].add(row["event_id"])
        entry["sources"].add(row["source"])
        entry["kinds"].add(row["kind"])
        entry["outcomes"].add(row["outcome"] or "unknown")
        start = row["time_start"]
        end = row["time_end"]
        entry["start"] = max(entry.get("start", start), start)
        entry["end"] = min(entry.get("end", end), end)
    return found


DECISIONS = st.lists(
    st.tuples(
        st.sampled_from([Detach, Split, Merge]),
        st.lists(st.integers(0, 79), min_size=2, max_size=4, unique=True),
    ),
    max_size=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), decisions=DECISIONS)
def test_incidents_hold_what_their_reports_say_after_decisions(
    seed: int, decisions: list[tuple[type[Override], list[int]]]
) -> None:
    reports = random_table(seed, 80, spread_km=8.0)
    overrides = [
        kind(tuple(f"r:{i:05d}" for i in picked), who="analyst", why="test")
        for kind, picked in decisions
    ]
    result = corroborate(reports, overrides=overrides)
    expected = per_incident_from_assignments(reports, result.assignments)
    incidents = result.incidents.to_pylist()
    assert len(incidents) == len(expected)
    for incident in incidents:
        want = expected[incident["incident_id"]]
        assert set(incident["event_ids"]) == want["ids"]
        assert incident["event_ids"][0] == incident["leader_event_id"]
        assert incident["report_count"] == len(want["ids"])
        assert incident["sources"] == sorted(want["sources"])
        assert set(incident["kinds"]) == want["kinds"]
        assert set(incident["outcomes"]) == want["outcomes"]
        if want["start"] <= want["end"]:
            assert (incident["time_start"], incident["time_end"]) == (want["start"], want["end"])
    assert result.assignments.schema.field("source").type == pa.dictionary(pa.int32(), pa.string())
    assert result.assignments.column("source").cast(pa.string()).equals(reports.column("source"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
def test_an_optional_column_of_nulls_is_the_same_as_none(seed: int) -> None:
    """What lets a reader leave out the optional columns no row fills (``bench/corroborate.py``
    does, from the Parquet statistics)."""
    reports = random_table(seed, 120, spread_km=8.0)
    optional = [n for n in (*TEXT_FIELDS, *COUNT_FIELDS) if n in reports.column_names]
    assert optional
    for name in optional:
        index = reports.schema.get_field_index(name)
        empty = pa.nulls(reports.num_rows, reports.schema.field(name).type)
        reports = reports.set_column(index, reports.schema.field(name), empty)
    full = corroborate(reports)
    lean = corroborate(reports.drop_columns(optional))
    assert full.incidents.equals(lean.incidents)
    assert full.assignments.equals(lean.assignments)


@given(st.lists(st.sampled_from(["", "a", "t.me/x/1", "t.me/x/2", "ж"]), max_size=30), st.data())
def test_links_cited_more_than_once_are_found_by_their_hashes(
    links: list[str], data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(links)))
    array = pa.array(["pad", *links, "pad"]).slice(1 + start, len(links) - start)
    kept = links[start:]
    hashes = grading._string_hashes(array)
    repeated = grading._repeated(hashes)
    assert repeated.tolist() == [kept.count(link) > 1 for link in kept]
    large = grading._string_hashes(array.cast(pa.large_string()))
    assert np.array_equal(hashes, large)


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=12), min_size=1, max_size=5
    ),
    st.sampled_from([pa.float64(), pa.float32()]),
    st.data(),
)
def test_floats_taken_chunk_by_chunk_equal_arrows_take(
    chunks: list[list[float | None]], kind: pa.DataType, data: st.DataObject
) -> None:
    column = pa.chunked_array([pa.array(c, kind) for c in chunks], kind)
    size = len(column)
    idx = np.array(
        data.draw(st.lists(st.integers(0, max(size - 1, 0)), max_size=20 if size else 0)),
        dtype=np.int64,
    )
    want = column.take(pa.array(idx, pa.int64())).combine_chunks().cast(pa.float64())
    lon, lat = _take_floats([column, column], idx)
    assert lon.equals(want)
    assert lat.equals(want)
