"""The second threads of ``truce check``: events read ahead, findings written behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.conftest import EVENTS, EXAMPLES
from truce.engine import kernels, output
from truce.engine.files import check_files, read_ahead
from truce.engine.findings import FINDING_SCHEMA
from truce.engine.output import FindingWriter

AGREEMENT = EXAMPLES / "energy-moratorium-2025.yaml"
INCIDENTS = EVENTS / "moratorium-2025-incidents.csv"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers()), st.integers(1, 4))
def test_read_ahead_gives_every_item_in_order(items: list[int], depth: int) -> None:
    assert list(read_ahead(iter(items), depth)) == items


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 20), st.integers(1, 3))
def test_read_ahead_raises_the_producers_error_where_its_item_would_come(
    good: int, depth: int
) -> None:
    def produce() -> Iterator[int]:
        yield from range(good)
        raise ValueError("broken file")

    seen: list[int] = []

    def drain() -> None:
        for item in read_ahead(produce(), depth):
            seen.append(item)

    with pytest.raises(ValueError, match="broken file"):
        drain()
    assert seen == list(range(good))


def test_read_ahead_stops_the_producer_when_the_consumer_stops() -> None:
    produced: list[int] = []
    finished = threading.Event()

    def produce() -> Iterator[int]:
        try:
            for item in range(1_000_000):
                produced.append(item)
                yield item
        finally:
            finished.set()

    items = read_ahead(produce(), 2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # joins the producer
    assert finished.is_set()
    assert len(produced) <= 3 + 2 + 1


@cache
def _findings(copies: int) -> pa.Table:
    found = check_files([AGREEMENT], [INCIDENTS]).findings
    assert found.num_rows > 0
    return pa.concat_tables([found] * copies)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=30), st.integers(1, 50))
def test_writing_behind_gives_the_same_file(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], group: int
) -> None:
    """Row groups written on the second thread: the same rows, in the same order, in the same
    row groups as written in line."""
    table = _findings(40)
    folder = tmp_path_factory.mktemp("behind")
    old = output.ROW_GROUP_ROWS
    output.ROW_GROUP_ROWS = group
    try:
        files = {}
        parts = []
        at = 0
        for size in sizes:
            parts.append(table.slice(at % table.num_rows, size))
            at += size
        for background in (False, True):
            path = folder / f"{background}.parquet"
            with FindingWriter(path, background=background) as writer:
                for part in parts:
                    for batch in part.to_batches():
                        writer.write(batch)
            files[background] = pq.ParquetFile(path)
    finally:
        output.ROW_GROUP_ROWS = old
    inline, behind = files[False], files[True]
    assert behind.num_row_groups == inline.num_row_groups
    assert [behind.metadata.row_group(i).num_rows for i in range(behind.num_row_groups)] == [
        inline.metadata.row_group(i).num_rows for i in range(inline.num_row_groups)
    ]
    assert behind.read().equals(inline.read())
    assert behind.read().equals(pa.concat_tables(parts).cast(FINDING_SCHEMA))
    assert behind.schema_arrow.equals(FINDING_SCHEMA)


def test_an_error_of_the_writing_thread_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _findings(3)
    monkeypatch.setattr(output, "ROW_GROUP_ROWS", 4)
    writer = FindingWriter(tmp_path / "f.parquet", background=True)
    assert writer._parquet is not None

    def fail(table: pa.Table) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer._parquet, "write_table", fail)

    def write_all() -> None:
        for batch in table.to_batches(max_chunksize=2):
            writer.write(batch)
        writer.close()

    with pytest.raises(OSError, match="disk full"):
        write_all()


def test_check_files_reads_ahead_and_writes_behind_the_same_findings(tmp_path: Path) -> None:
    kept = check_files([AGREEMENT], [INCIDENTS]).findings
    out = tmp_path / "findings.parquet"
    result = check_files([AGREEMENT], [INCIDENTS], out=out)
    written = pq.read_table(out)
    assert written.num_rows == kept.num_rows == result.summary.total
    assert written.sort_by("event_id").equals(kept.sort_by("event_id"))
    assert result.summary.rows_read is not None
    assert result.summary.rows_read > 0


def test_warm_loads_every_compiled_loop() -> None:
    kernels.warm()
    for name in ("_nearest_points", "_nearest_segments", "_gather", "_text_offsets"):
        assert getattr(kernels, name).signatures, name
    assert np.array_equal(
        kernels.gather_texts(
            np.zeros((1, 0), dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.uint8),
            np.zeros(1, dtype=np.int64),
        ),
        np.zeros(0, dtype=np.uint8),
    )
