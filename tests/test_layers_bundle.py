"""The geographic layers shipped in data/layers (built by scripts/build_layers.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, shape

from truce import vocabulary

LAYERS = Path(__file__).resolve().parent.parent / "data" / "layers"
GEOD = Geod(ellps="WGS84")

# Geometry types allowed in each file.
EXPECTED: dict[str, set[str]] = {
    "contact-line-2025-03-18.geojson": {"LineString", "MultiLineString"},
    "contact-line-2025-04-17.geojson": {"LineString", "MultiLineString"},
    "contact-line-2015-2022.geojson": {"LineString", "MultiLineString"},
    "memorandum-line-2014-proxy.geojson": {"LineString", "MultiLineString"},
    "energy-objects-ukraine.geojson": {"Point"},
    "named-objects-russia-2025.geojson": {"Point"},
    "named-objects-ukraine-2025.geojson": {"Point"},
    "disengagement-areas-2016.geojson": {"Polygon"},
    "black-sea-maritime-area.geojson": {"Polygon", "MultiPolygon"},
    "ukraine-oblasts.geojson": {"Polygon", "MultiPolygon"},
    "ordlo-areas-2015-2022.geojson": {"Polygon", "MultiPolygon"},
}
PROXY_REQUIRED = {
    "contact-line-2015-2022.geojson",
    "memorandum-line-2014-proxy.geojson",
    "ordlo-areas-2015-2022.geojson",
    "disengagement-areas-2016.geojson",
}
ENERGY_CLASSES = {"power-plant", "nuclear-power-plant", "hydroelectric-dam", "substation"}
NAMED_CLASSES = {
    "oil-refinery",
    "oil-pipeline",
    "oil-storage",
    "oil-pumping-station",
    "gas-pipeline",
    "gas-storage",
    "gas-pumping-station",
    "gas-metering-station",
    "gas-distribution-station",
    "power-plant",
    "nuclear-power-plant",
    "hydroelectric-dam",
    "substation",
    "transformer",
    "distribution-unit",
}
ISO_IDS = {
    "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26",
    "UA-30", "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53",
    "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
}  # fmt: skip


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((LAYERS / name).read_text(encoding="utf-8"))
    return data


def geoms(name: str) -> list[Any]:
    return [shape(f["geometry"]) for f in load(name)["features"]]


def by_id(name: str) -> dict[str, Any]:
    return {f["properties"]["id"]: f for f in load(name)["features"]}


def test_the_bundle_is_complete_and_small() -> None:
    present = {p.name for p in LAYERS.glob("*.geojson")}
    assert present == set(EXPECTED)
    total = sum((LAYERS / n).stat().st_size for n in present)
    assert total < 4 * 1024 * 1024


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_feature_collection_with_truce_metadata(name: str) -> None:
    doc = load(name)
    assert doc["type"] == "FeatureCollection"
    assert doc["features"], "no features"
    meta = doc["truce"]
    assert meta["layer"] == name.removesuffix(".geojson")
    for key in ("derived_from", "method", "licence", "attribution"):
        assert meta[key], f"empty truce.{key}"
    assert "proxy" in meta
    assert meta["proxy"] is None or (isinstance(meta["proxy"], str) and len(meta["proxy"]) > 40)
    if name in PROXY_REQUIRED:
        assert meta["proxy"], "this layer is a proxy and must say so"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_geometries_valid_typed_and_rounded(name: str) -> None:
    for feat in load(name)["features"]:
        geom = shape(feat["geometry"])
        assert feat["geometry"]["type"] in EXPECTED[name]
        assert shapely.is_valid(geom), shapely.is_valid_reason(geom)
        assert not geom.is_empty
        coords = shapely.get_coordinates(geom)
        assert ((coords[:, 0] > 20) & (coords[:, 0] < 48)).all()  # longitude, not latitude
        assert ((coords[:, 1] > 40) & (coords[:, 1] < 53)).all()
        assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all(), "not 5 decimals"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ids_unique(name: str) -> None:
    ids = [f["properties"].get("id") for f in load(name)["features"]]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(ids) == len(set(ids))


def test_classes_are_allowed_slugs() -> None:
    assert set(vocabulary.OBJECT_CLASSES) >= ENERGY_CLASSES | NAMED_CLASSES
    energy = [f["properties"] for f in load("energy-objects-ukraine.geojson")["features"]]
    assert {p["class"] for p in energy} == ENERGY_CLASSES
    for name in ("named-objects-russia-2025.geojson", "named-objects-ukraine-2025.geojson"):
        for feat in load(name)["features"]:
            props = feat["properties"]
            assert props["class"] in NAMED_CLASSES
            assert props["precision_km"] > 0
            assert props["source_url"].startswith("https://")
            assert props["name"]
            assert props["note"]


def test_energy_objects() -> None:
    feats = by_id("energy-objects-ukraine.geojson")
    assert len(feats) > 900
    assert all(re.fullmatch(r"(osm:(way|node|relation)/\d+|gppd:\w+)", i) for i in feats)
    for feat in feats.values():
        props = feat["properties"]
        assert props["source"] in ("OpenStreetMap", "GPPD v1.3")
        if props["source"] == "GPPD v1.3" or props["id"].startswith("osm:node/"):
            assert props["extent_m"] == 0
        else:
            assert 0 < props["extent_m"] < 20_000
    nuclear = [f for f in feats.values() if f["properties"]["class"] == "nuclear-power-plant"]
    znpp = [f for f in nuclear if "Zaporizhzhia" in (f["properties"]["name"] or "")]
    assert len(znpp) == 1
    assert znpp[0]["properties"]["oblast_id"] == "UA-23"
    assert znpp[0]["properties"]["capacity_mw"] >= 5700
    # No GPPD plant is kept next to an OSM plant listing it as a duplicate.
    listed = {g for f in feats.values() if f["properties"]["source"] == "OpenStreetMap"
              for g in f["properties"]["gppd_ids"]}  # fmt: skip
    kept = {i.removeprefix("gppd:") for i in feats if i.startswith("gppd:")}
    assert not listed & kept


def test_contact_line_lengths() -> None:
    line = geoms("contact-line-2025-03-18.geojson")[0]
    km = GEOD.geometry_length(line) / 1000
    assert 1100 < km < 1600
    minsk = geoms("contact-line-2015-2022.geojson")[0]
    assert 400 < GEOD.geometry_length(minsk) / 1000 < 520
    assert geoms("memorandum-line-2014-proxy.geojson")[0].equals(minsk)
    # The Minsk-era line is in Donetsk/Luhansk, not Crimea.
    assert minsk.bounds[1] > 46.8


def test_contact_line_avoids_the_state_border() -> None:
    oblasts = shapely.union_all(geoms("ukraine-oblasts.geojson"))
    border = shapely.MultiLineString(
        [p.exterior for p in shapely.get_parts(oblasts)]
    )  # state border and coast
    for name in ("contact-line-2025-03-18.geojson", "contact-line-2015-2022.geojson"):
        line = geoms(name)[0]
        assert line.within(oblasts)
        # 2.5 km cut; a degree is at most 111.3 km here, so >= 2.2 km means >= 0.0198 degrees.
        assert line.distance(border) > 2.2 / 111.3


def test_oblasts() -> None:
    feats = by_id("ukraine-oblasts.geojson")
    assert len(feats) == 27
    assert set(feats) == ISO_IDS
    names = {i: f["properties"]["name_en"] for i, f in feats.items()}
    assert names["UA-14"] == "Donetsk oblast"
    assert names["UA-51"] == "Odesa oblast"
    assert names["UA-30"] == "Kyiv"
    assert names["UA-32"] == "Kyiv oblast"
    assert names["UA-40"] == "Sevastopol"
    assert names["UA-43"] == "Crimea"
    assert len(set(names.values())) == 27
    assert feats["UA-14"]["properties"]["name_uk"] == "Донецька область"
    regions = {f["properties"]["macro_region"] for f in feats.values()}
    assert regions == {"north", "south", "east", "west", "centre"}
    assert feats["UA-51"]["properties"]["macro_region"] == "south"
    assert feats["UA-46"]["properties"]["macro_region"] == "west"
    assert feats["UA-63"]["properties"]["macro_region"] == "east"

    shapes = {i: shape(f["geometry"]) for i, f in feats.items()}
    for iso, (lon, lat) in {
        "UA-30": (30.52, 50.45),  # Kyiv
        "UA-32": (30.25, 50.55),  # Irpin
        "UA-51": (30.73, 46.48),  # Odesa
        "UA-14": (37.80, 48.00),  # Donetsk
        "UA-40": (33.52, 44.60),  # Sevastopol
        "UA-43": (34.10, 44.95),  # Simferopol
        "UA-46": (24.03, 49.84),  # Lviv
    }.items():
        hits = [i for i, g in shapes.items() if g.contains(Point(lon, lat))]
        assert hits == [iso]
    # A coverage: no two oblasts overlap.
    tree = shapely.STRtree(list(shapes.values()))
    values = list(shapes.values())
    for i, g in enumerate(values):
        for j in tree.query(g):
            if int(j) > i:
                assert g.intersection(values[int(j)]).area < 1e-9


def test_disengagement_areas_sit_on_the_minsk_line() -> None:
    feats = by_id("disengagement-areas-2016.geojson")
    assert set(feats) == {"stanytsia-luhanska", "zolote", "petrivske"}
    line = geoms("contact-line-2015-2022.geojson")[0]
    for feat in feats.values():
        area = shape(feat["geometry"])
        assert area.intersects(line)
        km2 = abs(GEOD.geometry_area_perimeter(area)[0]) / 1e6
        assert 11.5 < km2 < 13.0  # pi * 2 km ** 2 = 12.57 km2
        assert len(area.exterior.coords) >= 60


def test_seas() -> None:
    feats = by_id("black-sea-maritime-area.geojson")
    assert set(feats) == {"black-sea", "sea-of-azov"}
    black = shape(feats["black-sea"]["geometry"])
    azov = shape(feats["sea-of-azov"]["geometry"])
    assert not black.intersects(azov)
    assert black.contains(Point(31.0, 46.2))  # off Odesa
    assert black.contains(Point(33.0, 44.0))  # south of Crimea
    assert not black.contains(Point(29.0, 41.05))  # Bosporus at Istanbul
    assert not black.contains(Point(28.0, 40.75))  # Sea of Marmara
    assert azov.contains(Point(36.5, 46.2))
    assert azov.contains(Point(36.57, 45.3))  # Kerch Strait
    assert not black.contains(Point(30.52, 50.45))  # Kyiv
    black_km2 = abs(GEOD.geometry_area_perimeter(black)[0]) / 1e6
    azov_km2 = abs(GEOD.geometry_area_perimeter(azov)[0]) / 1e6
    assert 400_000 < black_km2 < 450_000
    assert 35_000 < azov_km2 < 42_000
