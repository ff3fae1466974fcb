"""Findings' few-valued text columns as dictionaries: built from codes, counted on the codes,
written to Parquet as they are, and read back (dictionary-typed or plain) with the same values."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.conftest import EVENTS
from truce.agreement import Agreement
from truce.engine import CheckResult, check
from truce.engine.findings import (
    DICTIONARY_COLUMNS,
    FINDING_SCHEMA,
    PLAIN_SCHEMA,
    STATUSES,
    WORDS,
    as_findings,
    as_plain,
    codes_of,
    status_codes,
    status_rank,
    table_to_findings,
    words,
)
from truce.engine.output import FindingWriter, claims_json
from truce.engine.run import _ranks, best_per_event
from truce.engine.summary import Summary, _day_words, _days_words
from truce.io import read_events

INCIDENTS = EVENTS / "moratorium-2025-incidents.csv"

_texts = st.one_of(st.none(), st.sampled_from(["a", "b", "russia, ukraine", "", "é"]))
_chunk = st.tuples(st.lists(_texts, max_size=12), st.booleans())


def _array(values: Sequence[str | None], encoded: bool) -> pa.Array:
    plain = pa.array(values, pa.string())
    return plain.dictionary_encode() if encoded else plain


@given(st.lists(_chunk, max_size=4))
@settings(max_examples=200, deadline=None)
def test_codes_of_gives_each_rows_value(chunks: list[tuple[list[str | None], bool]]) -> None:
    """Codes index the values list to the rows' own values, whatever the chunks' dictionaries
    (or none); null rows get -1."""
    column = (
        pa.chunked_array([_array(v, e) for v, e in chunks], pa.string())
        if not any(e for _, e in chunks)
        else pa.chunked_array([_array(v, e).cast(WORDS) for v, e in chunks], WORDS)
    )
    codes, values = codes_of(column)
    expected = [v for vs, _ in chunks for v in vs]
    assert [None if c < 0 else values[c] for c in codes.tolist()] == expected
    assert len(set(values)) == len(values)


@given(st.lists(st.sampled_from([*STATUSES, "other"]), max_size=30), st.booleans())
@settings(max_examples=100, deadline=None)
def test_status_codes_and_ranks_match_the_words(statuses: list[str], encoded: bool) -> None:
    """Status codes index :data:`STATUSES` (-1 for an unknown word); ranks are status_rank's."""
    column = _array(statuses, encoded)
    codes = status_codes(column)
    assert [STATUSES[c] if c >= 0 else "other" for c in codes.tolist()] == statuses
    assert _ranks(column).tolist() == [status_rank(s) for s in statuses]


def test_words_builds_a_dictionary_array_with_nulls() -> None:
    """Negative codes are nulls; the others index the dictionary."""
    array = words(np.array([1, -1, 0, 1]), pa.array(["x", "y"]))
    assert array.type == WORDS
    assert array.to_pylist() == ["y", None, "x", "y"]


@pytest.fixture(scope="module")
def result(moratorium: Agreement) -> CheckResult:
    """The moratorium checked against its documented incidents."""
    return check([moratorium], [r.batch for r in read_events(INCIDENTS, "csv")])


def test_findings_carry_dictionary_columns(result: CheckResult) -> None:
    """The result is in FINDING_SCHEMA: every few-valued text column is dictionary-typed."""
    table = result.findings
    assert table.schema.equals(FINDING_SCHEMA)
    for name in DICTIONARY_COLUMNS:
        assert table.schema.field(name).type == WORDS
    assert table.num_rows == 10


def test_summary_counts_the_same_on_dictionaries_and_plain_texts(result: CheckResult) -> None:
    """Counting codes gives the same per-term, per-party and per-day counts as plain texts."""
    table = result.findings
    coded, plain = Summary(), Summary()
    coded.add(table)
    plain.add(as_plain(table))
    assert coded.per_term == plain.per_term == result.summary.per_term
    assert coded.per_party == plain.per_party == result.summary.per_party
    assert coded.per_day == plain.per_day == result.summary.per_day
    by_hand: dict[tuple[str, str, str], int] = {}
    for row in table.to_pylist():
        key = (row["agreement"], row["term"], row["status"])
        by_hand[key] = by_hand.get(key, 0) + 1
    assert dict(coded.per_term) == by_hand


def test_parquet_keeps_the_dictionaries_and_the_values(result: CheckResult, tmp_path: Path) -> None:
    """Batches with different dictionaries are written as one row group and read back with
    the same values, dictionary-typed; a plain-text file reads back the same through
    as_findings."""
    table = result.findings
    halves = [table.slice(0, 4), table.slice(4)]
    # make the two halves' dictionaries differ (one keeps only its own values)
    halves[1] = pa.Table.from_arrays(
        [
            pa.chunked_array([c.chunk(0).dictionary_decode().dictionary_encode()])
            if isinstance(c.chunk(0), pa.DictionaryArray)
            else c
            for c in halves[1].combine_chunks().columns
        ],
        schema=FINDING_SCHEMA,
    )
    out = tmp_path / "f.parquet"
    with FindingWriter(out, background=False) as writer:
        for half in halves:
            for batch in half.to_batches():
                writer.write(batch)
    back = pq.read_table(out)
    assert back.schema.field("status").type == WORDS
    assert back.to_pylist() == table.to_pylist()
    assert table_to_findings(back) == result.finding_list()
    legacy = tmp_path / "plain.parquet"
    pq.write_table(as_plain(table), legacy)
    old = pq.read_table(legacy)
    assert old.schema.field("status").type == pa.string()
    assert as_findings(old).schema.equals(FINDING_SCHEMA)
    assert as_findings(old).to_pylist() == table.to_pylist()
    assert table_to_findings(old) == result.finding_list()


def test_csv_carries_plain_texts(result: CheckResult, tmp_path: Path) -> None:
    """The CSV file is the one plain texts give, byte for byte."""
    out = tmp_path / "f.csv"
    with FindingWriter(out) as writer:
        for batch in result.findings.to_batches():
            writer.write(batch)
    plain = as_plain(result.findings)
    plain = plain.set_column(
        plain.schema.get_field_index("claims"), "claims", claims_json(plain.column("claims"))
    )
    expected = tmp_path / "expected.csv"
    pacsv.write_csv(plain, expected)
    assert out.read_bytes() == expected.read_bytes()
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == result.findings.column("status").to_pylist()
    assert PLAIN_SCHEMA.field("status").type == pa.string()


def test_best_per_event_keeps_the_strongest_across_dictionaries(result: CheckResult) -> None:
    """Parts with different status dictionaries: the strongest status per event is kept."""
    table = result.findings.combine_chunks()
    weaker = table.set_column(
        table.schema.get_field_index("status"),
        FINDING_SCHEMA.field("status"),
        pa.array(["possible"] * table.num_rows).dictionary_encode().cast(WORDS),
    )
    best = best_per_event([weaker, table])
    assert best.num_rows == table.num_rows
    assert sorted(best.column("status").to_pylist()) == sorted(table.column("status").to_pylist())


@given(st.lists(st.one_of(st.integers(-700_000, 2_932_896), st.just(-(10**9))), max_size=20))
@settings(max_examples=200, deadline=None)
def test_days_words_match_one_by_one(days: list[int]) -> None:
    """Day words made by numpy are the ones made day by day (dates before year 1000 and
    undated rows included)."""
    array = np.array(days, dtype=np.int64)
    assert _days_words(array) == [_day_words(d) for d in days]
