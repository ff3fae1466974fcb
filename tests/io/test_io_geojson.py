"""The streaming GeoJSON reader."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.io.helpers import read_all
from truce.errors import InputError


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    base = {"kind": "drone-strike", "time_start": "2025-03-19T00:00+02:00"}
    base.update(properties)
    return {"type": "Feature", "geometry": geometry, "properties": base}


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def write(tmp_path: Path, features: list[Any], name: str = "events.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_points_polygons_and_areas(tmp_path: Path) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]],
    }
    path = write(
        tmp_path,
        [
            feature(
                point(37.606, 48.852),
                source="reports",
                source_record="R1",
                precision_m=10_000,
                claims=[{"claimant": "Ukraine", "perpetrator": "Russia", "note": "as said"}],
                deaths=2,
            ),
            feature(square, time_start="2025-03-19T03:00", time_zone="Europe/Moscow"),
            feature(
                None, area_id="UA-51", time_precision="day", time_start="2025-03-19T12:00+02:00"
            ),
        ],
    )
    first, second, third = read_all(path, "geojson").events()
    assert (first.event_id, first.lon, first.lat, first.precision_m) == (
        "reports:R1",
        37.606,
        48.852,
        10_000,
    )
    assert first.time_start == datetime(2025, 3, 18, 22, 0, tzinfo=UTC)
    assert [(c.claimant, c.perpetrator, c.note) for c in first.claims] == [
        ("Ukraine", "Russia", "as said")
    ]
    assert first.deaths == 2
    assert second.event_id == "events:2"
    assert second.time_start == datetime(2025, 3, 19, 0, 0, tzinfo=UTC)
    assert second.time_zone == "Europe/Moscow"
    assert second.lon is not None
    assert 30 <= second.lon <= 31
    assert second.precision_m is not None
    assert 60_000 < second.precision_m < 70_000
    assert third.area_id == "UA-51"
    assert third.area_precision == "oblast"
    assert third.time_end is not None
    assert third.time_end - third.time_start == (datetime(2025, 3, 20) - datetime(2025, 3, 19))
    assert json.loads(first.raw)["properties"]["source_record"] == "R1"


def test_bad_features_are_rejected_by_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            feature(point(30, 50)),
            feature(point(30, 50), kind="shelling"),
            feature(point(300, 50)),
            feature(point(30, 50), time_start="yesterday"),
            feature(point(30, 50), time_start="2025-03-19T00:00"),
            "not a feature",
            feature({"type": "LineString", "coordinates": [[30, 50], [31, 51]]}),
            feature(point(30, 50), deaths=1.5),
            feature(point(30, 50), claims="Russia"),
            feature(point(31, 51)),
        ],
    )
    read = read_all(path, "geojson")
    assert [e.source_record for e in read.events()] == ["1", "10"]
    fields = {r.row: r.field for r in read.rejected}
    assert fields == {
        2: "kind",
        3: "geometry",
        4: "time_start",
        5: "time_zone",
        6: "feature",
        7: "geometry",
        8: "deaths",
        9: "claims",
    }
    assert all(r.file == str(path) for r in read.rejected)


def test_a_lone_feature_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "one.geojson.gz"
    path.write_bytes(gzip.compress(json.dumps(feature(point(30, 50))).encode()))
    (event,) = read_all(path, "geojson").events()
    assert event.event_id == "one:1"


def test_many_features_stream_in_chunks(tmp_path: Path) -> None:
    features = [feature(point(30 + i / 1e4, 50), text="x" * 200) for i in range(5000)]
    path = write(tmp_path, features)
    small = read_all(path, "geojson", chunk_rows=7)
    large = read_all(path, "geojson")
    assert small.summary.accepted == 5000
    assert small.table.equals(large.table)
    assert small.chunks == 715


@pytest.mark.parametrize(
    "text",
    ["", "[1, 2]", '{"type": "Topology"}', '{"features": [', "not json", '{"features": 3}'],
)
def test_not_geojson_is_an_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        read_all(path, "geojson")


def test_good_features_before_broken_json_are_kept(tmp_path: Path) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": [feature(point(30, 50))]})
    path = tmp_path / "cut.geojson"
    path.write_text(text[:-2] + ', {"type": "Feat', encoding="utf-8")
    from truce.io import read_events

    results = read_events(path, "geojson", chunk_rows=1)
    assert next(results).accepted == 1
    with pytest.raises(InputError):
        next(results)


def test_lone_surrogates_are_rejected_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "s.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,'
        '"properties":{"kind":"strike","time_start":"2025-03-19T00:00Z","event_id":"\\ud800"}}]}',
        encoding="utf-8",
    )
    read = read_all(path, "geojson")
    assert read.summary.accepted == 0
    assert [(r.field, r.type) for r in read.rejected] == [("event_id", "encoding")]
