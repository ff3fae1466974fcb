"""Layer versions chosen by instant, and layer geometry from GeoJSON and GeoParquet files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from tests.agreement.builders import MINIMAL, OBJECTS_INLINE, TERM_PROHIBITED
from tests.agreement.conftest import WriteAgreement
from truce.instant import parse_instant

TWO_VERSIONS = """\
      - valid_until: 2024-04-01T00:00 Europe/Kyiv
        geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}
      - valid_from: 2024-04-01T00:00 Europe/Kyiv
        file: line-april.geojson"""
APRIL_LINE = {
    "type": "FeatureCollection",
    "truce": {"proxy": "drawn by hand for the test"},
    "features": [
        {
            "type": "Feature",
            "properties": {"id": "april"},
            "geometry": {"type": "LineString", "coordinates": [[37.5, 48.0], [38.5, 48.5]]},
        }
    ],
}


def test_version_selected_by_instant_with_zone(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace(
        "      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}",
        TWO_VERSIONS,
    )
    report = write_agreement(text=text + TERM_PROHIBITED, files={"line-april.geojson": APRIL_LINE})
    assert report.problems == [], [str(p) for p in report.problems]
    agreement = report.agreement
    assert agreement is not None
    # 00:00 Kyiv on 1 April 2024 is 21:00 UTC on 31 March (summer time since 31 March).
    march = agreement.layer_at("line", parse_instant("2024-03-31T20:59Z"))
    april = agreement.layer_at("line", parse_instant("2024-03-31T21:00Z"))
    assert march is not None
    assert april is not None
    assert march[1].file is None
    assert march[1].proxy is None
    assert april[1].file == "line-april.geojson"
    assert april[1].proxy == "drawn by hand for the test"
    assert april[1].features[0].id == "april"


def test_no_version_outside_every_validity(write_agreement: WriteAgreement) -> None:
    text = MINIMAL.replace(
        "      - geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}",
        "      - valid_from: 2024-03-01T00:00Z\n"
        "        geometry: {type: LineString, coordinates: [[37.0, 48.0], [38.0, 48.5]]}",
    )
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert report.agreement is not None
    assert report.agreement.layer_at("line", parse_instant("2024-02-01T00:00Z")) is None
    assert report.agreement.layer_at("nowhere", parse_instant("2024-03-02T00:00Z")) is None


def test_objects_from_geoparquet(write_agreement: WriteAgreement, tmp_path: Path) -> None:
    points = [shapely.Point(36.5, 48.1), shapely.Point(36.6, 48.2)]
    table = pa.table(
        {
            "id": ["p1", "s1"],
            "class": ["power-plant", "substation"],
            "geometry": shapely.to_wkb(points),
        }
    )
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB"}},
    }
    metadata = {b"geo": json.dumps(geo).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), tmp_path / "objects.parquet")
    text = MINIMAL.replace(
        OBJECTS_INLINE,
        "      - file: objects.parquet",
    )
    report = write_agreement(text=text + TERM_PROHIBITED)
    assert report.problems == [], [str(p) for p in report.problems]
    assert report.agreement is not None
    version = report.agreement.layer_at("objects", parse_instant("2024-03-05T00:00Z"))
    assert version is not None
    assert [(f.id, f.object_class) for f in version[1].features] == [
        ("p1", "power-plant"),
        ("s1", "substation"),
    ]
