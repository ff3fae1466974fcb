"""Fuzzing: whatever bytes, CSV text or JSON a reader is fed, it either reads it (rejecting bad
rows) or raises InputError for a file that is not its format at all. Nothing else escapes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io.helpers import BUNDLED, FIXTURES
from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA
from truce.io import read_events

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FORMATS = ["ucdp", "acled", "airforce", "firms", "geojson", "geoparquet", "csv-mapped"]
MAPPING = BUNDLED / "moratorium-2025-incidents.mapping.yaml"

HEADERS = {
    "ucdp": (BUNDLED / "ucdp-ged-donbas-2015-2021.csv", "cp1252"),
    "acled": (FIXTURES / "acled-synthetic.csv", "utf-8"),
    "airforce": (BUNDLED / "airforce-2025-03-01_2025-05-31.csv", "utf-8"),
    "csv-mapped": (BUNDLED / "moratorium-2025-incidents.csv", "utf-8"),
}


def header_of(format: str) -> list[str]:
    if format == "firms":
        return ["latitude", "longitude", "acq_date", "acq_time", "instrument", "frp"]
    path, encoding = HEADERS[format]
    with path.open(encoding=encoding, newline="") as stream:
        return next(csv.reader(stream))


def consume(data: bytes, format: str, suffix: str = ".dat", chunk_rows: int = 5) -> None:
    """Read ``data`` as ``format``; only InputError may escape, and every chunk must be sound."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        mapping = MAPPING if format == "csv-mapped" else None
        try:
            for result in read_events(path, format, chunk_rows=chunk_rows, mapping=mapping):
                assert result.batch.schema.equals(EVENT_SCHEMA)
                result.batch.validate(full=True)
                assert result.rows == result.accepted + len(result.rejected)
                for rejected in result.rejected:
                    assert rejected.file == str(path)
                    assert rejected.reason
        except InputError:
            pass


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(FORMATS))
def test_random_bytes(data: bytes, format: str) -> None:
    consume(data, format)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(FORMATS))
def test_random_gzipped_bytes(data: bytes, format: str) -> None:
    consume(gzip.compress(data), format, ".gz")


csv_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "1", "-91", "48.5", "abc", "2025-03-30 03:30", "1/22/2014 12:00:00 AM",
                     "02/30/2020 00:00", "2025-02-30", "Europe/Kyiv", "Mars/Base", "south",
                     "Odesa oblast and Kyiv", "Shahed-136/131", "drone strike", "impact",
                     "attempt (x)", "nan", "1e400", "\x00", '"', "\n", "Air/drone strike"]),
)  # fmt: skip


@st.composite
def csv_text(draw: st.DrawFn, format: str) -> bytes:
    header = header_of(format)
    rows = draw(st.lists(st.lists(csv_cell, min_size=0, max_size=len(header) + 2), max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        full = draw(st.booleans())
        writer.writerow((row + [""] * len(header))[: len(header)] if full else row)
    encoding = HEADERS.get(format, (None, "utf-8"))[1]
    return buffer.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(st.data(), st.sampled_from(["ucdp", "acled", "airforce", "firms", "csv-mapped"]))
def test_random_csv_rows(data: st.DataObject, format: str) -> None:
    consume(data.draw(csv_text(format)), format, ".csv", chunk_rows=3)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(json_values, st.sampled_from(FORMATS))
def test_random_json(value: Any, format: str) -> None:
    consume(json.dumps(value).encode(), format, ".json")


property_values = st.one_of(
    json_values,
    st.sampled_from(["drone-strike", "strike", "2025-03-19T00:00Z", "2025-03-30T03:30",
                     "Europe/Kyiv", "day", "year", "UA-51", "impact", "\ud800",
                     "9999-12-31T23:59"]),
)  # fmt: skip
geometries = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"type": st.just("Point"), "coordinates": st.lists(st.floats(), max_size=3)}
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "LineString"]),
            "coordinates": json_values,
        }
    ),
    json_values,
)
features = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "geometry": geometries,
        "properties": st.dictionaries(
            st.sampled_from(["kind", "time_start", "time_end", "time_zone", "time_precision",
                             "claims", "deaths", "precision_m", "area_id", "outcome", "event_id"]),
            property_values,
        ),
    }
)  # fmt: skip


@FUZZ
@given(st.lists(features | json_values, max_size=6))
def test_random_feature_collections(items: list[Any]) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": items})
    consume(text.encode("utf-8", errors="surrogatepass"), "geojson", ".geojson", chunk_rows=2)


parquet_tables = st.fixed_dictionaries(
    {
        "kind": st.lists(
            st.sampled_from(["strike", "fire", "shelling", None]), min_size=3, max_size=3
        ),
        "lat": st.lists(st.none() | st.floats(), min_size=3, max_size=3),
        "lon": st.lists(st.none() | st.floats(), min_size=3, max_size=3),
        "deaths": st.lists(st.none() | st.integers(-5, 2**31 - 1), min_size=3, max_size=3),
        "outcome": st.lists(st.sampled_from(["impact", "hit", None]), min_size=3, max_size=3),
        "seconds": st.lists(st.integers(-(2**40), 2**40), min_size=3, max_size=3),
    }
)


@FUZZ
@given(parquet_tables, st.booleans())
def test_random_parquet_tables(columns: dict[str, list[Any]], with_end: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    seconds = pa.array(columns.pop("seconds"), pa.int64())
    start = pa.compute.cast(pa.compute.multiply(seconds, 1_000_000), pa.timestamp("us", tz="UTC"))
    table = pa.table({**columns, "time_start": start})
    if with_end:
        table = table.append_column("time_end", pa.array([start[1]] * 3))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    consume(sink.getvalue(), "geoparquet", ".parquet", chunk_rows=2)
