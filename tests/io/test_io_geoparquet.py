"""GeoParquet and Parquet: write, read back, foreign files, bad rows."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from tests.io.helpers import bundled_file, read_all
from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA, Claim, Event, events_to_batch
from truce.io import read_events, write_events_parquet

T0 = datetime(2025, 3, 19, tzinfo=UTC)


def sample_events() -> list[Event]:
    common = {"source": "t", "time_start": T0, "time_end": T0, "time_zone": "UTC"}
    return [
        Event(event_id="t:1", source_record="1", time_precision="exact", kind="drone-strike",
              lon=37.6, lat=48.85, precision_m=10_000.0,
              claims=(Claim("Ukraine", "Russia", ""), Claim("Russia", "Ukraine", "denies")),
              **common),  # type: ignore[arg-type]
        Event(event_id="t:2", source_record="2", time_precision="day", kind="strike",
              area_id="UA", area_precision="unknown", **common),  # type: ignore[arg-type]
    ]  # fmt: skip


def test_round_trip_with_geo_metadata(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    assert write_events_parquet([events_to_batch(sample_events())], path) == 2
    metadata = json.loads(pq.read_schema(path).metadata[b"geo"])
    assert metadata["primary_column"] == "geometry"
    assert metadata["columns"]["geometry"]["encoding"] == "WKB"
    geometry = pq.read_table(path, columns=["geometry"]).column("geometry").to_pylist()
    assert shapely.from_wkb(geometry[0]).equals(shapely.Point(37.6, 48.85))
    assert geometry[1] is None
    assert read_all(path, "geoparquet").events() == sample_events()


def test_round_trip_of_a_real_read(tmp_path: Path) -> None:
    source = bundled_file("moratorium-2025-incidents.csv")
    original = read_all(source, "csv-mapped")
    path = tmp_path / "incidents.parquet"
    write_events_parquet(read_events(source, "csv-mapped"), path)
    again = read_all(path, "parquet", chunk_rows=5)
    assert again.table.equals(original.table)
    assert again.chunks == 3


def test_plain_parquet_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    write_events_parquet([events_to_batch(sample_events())], path, geoparquet=False)
    assert pq.read_schema(path).names == EVENT_SCHEMA.names
    packed = tmp_path / "plain.parquet.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert read_all(packed, "parquet").events() == sample_events()


def test_foreign_geoparquet_with_geometry_only(tmp_path: Path) -> None:
    square = shapely.box(30, 50, 31, 51)
    table = pa.table(
        {
            "kind": ["strike", "fire"],
            "time_start": pa.array([T0, T0], pa.timestamp("ms", tz="UTC")),
            "geometry": [shapely.to_wkb(shapely.Point(30.5, 50.5)), shapely.to_wkb(square)],
        }
    )
    meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": []}},
    }
    table = table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})
    path = tmp_path / "foreign.parquet"
    pq.write_table(table, path)
    first, second = read_all(path, "geoparquet").events()
    assert (first.event_id, first.lon, first.lat, first.precision_m) == (
        "foreign:1",
        30.5,
        50.5,
        None,
    )
    assert first.area_precision == "point"
    assert first.outcome == "unknown"
    assert second.precision_m is not None
    assert 60_000 < second.precision_m < 70_000


def test_bad_rows_are_rejected(tmp_path: Path) -> None:
    table = pa.table(
        {
            "kind": ["strike", "shelling", "strike", "strike"],
            "time_start": pa.array([T0] * 4, pa.timestamp("us", tz="UTC")),
            "lon": [30.0, 30.0, 30.0, None],
            "lat": [50.0, 50.0, 95.0, 50.0],
        }
    )
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)
    read = read_all(path, "parquet", chunk_rows=3)
    assert [e.event_id for e in read.events()] == ["bad:1"]
    assert {(r.row, r.field) for r in read.rejected} == {(2, "kind"), (3, "lat"), (4, "lon")}
    assert "'shelling'" in next(r for r in read.rejected if r.row == 2).reason


@pytest.mark.parametrize(
    "table",
    [
        pa.table({"kind": ["strike"], "lon": [1.0], "lat": [1.0]}),
        pa.table(
            {
                "kind": ["strike"],
                "time_start": pa.array([datetime(2025, 1, 1)]),
                "lon": [1.0],
                "lat": [1.0],
            }
        ),
        pa.table({"kind": ["strike"], "time_start": pa.array([T0])}),
    ],
)
def test_unusable_files_are_input_errors(tmp_path: Path, table: pa.Table) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError):
        read_all(path, "parquet")


def test_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 but not really")
    with pytest.raises(InputError, match="not a Parquet file"):
        read_all(path, "parquet")
