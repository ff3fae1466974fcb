"""The reader registry and read_events' own checks; chunk size independence for every reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.io.helpers import BUNDLED, FIXTURES, read_all
from truce.errors import InputError, UnsupportedFormat
from truce.io import READERS, read_events


def test_registry_names() -> None:
    assert set(READERS) == {
        "ucdp", "acled", "airforce", "firms", "geojson", "geoparquet", "parquet", "csv-mapped",
        "csv", "cir",
    }  # fmt: skip
    assert READERS["csv"] is READERS["csv-mapped"]


def test_plain_csv_takes_a_mapping() -> None:
    events = read_events(
        BUNDLED / "moratorium-2025-incidents.csv",
        "csv",
        mapping=BUNDLED / "moratorium-2025-incidents.mapping.yaml",
    )
    assert sum(result.batch.num_rows for result in events) == 13


def test_unknown_format() -> None:
    with pytest.raises(UnsupportedFormat, match="known formats"):
        read_events(BUNDLED / "moratorium-2025-incidents.csv", "xlsx")


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(InputError, match=r"nowhere\.csv: no such file"):
        read_events(missing, "ucdp")
    with pytest.raises(InputError, match="not a file"):
        read_events(tmp_path, "ucdp")


@pytest.mark.parametrize("chunk_rows", [0, -3, True, 2.5])
def test_bad_chunk_size(chunk_rows: object) -> None:
    with pytest.raises(InputError, match="chunk_rows"):
        read_events(BUNDLED / "moratorium-2025-incidents.csv", "csv-mapped", chunk_rows=chunk_rows)  # type: ignore[arg-type]


def test_mapping_only_for_csv_mapped() -> None:
    with pytest.raises(InputError, match="takes no column mapping"):
        read_events(FIXTURES / "acled-synthetic.csv", "acled", mapping={"source": "x"})


CASES = [
    ("ucdp-ged-donbas-2015-2021.csv", "ucdp"),
    ("airforce-2025-03-01_2025-05-31.csv", "airforce"),
    ("moratorium-2025-incidents.csv", "csv-mapped"),
]


@pytest.mark.parametrize(("name", "format"), CASES)
def test_chunk_size_does_not_change_results(name: str, format: str) -> None:
    path = BUNDLED / name
    if not path.exists():
        pytest.skip(f"bundled extract {path} is absent")
    small, large = read_all(path, format, chunk_rows=7), read_all(path, format, chunk_rows=65536)
    assert small.table.equals(large.table)
    assert small.rejected == large.rejected
    assert small.summary.rows_read == large.summary.rows_read
    assert max(1, -(-large.summary.rows_read // 7)) == small.chunks
