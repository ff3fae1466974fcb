"""The vectorised FIRMS reader: both column sets, bad rows, line numbers, the real file."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.io.helpers import read_all, shared_file
from truce.io import read_events

FULL_HEADER = (
    "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,"
    "confidence,version,bright_t31,frp,daynight"
)


def _write(tmp_path: Path, text: str, name: str = "fires.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "LATITUDE,LONGITUDE,ACQ_DATE\n48.73135,38.3933,2022-06-11\n")
    (event,) = read_all(path, "firms").events()
    assert (event.event_id, event.source, event.kind) == ("firms-modis:2", "firms-modis", "fire")
    assert (event.lat, event.lon, event.precision_m) == (48.73135, 38.3933, 1000.0)
    assert event.time_start == datetime(2022, 6, 11, tzinfo=UTC)
    assert event.time_end == datetime(2022, 6, 12, tzinfo=UTC)
    assert (event.time_zone, event.time_precision, event.claims) == ("UTC", "day", ())
    assert event.raw == '{"LATITUDE":"48.73135","LONGITUDE":"38.3933","ACQ_DATE":"2022-06-11"}'


def test_full_columns_with_time_and_viirs(tmp_path: Path) -> None:
    text = (
        f"{FULL_HEADER}\n"
        "48.1,37.2,330.1,1.0,1.0,2025-03-19,0042,Terra,MODIS,81,6.1NRT,290.2,12.5,N\n"
        '48.2,37.3,340.0,0.4,0.4,2025-03-19,1307,N,VIIRS,n,"2.0NRT",300.1,3.1,D\n'
    )
    modis, viirs = read_all(_write(tmp_path, text), "firms").events()
    assert modis.time_start == modis.time_end == datetime(2025, 3, 19, 0, 42, tzinfo=UTC)
    assert modis.time_precision == "minute"
    assert (modis.source, modis.precision_m) == ("firms-modis", 1000.0)
    assert (viirs.source, viirs.precision_m) == ("firms-viirs", 375.0)
    assert viirs.time_start == datetime(2025, 3, 19, 13, 7, tzinfo=UTC)
    assert '"frp":"12.5"' in modis.raw
    assert '"confidence":"n"' in viirs.raw


def test_bad_rows_are_rejected_with_line_and_field(tmp_path: Path) -> None:
    text = (
        "LATITUDE,LONGITUDE,ACQ_DATE\n"
        "48.1,38.1,2022-06-11\n"
        "abc,38.2,2022-06-11\n"
        "48.3,38.3,2022-02-30\n"
        "48.4,38.4\n"
        "95.0,38.5,2022-06-11\n"
        "48.6,38.6,2022-06-11,extra\n"
        "48.7,38.7,2022-06-11\n"
    )
    read = read_all(_write(tmp_path, text), "firms")
    assert [e.event_id for e in read.events()] == ["firms-modis:2", "firms-modis:8"]
    found = {r.row: (r.field, r.type) for r in read.rejected}
    assert found == {
        3: ("LATITUDE", "bad-number"),
        4: ("ACQ_DATE", "bad-date"),
        5: (None, "missing-field"),
        6: ("LATITUDE", "bad-number"),
        7: (None, "extra-fields"),
    }
    bad_lat = next(r for r in read.rejected if r.row == 3)
    assert bad_lat.reason == "field 'LATITUDE': expected a number between -90 and 90, got 'abc'"
    assert bad_lat.raw == "abc,38.2,2022-06-11"
    assert read.summary.rows_read == 7


def test_line_numbers_stay_right_across_blocks(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = ["latitude,longitude,acq_date"]
    bad_lines = set()
    for line_number in range(2, 400_002):
        if rng.random() < 0.001:
            lines.append("oops" if rng.random() < 0.5 else "1,2")
            bad_lines.add(line_number)
        else:  # the latitude encodes the line number, to check the numbering
            lines.append(f"{line_number / 10_000:.4f},30.0,2020-01-01")
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    read = read_all(path, "firms")
    assert {r.row for r in read.rejected} == bad_lines
    records = [int(r) for r in read.table.column("source_record").to_pylist()]
    lats = read.table.column("lat").to_pylist()
    assert all(abs(lat - line / 10_000) < 1e-9 for line, lat in zip(records, lats, strict=True))
    assert len(records) == 400_000 - len(bad_lines)


def test_chunk_size_does_not_change_the_events(tmp_path: Path) -> None:
    rows = [f"{45 + i / 100:.2f},{30 + i / 100:.2f},2021-0{1 + i % 9}-1{i % 10}" for i in range(60)]
    rows[13] = "x,y,z"
    path = _write(tmp_path, "latitude,longitude,acq_date\n" + "\n".join(rows) + "\n")
    small, large = read_all(path, "firms", chunk_rows=7), read_all(path, "firms")
    assert small.table.equals(large.table)
    assert small.rejected == large.rejected
    assert small.chunks > large.chunks


def test_real_file_reads_whole() -> None:
    """All 1.26 M real detections go in (how fast is measured in bench/, not here)."""
    path = shared_file("firms_modis_ukraine_yearly", "ukr_fires_modis_2000-2023_partial.csv.gz")
    read = read_all(path, "firms")
    assert read.summary.rows_read == 1_263_651
    assert read.summary.accepted == 1_263_651
    first = read.table.slice(0, 1).to_pylist()[0]
    assert (first["lat"], first["lon"]) == (48.2113, 38.2567)


@pytest.mark.parametrize("header", ["lat,lon,date", "LATITUDE,LONGITUDE"])
def test_a_file_without_firms_columns_is_an_input_error(tmp_path: Path, header: str) -> None:
    from truce.errors import InputError

    with pytest.raises(InputError, match="not a FIRMS file"):
        read_all(_write(tmp_path, f"{header}\n1,2,3\n"), "firms")


def test_a_row_that_is_not_utf8_is_quarantined_and_the_rest_goes_in(tmp_path: Path) -> None:
    path = tmp_path / "fires.csv"
    path.write_bytes(
        b"LATITUDE,LONGITUDE,ACQ_DATE\n48.1,37.2,2022-06-11\n"
        b"48.2,37.3,2022-06-11,\xff\xfe\n48.3,37.4,2022-06-12\n"
    )
    results = list(read_events(path, "firms"))
    assert sum(r.batch.num_rows for r in results) == 2
    (rejected,) = [x for r in results for x in r.rejected]
    assert (rejected.row, rejected.type) == (3, "encoding")
    assert rejected.raw == "48.2,37.3,2022-06-11,\\xff\\xfe"
