#!/usr/bin/env python3
"""Build the geographic layers that truce ships in ``data/layers/`` from the shared datasets.

Every output is a GeoJSON FeatureCollection in WGS84 longitude/latitude, coordinates rounded to
5 decimals (about 1 m), written as compact JSON. Each carries a top-level ``"truce"`` member
saying which layer it is, what it was derived from and how, whether its geometry is only a proxy,
and the licence and attribution of its sources.

Geometry work (buffers, simplification, distances) is done in a Lambert conformal conic
projection fitted to Ukraine and the Black Sea (standard parallels 45.5 N and 50.5 N, centre
48 N 32 E); lengths and distances that are reported are geodesic (WGS84 ellipsoid).

Run from the repository root::

    .venv/bin/python scripts/build_layers.py [--shared ../shared/data] [--out data/layers]

The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import re
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, box, mapping, shape
from shapely.ops import nearest_points

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO / ".." / "shared" / "data"
DEFAULT_OUT = REPO / "data" / "layers"

GEOD = Geod(ellps="WGS84")
METRIC_CRS = (
    "+proj=lcc +lat_0=48 +lon_0=32 +lat_1=45.5 +lat_2=50.5 +x_0=0 +y_0=0 "
    "+ellps=WGS84 +units=m +no_defs"
)
METRIC_NAME = "Lambert conformal conic, standard parallels 45.5 N / 50.5 N, centre 48 N 32 E"
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

DECIMALS = 5
GRID = 10.0**-DECIMALS

# Contact lines.
BORDER_BUFFER_M = 2500.0  # drop occupied-boundary parts closer than this to the state border/coast
MIN_FRAGMENT_M = 2000.0  # drop leftover fragments shorter than this
SHARED_EDGE_M = 10.0  # tolerance when taking the boundary shared with controlled territory
AREA_TOLERANCE_M = 50.0
LINE_TOLERANCE_M = 50.0
# Other layers.
OBLAST_TOLERANCE_M = 200.0
SEA_TOLERANCE_M = 100.0
DISENGAGEMENT_RADIUS_M = 2000.0
GPPD_MATCH_M = 3000.0
RAW_ARCHIVE = "deepstate_raw_history/deepstate_raw_snapshots_20220403_20250803.tar.xz"
GPPD_NAME_MATCH_M = 25_000.0

Geom = Any  # shapely geometries are untyped
Json = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Sources (upstream, commit, licence, attribution), as recorded in the shared CATALOGUE.md.


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    upstream: str
    licence: str
    attribution: str


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "deepstate-daily",
            "DeepState occupied-territory polygons, daily (cyterat/deepstate-map-data)",
            "https://github.com/cyterat/deepstate-map-data @ "
            "e904719a6726c7e6b5d6e87a7701e1b77b18e554",
            "data: no licence stated, terms unclear (scraper repository GPL-3.0)",
            "© DeepState (deepstatemap.live)",
        ),
        Source(
            "deepstate-raw",
            "DeepState raw map history (DanielRose2310/deepstatemaps-history)",
            "https://github.com/DanielRose2310/deepstatemaps-history @ "
            "df633a1700680411949934a4345f1af263327377",
            "no licence stated",
            "© DeepState (deepstatemap.live)",
        ),
        Source(
            "oblasts",
            "Ukraine oblast boundaries 2020, Minregion ATU register (via peacerep/ukraine-map, "
            "from justinelliotmeyers/Ukraine_2020)",
            "https://github.com/peacerep/ukraine-map @ 5b52b6d10e29d9eead55ab1d0912bfb63e82e722 "
            "(data/oblast.geojson)",
            "CC BY-SA",
            "© Мінрегіон (Ministry for Communities and Territories Development of Ukraine)",
        ),
        Source(
            "osm-energy",
            "OpenStreetMap power plants and transmission substations in Ukraine "
            "(elenaivadreyer/ukr-energy-dash)",
            "https://github.com/elenaivadreyer/ukr-energy-dash @ "
            "d172f52aed212874ec3dfca1e75e09d4449ac534",
            "ODbL 1.0",
            "© OpenStreetMap contributors, ODbL 1.0",
        ),
        Source(
            "gppd",
            "WRI Global Power Plant Database v1.3, Ukraine rows (via peacerep/ukraine-map)",
            "https://github.com/peacerep/ukraine-map @ 471cbc5c1686bd59e833613ee79b3b83c198d381 "
            "(data/global_power_plant_database_ukraine.csv)",
            "CC BY 4.0",
            "WRI Global Power Plant Database, CC BY 4.0",
        ),
        Source(
            "natural-earth",
            "Natural Earth 4.1.0 1:10m admin-0 countries (via npm world-atlas@2.0.2)",
            "https://www.naturalearthdata.com/ ; https://github.com/topojson/world-atlas (2.0.2)",
            "public domain (world-atlas packaging ISC)",
            "Natural Earth, public domain",
        ),
        Source(
            "moratorium",
            "Documented incidents of the 2025 energy moratorium (hand-compiled from public "
            "reporting; each row carries its source URL)",
            "shared data moratorium_2025_incidents/incidents.csv",
            "facts with sources (the cited articles remain their publishers')",
            "incident list compiled from public media reporting; see each feature's source_url",
        ),
    )
}


def meta(
    layer: str,
    sources: Sequence[str],
    inputs: Sequence[str],
    method: str,
    proxy: str | None,
    **extra: Any,
) -> Json:
    """The ``truce`` metadata member of one output file."""
    used = [SOURCES[key] for key in sources]
    out: Json = {
        "layer": layer,
        "derived_from": [
            f"{source.name}: {path} ({source.upstream})"
            for source, path in zip(used, inputs, strict=True)
        ],
        "method": method,
        "proxy": proxy,
        "licence": "; ".join(f"{s.name.split(' (')[0]}: {s.licence}" for s in used),
        "attribution": "; ".join(dict.fromkeys(s.attribution for s in used)),
        "crs": "WGS84 longitude/latitude (OGC:CRS84)",
        "coordinate_decimals": DECIMALS,
        "generated_by": "scripts/build_layers.py",
    }
    out.update(extra)
    return out


# --------------------------------------------------------------------------------------------
# Geometry helpers.


def _fwd(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x, y = _TO_METRIC.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _bwd(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    x, y = _TO_WGS.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def to_metric(geom: Geom) -> Geom:
    return shapely.transform(shapely.force_2d(geom), _fwd)


def to_wgs(geom: Geom) -> Geom:
    return shapely.transform(geom, _bwd)


def parts(geom: Geom, kind: str) -> list[Geom]:
    """The simple parts of ``geom`` whose type is ``kind`` ("Polygon", "LineString", ...)."""
    if geom.is_empty:
        return []
    if geom.geom_type == kind:
        return [geom]
    if hasattr(geom, "geoms"):
        out: list[Geom] = []
        for sub in geom.geoms:
            out.extend(parts(sub, kind))
        return out
    return []


def geodesic_km(geom_wgs: Geom) -> float:
    return float(GEOD.geometry_length(geom_wgs)) / 1000.0


def geodesic_m(a: Point, b: Point) -> float:
    _, _, dist = GEOD.inv(a.x, a.y, b.x, b.y)
    return float(dist)


def read_json(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _round(obj: Any) -> Any:
    if isinstance(obj, list | tuple):
        if obj and isinstance(obj[0], int | float):
            return [round(float(v), DECIMALS) + 0.0 for v in obj[:2]]
        return [_round(o) for o in obj]
    return obj


def geometry_json(geom_wgs: Geom) -> Json:
    """GeoJSON geometry snapped to the 5-decimal grid (validity kept by GEOS)."""
    snapped = shapely.set_precision(shapely.force_2d(geom_wgs), GRID)
    if snapped.is_empty:
        raise ValueError("geometry vanished when snapped to the output grid")
    gj = mapping(snapped)
    return {"type": gj["type"], "coordinates": _round(gj["coordinates"])}


def feature(geom_wgs: Geom, properties: Json) -> Json:
    return {"type": "Feature", "properties": properties, "geometry": geometry_json(geom_wgs)}


def write_collection(out_dir: Path, filename: str, truce: Json, features: list[Json]) -> Path:
    path = out_dir / filename
    doc = {"type": "FeatureCollection", "truce": truce, "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    # Re-read and check every geometry is valid after rounding.
    for feat in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if not shapely.is_valid(shape(feat["geometry"])):
            raise ValueError(f"{filename}: invalid geometry in {feat['properties'].get('id')}")
    print(
        f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
        f" ({path.stat().st_size / 1024:.0f} KiB, {len(features)} features)"
    )
    return path


# --------------------------------------------------------------------------------------------
# Oblasts.


@dataclass(frozen=True)
class Oblast:
    iso: str
    name_uk: str
    name_en: str
    macro_region: str
    aliases: tuple[str, ...]


# ISO 3166-2:UA code, English name, Air-Force-style macro-region, extra aliases seen in the data
# (alert feeds: "Donetska oblast"; OSM tags: "Odessa"; ukraine_oblast_bounds.json: "Odesa Oblast").
OBLASTS: tuple[Oblast, ...] = (
    Oblast(
        "UA-05",
        "Вінницька область",
        "Vinnytsia oblast",
        "centre",
        ("Vinnytska oblast", "Vinnytsya"),
    ),
    Oblast("UA-07", "Волинська область", "Volyn oblast", "west", ("Volynska oblast",)),
    Oblast(
        "UA-09",
        "Луганська область",
        "Luhansk oblast",
        "east",
        ("Luhanska oblast", "Lugansk oblast"),
    ),
    Oblast(
        "UA-12",
        "Дніпропетровська область",
        "Dnipropetrovsk oblast",
        "east",
        ("Dnipropetrovska oblast", "Dnipro oblast"),
    ),
    Oblast("UA-14", "Донецька область", "Donetsk oblast", "east", ("Donetska oblast",)),
    Oblast("UA-18", "Житомирська область", "Zhytomyr oblast", "north", ("Zhytomyrska oblast",)),
    Oblast(
        "UA-21",
        "Закарпатська область",
        "Zakarpattia oblast",
        "west",
        ("Zakarpatska oblast", "Transcarpathia"),
    ),
    Oblast(
        "UA-23",
        "Запорізька область",
        "Zaporizhzhia oblast",
        "south",
        ("Zaporizka oblast", "Zaporizhia", "Zaporizhzhia Oblast"),
    ),
    Oblast(
        "UA-26",
        "Івано-Франківська область",
        "Ivano-Frankivsk oblast",
        "west",
        ("Ivano-Frankivska oblast",),
    ),
    Oblast("UA-30", "Місто Київ", "Kyiv", "north", ("Kyiv City", "Kiev City", "Kyiv city")),
    Oblast("UA-32", "Київська область", "Kyiv oblast", "north", ("Kyivska oblast", "Kiev")),
    Oblast(
        "UA-35", "Кіровоградська область", "Kirovohrad oblast", "centre", ("Kirovohradska oblast",)
    ),
    Oblast("UA-40", "Місто Севастополь", "Sevastopol", "south", ("City of Sevastopol",)),
    Oblast(
        "UA-43", "Автономна Республіка Крим", "Crimea", "south", ("Autonomous Republic of Crimea",)
    ),
    Oblast("UA-46", "Львівська область", "Lviv oblast", "west", ("Lvivska oblast",)),
    Oblast(
        "UA-48",
        "Миколаївська область",
        "Mykolaiv oblast",
        "south",
        ("Mykolaivska oblast", "Mykolayiv"),
    ),
    Oblast("UA-51", "Одеська область", "Odesa oblast", "south", ("Odeska oblast", "Odessa")),
    Oblast("UA-53", "Полтавська область", "Poltava oblast", "centre", ("Poltavska oblast",)),
    Oblast("UA-56", "Рівненська область", "Rivne oblast", "west", ("Rivnenska oblast",)),
    Oblast("UA-59", "Сумська область", "Sumy oblast", "north", ("Sumska oblast",)),
    Oblast("UA-61", "Тернопільська область", "Ternopil oblast", "west", ("Ternopilska oblast",)),
    Oblast("UA-63", "Харківська область", "Kharkiv oblast", "east", ("Kharkivska oblast",)),
    Oblast("UA-65", "Херсонська область", "Kherson oblast", "south", ("Khersonska oblast",)),
    Oblast("UA-68", "Хмельницька область", "Khmelnytskyi oblast", "west", ("Khmelnytska oblast",)),
    Oblast("UA-71", "Черкаська область", "Cherkasy oblast", "centre", ("Cherkaska oblast",)),
    Oblast("UA-74", "Чернігівська область", "Chernihiv oblast", "north", ("Chernihivska oblast",)),
    Oblast("UA-77", "Чернівецька область", "Chernivtsi oblast", "west", ("Chernivetska oblast",)),
)
OBLAST_BY_UK = {o.name_uk: o for o in OBLASTS}

MACRO_REGIONS: dict[str, str] = {
    "north": "Kyiv (city), Kyiv, Chernihiv, Sumy and Zhytomyr oblasts",
    "east": "Kharkiv, Donetsk, Luhansk and Dnipropetrovsk oblasts",
    "south": "Odesa, Mykolaiv, Kherson and Zaporizhzhia oblasts, Crimea and Sevastopol",
    "centre": "Vinnytsia, Cherkasy, Kirovohrad and Poltava oblasts",
    "west": "Lviv, Volyn, Rivne, Ternopil, Khmelnytskyi, Ivano-Frankivsk, Zakarpattia and "
    "Chernivtsi oblasts",
}


@dataclass
class OblastLayer:
    geoms_wgs: dict[str, Geom]  # ISO id -> valid (unsimplified) geometry
    outline_m: Geom  # union of all oblasts, holes filled, metric
    tree: Any
    tree_ids: list[str]

    def locate(self, pt: Point, max_m: float = 10_000.0) -> Oblast | None:
        """The oblast containing ``pt`` (lon/lat), or the nearest within ``max_m``."""
        hits = self.tree.query(pt, predicate="intersects")
        if len(hits):
            return OBLAST_BY_ISO[self.tree_ids[int(min(hits))]]
        idx = self.tree.nearest(pt)
        iso = self.tree_ids[int(idx)]
        near = nearest_points(self.geoms_wgs[iso], pt)[0]
        return OBLAST_BY_ISO[iso] if geodesic_m(near, pt) <= max_m else None


OBLAST_BY_ISO = {o.iso: o for o in OBLASTS}


def load_oblasts(shared: Path) -> OblastLayer:
    doc = read_json(shared / "ukraine_admin_boundaries" / "oblast_ukraine_2020.geojson")
    geoms: dict[str, Geom] = {}
    for feat in doc["features"]:
        name = feat["properties"]["ADMIN_1"]
        if name not in OBLAST_BY_UK:
            raise ValueError(f"unknown oblast name {name!r}")
        geom = shapely.force_2d(shape(feat["geometry"]))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geoms[OBLAST_BY_UK[name].iso] = geom
    if len(geoms) != 27:
        raise ValueError(f"expected 27 oblasts, found {len(geoms)}")
    # The bounds file that ships with the oblasts must name the same 27 units.
    bounds = read_json(shared / "ukraine_admin_boundaries" / "ukraine_oblast_bounds.json")
    if {entry["name"] for entry in bounds} != set(OBLAST_BY_UK):
        raise ValueError("ukraine_oblast_bounds.json does not name the same 27 units")
    union = shapely.union_all(list(geoms.values()))
    filled = shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in parts(union, "Polygon")])
    ids = sorted(geoms)
    tree = shapely.STRtree([geoms[i] for i in ids])
    return OblastLayer(geoms, to_metric(filled), tree, ids)


def clean_coverage(geoms: list[Geom]) -> list[Geom]:
    """Re-draw polygons that almost tile the plane as an exact coverage (shared edges identical).

    All boundaries are noded together and polygonized; each face goes to the polygon that
    overlaps it most, and faces in no polygon (slivers between neighbours) go to the neighbour
    sharing the longest boundary with them.
    """
    edges = shapely.union_all([g.boundary for g in geoms])
    faces = parts(shapely.polygonize(parts(edges, "LineString")), "Polygon")
    tree = shapely.STRtree(geoms)
    owned: list[list[Geom]] = [[] for _ in geoms]
    for face in faces:
        candidates = [int(i) for i in tree.query(face, predicate="intersects")]
        overlaps = [(face.intersection(geoms[i]).area, i) for i in candidates]
        area, owner = max(overlaps, default=(0.0, -1))
        if area < 0.5 * face.area:  # a gap face
            shared = [(face.boundary.intersection(geoms[i].boundary).length, i) for i in candidates]
            length, owner = max(shared, default=(0.0, -1))
            if length <= 0:
                continue  # isolated face outside every polygon
        owned[owner].append(face)
    return [shapely.union_all(fs) for fs in owned]


def build_oblasts(ob: OblastLayer, out: Path) -> None:
    ids = sorted(ob.geoms_wgs)
    metric = [to_metric(ob.geoms_wgs[i]) for i in ids]
    coverage = clean_coverage(metric)
    moved = sum(a.symmetric_difference(b).area for a, b in zip(metric, coverage, strict=True))
    print(f"oblasts: coverage cleaning moved {moved / 1e6:.3f} km² in total")
    if bool(shapely.coverage_is_valid(coverage)):
        simplified = list(shapely.coverage_simplify(coverage, OBLAST_TOLERANCE_M))
        how = (
            "the oblasts were first re-drawn as an exact coverage (all boundaries noded and "
            "polygonized, each face given to the oblast overlapping it most, slivers to the "
            "neighbour with the longest shared edge), then simplified with "
            "shapely.coverage_simplify, so shared borders stay identical (no gaps or overlaps)"
        )
    else:
        simplified = [g.simplify(OBLAST_TOLERANCE_M) for g in metric]
        how = "shapely simplify per polygon (the source could not be made a clean coverage)"
    print(f"oblasts: {how.split(',')[0]}")
    features = []
    for iso, geom_m in zip(ids, simplified, strict=True):
        geom = to_wgs(geom_m)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        o = OBLAST_BY_ISO[iso]
        aliases = sorted(set(o.aliases) | {o.name_uk})
        features.append(
            feature(
                geom,
                {
                    "id": o.iso,
                    "name_en": o.name_en,
                    "name_uk": o.name_uk,
                    "macro_region": o.macro_region,
                    "aliases": aliases,
                },
            )
        )
    regions = "; ".join(f"{k}: {v}" for k, v in MACRO_REGIONS.items())
    truce = meta(
        "ukraine-oblasts",
        ["oblasts"],
        ["ukraine_admin_boundaries/oblast_ukraine_2020.geojson"],
        "The 27 first-level units of Ukraine (24 oblasts, Crimea, Kyiv and Sevastopol cities) from "
        "the 2020 Minregion register; invalid rings fixed with make_valid; simplified with a "
        f"{OBLAST_TOLERANCE_M:.0f} m tolerance in a metric projection ({METRIC_NAME}): {how}. "
        "id is the ISO 3166-2:UA code; name_uk is the source's ADMIN_1; aliases hold spellings "
        "used by the alert feeds and OSM. macro_region follows the words of Ukrainian Air Force "
        f"reports (north/south/east/west/centre; the reports write 'center'): {regions}. "
        "Crimea and Sevastopol are drawn as Ukraine.",
        None,
        simplify_tolerance_m=OBLAST_TOLERANCE_M,
        macro_regions=MACRO_REGIONS,
    )
    write_collection(out, "ukraine-oblasts.geojson", truce, features)


# --------------------------------------------------------------------------------------------
# Contact lines.


@dataclass
class Line:
    geom_m: Geom
    geom_wgs: Geom
    km: float
    vertices: int


def contact_line(occupied_wgs: Geom, ob: OblastLayer, inner_m: Geom, label: str) -> Line:
    """The boundary between ``occupied_wgs`` and the rest of Ukraine, away from border and coast.

    1. controlled = Ukraine's outline minus the occupied area; keep its largest part (so water
       bodies enclosed by occupied land, e.g. the Molochnyi estuary, do not count as a front);
    2. take the occupied boundary where it touches that part;
    3. remove everything within BORDER_BUFFER_M of the outline's boundary (state border, coast);
    4. line_merge, drop fragments under MIN_FRAGMENT_M, line_merge, simplify.
    """
    occ_m = to_metric(occupied_wgs)
    if not occ_m.is_valid:
        occ_m = shapely.make_valid(occ_m)
    controlled = ob.outline_m.difference(occ_m)
    main = max(parts(controlled, "Polygon"), key=lambda p: p.area)
    shared = occ_m.boundary.intersection(main.buffer(SHARED_EDGE_M))
    inside = shapely.MultiLineString(parts(shared.intersection(inner_m), "LineString"))
    merged = shapely.line_merge(inside)
    pieces = parts(merged, "LineString")
    kept = [p for p in pieces if p.length >= MIN_FRAGMENT_M]
    line_m = shapely.line_merge(MultiLineString(kept)).simplify(LINE_TOLERANCE_M)
    line_wgs = to_wgs(line_m)
    km = geodesic_km(line_wgs)
    n = int(shapely.get_num_coordinates(line_wgs))
    frag = ", ".join(f"{p.length / 1000:.0f}" for p in sorted(kept, key=lambda p: -p.length))
    print(
        f"{label}: {km:.1f} km geodesic, {n} vertices, {len(parts(line_m, 'LineString'))} part(s) "
        f"[{frag} km]; dropped {len(pieces) - len(kept)} fragment(s) < {MIN_FRAGMENT_M / 1000:g} km"
    )
    return Line(line_m, line_wgs, km, n)


CONTACT_METHOD = (
    "Contact line = the boundary of the occupied area where it meets the rest of Ukraine: "
    "Ukraine's outline is the union of the 27 oblasts of the Minregion 2020 file (Crimea counted "
    "as Ukraine, holes filled); the controlled area is the outline minus the occupied polygon, of "
    "which only the largest part is kept (water bodies enclosed by occupied land are not a front); "
    "the occupied boundary is taken where it touches that part, everything within "
    f"{BORDER_BUFFER_M / 1000:g} km of the outline's boundary (state border and coast) is removed, "
    f"pieces are merged with shapely.line_merge, fragments under {MIN_FRAGMENT_M / 1000:g} km are "
    f"dropped, and the result is simplified with a {LINE_TOLERANCE_M:.0f} m tolerance in a metric "
    f"projection ({METRIC_NAME}). Ends stop {BORDER_BUFFER_M / 1000:g} km short of the border."
)


def build_contact_lines(shared: Path, ob: OblastLayer, out: Path) -> Line:
    inner_m = ob.outline_m.simplify(20).buffer(-BORDER_BUFFER_M)
    for day in ("2025-03-18", "2025-04-17"):
        rel = f"deepstate_occupied_daily/deepstatemap_data_{day.replace('-', '')}.geojson"
        doc = read_json(shared / rel)
        occupied = shapely.union_all([shape(f["geometry"]) for f in doc["features"]])
        line = contact_line(occupied, ob, inner_m, f"contact line {day}")
        truce = meta(
            f"contact-line-{day}",
            ["deepstate-daily", "oblasts"],
            [rel, "ukraine_admin_boundaries/oblast_ukraine_2020.geojson"],
            f"Occupied territory on {day} per DeepState (daily capture at 03:00 UTC). "
            + CONTACT_METHOD,
            None,
            simplify_tolerance_m=LINE_TOLERANCE_M,
            border_buffer_m=BORDER_BUFFER_M,
            min_fragment_m=MIN_FRAGMENT_M,
            length_km=round(line.km, 1),
        )
        feat = feature(
            line.geom_wgs,
            {"id": f"contact-line-{day}", "name": f"Contact line {day} (DeepState)", "date": day},
        )
        write_collection(out, f"contact-line-{day}.geojson", truce, [feat])

    # The Minsk-era line from the ORDLO polygon of the earliest raw DeepState snapshot.
    raw_dir = shared / "deepstate_raw_history"
    index = (raw_dir / "snapshot_index_unix_to_utcdate.txt").read_text(encoding="utf-8")
    first_ts = min(int(row.split()[0]) for row in index.splitlines() if row.strip())
    member_name = f"geojsons/{first_ts}.geojson"
    archive = shared / RAW_ARCHIVE
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:xz") as tar:
        for member in tar:  # members are in time order: stop at the one we need
            if member.name == member_name:
                tar.extract(member, tmp, filter="data")
                break
        else:
            raise FileNotFoundError(f"{member_name} not in {archive}")
        snapshot = read_json(Path(tmp) / member_name)
    ordlo = [
        shape(f["geometry"])
        for f in snapshot["features"]
        if re.search(r"ордло|ordlo", str(f["properties"].get("name", "")), re.IGNORECASE)
        and f["geometry"]["type"] in ("Polygon", "MultiPolygon", "GeometryCollection")
    ]
    if not ordlo:
        raise ValueError(f"no ORDLO polygon in {member_name}")
    ordlo_geom = shapely.union_all([shapely.force_2d(g) for g in ordlo])
    area = abs(GEOD.geometry_area_perimeter(ordlo_geom)[0]) / 1e6
    print(f"ORDLO polygon from {member_name}: {area:.0f} km²")
    line = contact_line(ordlo_geom, ob, inner_m, "contact line 2015-2022 (ORDLO)")
    rel = f"{RAW_ARCHIVE}:{member_name}"
    base = (
        f"The ORDLO polygon (certain areas of Donetsk and Luhansk oblasts, name 'ОРДЛО') of the "
        f"earliest DeepState raw snapshot ({member_name}, 2022-04-03 UTC), which DeepState keeps "
        "as the pre-24-February-2022 line; Crimea is not part of it. " + CONTACT_METHOD
    )
    proxy_2015 = (
        "The DeepState ORDLO outline as drawn in 2022 stands in for the 2015-2022 contact line: it "
        "reflects the line after February 2015 (Debaltseve already taken); local changes of "
        "2015-2021 (e.g. the grey-zone villages) are not modelled."
    )
    proxy_2014 = (
        "The true line of the Minsk Memorandum of 19 September 2014 (the line the armed "
        "formations measured their withdrawal from) is not available as geometry. This is the "
        "same geometry as contact-line-2015-2022 (the DeepState ORDLO outline as drawn in 2022). "
        "The Memorandum line differed from it around Debaltseve and elsewhere; this is the best "
        "available proxy."
    )
    for name, label, proxy, date in (
        (
            "contact-line-2015-2022",
            "Contact line 2015-2022 (Minsk era, ORDLO)",
            proxy_2015,
            "2015-02-15/2022-02-24",
        ),
        (
            "memorandum-line-2014-proxy",
            "Line of the Minsk Memorandum of 19 September 2014 (proxy)",
            proxy_2014,
            "2014-09-19",
        ),
    ):
        truce = meta(
            name,
            ["deepstate-raw", "oblasts"],
            [rel, "ukraine_admin_boundaries/oblast_ukraine_2020.geojson"],
            base,
            proxy,
            simplify_tolerance_m=LINE_TOLERANCE_M,
            border_buffer_m=BORDER_BUFFER_M,
            min_fragment_m=MIN_FRAGMENT_M,
            length_km=round(line.km, 1),
        )
        feat = feature(line.geom_wgs, {"id": name, "name": label, "date": date})
        write_collection(out, f"{name}.geojson", truce, [feat])
    build_ordlo_areas(ordlo_geom, rel, proxy_2015, out)
    return line


def build_ordlo_areas(ordlo_wgs: Geom, rel: str, proxy: str, out: Path) -> None:
    """The ORDLO areas themselves (a zone): which side of the 2015-2022 line is whose."""
    area_m = to_metric(shapely.make_valid(ordlo_wgs)).simplify(AREA_TOLERANCE_M)
    area_wgs = shapely.make_valid(to_wgs(area_m))
    polygons = [g for g in parts(area_wgs, "Polygon") if g.area > 0]
    geom = shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
    km2 = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
    print(f"ordlo-areas-2015-2022: {km2:.0f} km², {len(polygons)} polygon(s)")
    truce = meta(
        "ordlo-areas-2015-2022",
        ["deepstate-raw"],
        [rel],
        "The ORDLO polygon of the earliest DeepState raw snapshot (2022-04-03 UTC): the areas "
        "held by the armed formations of certain areas of Donetsk and Luhansk oblasts before "
        f"24 February 2022, simplified with a {AREA_TOLERANCE_M:g} m tolerance in a metric "
        "projection. Terms use it to tell on whose side of the line a point lies.",
        proxy,
        simplify_tolerance_m=AREA_TOLERANCE_M,
        area_km2=round(km2),
    )
    feat = feature(geom, {"id": "ordlo", "name": "Certain areas of Donetsk and Luhansk oblasts"})
    write_collection(out, "ordlo-areas-2015-2022.geojson", truce, [feat])


# --------------------------------------------------------------------------------------------
# Disengagement areas (Framework Decision of 21 September 2016).

DISENGAGEMENT = (
    ("stanytsia-luhanska", "Stanytsia Luhanska disengagement area", 39.49, 48.655),
    ("zolote", "Zolote disengagement area", 38.52, 48.70),
    # Petrivske, Donetsk oblast, next to Bohdanivka and facing Styla: about 41 km south of
    # Donetsk in OSCE SMM reports (47.85 N 37.78 E, 17 km south of Donetsk, lies 6.7 km inside
    # the ORDLO outline and was rejected).
    ("petrivske", "Petrivske disengagement area", 37.76, 47.63),
)


def build_disengagement(line: Line, out: Path) -> None:
    features = []
    for ident, name, lon, lat in DISENGAGEMENT:
        ref = Point(lon, lat)
        ref_m = to_metric(ref)
        centre_m = nearest_points(line.geom_m, ref_m)[0]
        centre = to_wgs(centre_m)
        dist = geodesic_m(ref, centre)
        print(
            f"disengagement {ident}: reference {lat:.3f} N {lon:.3f} E is {dist / 1000:.2f} km "
            f"from the 2015-2022 line; centre {centre.y:.4f} N {centre.x:.4f} E"
        )
        if dist > 5000:
            raise ValueError(f"{ident}: reference point {dist / 1000:.1f} km from the line")
        circle = to_wgs(centre_m.buffer(DISENGAGEMENT_RADIUS_M, quad_segs=16))
        features.append(
            feature(
                circle,
                {
                    "id": ident,
                    "name": name,
                    "radius_m": DISENGAGEMENT_RADIUS_M,
                    "centre": [round(centre.x, DECIMALS), round(centre.y, DECIMALS)],
                    "reference_point": [lon, lat],
                    "reference_to_line_m": round(dist),
                },
            )
        )
    truce = meta(
        "disengagement-areas-2016",
        ["deepstate-raw", "oblasts"],
        [
            f"{RAW_ARCHIVE} (ORDLO polygon, via data/layers/contact-line-2015-2022.geojson)",
            "ukraine_admin_boundaries/oblast_ukraine_2020.geojson",
        ],
        "For each of the three areas of the Framework Decision on disengagement of 21 September "
        "2016: take a reference point for the settlement (Stanytsia Luhanska 48.655 N 39.49 E, "
        "Zolote 48.70 N 38.52 E, Petrivske 47.63 N 37.76 E, next to Bohdanivka, about 41 km "
        "south of Donetsk as OSCE SMM reports put it), move it to the nearest point of the "
        "2015-2022 contact-line proxy, and buffer that centre by "
        f"{DISENGAGEMENT_RADIUS_M / 1000:g} km in a metric projection ({METRIC_NAME}; 64 "
        "segments).",
        "The true boundaries (the maps annexed to the Framework Decision) are not available as "
        "geometry: each area is a circle of 2 km radius around the point where the settlement "
        "meets the 2015-2022 contact-line proxy, which is itself a proxy.",
        radius_m=DISENGAGEMENT_RADIUS_M,
    )
    write_collection(out, "disengagement-areas-2016.geojson", truce, features)


# --------------------------------------------------------------------------------------------
# Black Sea and Sea of Azov.

SEA_BOX = (27.0, 40.5, 42.0, 47.6)  # lon/lat box holding both basins (and part of Marmara)
# Cuts through water, both ends on land (checked): the Bosporus at 41.20 N, just inside its
# northern mouth; the southern end of the Kerch Strait from Cape Takyl to Cape Panagia, the
# IHO limit of the Sea of Azov (the strait goes with the Sea of Azov).
BOSPORUS_CUT = ((28.95, 41.20), (29.30, 41.20))
KERCH_CUT = ((36.38, 45.085), (36.70, 45.145))
BLACK_SEA_PROBE = (34.0, 43.5)
AZOV_PROBE = (36.5, 46.2)
MARMARA_PROBE = (28.0, 40.75)


def build_seas(shared: Path, out: Path) -> None:
    rel = "natural_earth_admin0/ne10m_admin0_ukraine_region.geojson.gz"
    doc = read_json(shared / rel)
    frame = shapely.segmentize(box(*SEA_BOX), 0.05)
    near = box(SEA_BOX[0] - 1, SEA_BOX[1] - 1, SEA_BOX[2] + 1, SEA_BOX[3] + 1)
    land = shapely.union_all(
        [shapely.make_valid(shape(f["geometry"])).intersection(near) for f in doc["features"]]
    )
    for cut in (BOSPORUS_CUT, KERCH_CUT):
        for end in cut:
            if not land.contains(Point(end)):
                raise ValueError(f"cut end {end} is not on land")
    water_m = to_metric(frame).difference(to_metric(land))
    slits = shapely.union_all(
        [
            to_metric(shapely.segmentize(LineString(c), 0.01)).buffer(1.0)
            for c in (BOSPORUS_CUT, KERCH_CUT)
        ]
    )
    pieces = parts(water_m.difference(slits), "Polygon")

    def piece_at(lonlat: tuple[float, float]) -> Geom:
        probe = to_metric(Point(lonlat))
        found = [p for p in pieces if p.contains(probe)]
        if len(found) != 1:
            raise ValueError(f"no single water body at {lonlat}")
        return found[0]

    black, azov, marmara = (piece_at(p) for p in (BLACK_SEA_PROBE, AZOV_PROBE, MARMARA_PROBE))
    if black.equals(azov) or black.equals(marmara):
        raise ValueError("the cuts did not separate the basins")
    dropped = [p for p in pieces if not (p is black or p is azov)]
    print(
        f"seas: Black Sea {black.area / 1e6:,.0f} km², Sea of Azov {azov.area / 1e6:,.0f} km² "
        f"(metric area); dropped {len(dropped)} other piece(s), largest "
        f"{max((p.area for p in dropped), default=0.0) / 1e6:,.0f} km² (Bosporus/Marmara)"
    )
    features = []
    for ident, name, geom_m in (
        ("black-sea", "Black Sea", black),
        ("sea-of-azov", "Sea of Azov (with the Kerch Strait)", azov),
    ):
        geom = to_wgs(geom_m.simplify(SEA_TOLERANCE_M))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        area = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
        features.append(feature(geom, {"id": ident, "name": name, "area_km2": round(area)}))
        print(f"  {ident}: {area:,.0f} km² geodesic, {shapely.get_num_coordinates(geom)} vertices")
    truce = meta(
        "black-sea-maritime-area",
        ["natural-earth"],
        [rel],
        f"Water = a hand-drawn lon/lat box {list(SEA_BOX)} minus the union of the 16 Natural "
        "Earth 1:10m countries in the file (land, including Crimea whichever country draws it). "
        f"Two cuts, each a straight segment with both ends on land: the Bosporus at 41.20 N "
        f"({BOSPORUS_CUT[0]} to {BOSPORUS_CUT[1]}), just inside its northern mouth, so the "
        "Bosporus south of it and the Sea of Marmara are dropped; and Cape Takyl to Cape Panagia "
        f"({KERCH_CUT[0]} to {KERCH_CUT[1]}), the IHO southern limit of the Sea of Azov, so the "
        "Kerch Strait goes with the Sea of Azov. Each sea is the connected water body holding a "
        f"probe point (Black Sea {BLACK_SEA_PROBE}, Azov {AZOV_PROBE}); simplified with a "
        f"{SEA_TOLERANCE_M:.0f} m tolerance in a metric projection ({METRIC_NAME}). Natural "
        "Earth coastlines are quantized to about 250 m; the Sivash is land in Natural Earth and "
        "so not included.",
        None,
        simplify_tolerance_m=SEA_TOLERANCE_M,
    )
    write_collection(out, "black-sea-maritime-area.geojson", truce, features)


# --------------------------------------------------------------------------------------------
# Energy objects.

THERMAL = {"coal", "gas", "oil", "mazut", "diesel", "biomass", "biogas", "wood", "waste"}
GPPD_FAMILY = {
    "Solar": "solar",
    "Wind": "wind",
    "Hydro": "hydro",
    "Nuclear": "nuclear",
    "Coal": "thermal",
    "Gas": "thermal",
    "Oil": "thermal",
}
GPPD_CLASS = {"Hydro": "hydroelectric-dam", "Nuclear": "nuclear-power-plant"}


def name_family(name: str | None) -> str | None:
    """Plant family from a Ukrainian/Russian plant name (ГЕС, АЕС, ТЕС, СЕС...)."""
    if not name:
        return None
    upper = name.upper()
    rules = (
        (r"\bГА?ЕС\b|\bГЭС\b|ГІДРОЕЛЕКТРОСТАНЦ", "hydro"),
        (r"\bАЕС\b|\bАЭС\b|АТОМН", "nuclear"),
        (r"\bТЕС\b|\bТЕЦ|\bТЭЦ|\bТЭС\b|\bДТЕС\b|\bПДТЕС|ТЕПЛОВ", "thermal"),
        (r"\bСЕС\b|\bСЭС\b|\bФЕС\b|СОНЯЧН|СОЛНЕЧН", "solar"),
        (r"\bВЕС\b|\bВЭС\b|ВІТРО", "wind"),
    )
    for pattern, family in rules:
        if re.search(pattern, upper):
            return family
    return None


def osm_family(source: str | None, name: str | None) -> str | None:
    tokens = {t.strip().lower() for t in (source or "").split(";") if t.strip()}
    for family in ("nuclear", "hydro", "solar", "wind"):
        if family in tokens:
            return family
    if tokens & THERMAL:
        return "thermal"
    return name_family(name)


def parse_capacity_mw(text: str | None) -> float | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*([0-9]+(?:[.,][0-9]+)?)\s*(GW|MW|kW|W)\s*", text, re.IGNORECASE)
    if not m:
        return None  # "yes", "no", bare numbers without a unit
    value = (
        float(m[1].replace(",", "."))
        * {"gw": 1000.0, "mw": 1.0, "kw": 1e-3, "w": 1e-6}[m[2].lower()]
    )
    return round(value, 3) if value > 0 else None


def parse_voltage(text: str | None) -> int | None:
    volts = [int(v) for v in re.findall(r"\d+", text or "") if int(v) > 0]
    return max(volts) if volts else None


def extent_m(geom: Geom) -> float:
    if geom.geom_type == "Point":
        return 0.0
    minx, miny, maxx, maxy = geom.bounds
    _, _, diag = GEOD.inv(minx, miny, maxx, maxy)
    return round(float(diag) / 2.0, 1)


_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "h",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ж": "zh",
        "з": "z",
        "и": "y",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ь": "",
        "ю": "iu",
        "я": "ia",
        "ы": "y",
        "э": "e",
        "ё": "io",
        "ъ": "",
    }
)


def name_stem(name: str | None) -> str:
    """A crude comparable stem of a plant name: transliterated, y->i, first 5 letters."""
    if not name:
        return ""
    first = re.split(r"[\s\-(]+", name.strip().lower())[0].translate(_TRANSLIT)
    letters = re.sub(r"[^a-z]", "", first).replace("y", "i").replace("g", "h")
    return letters[:5] if len(letters) >= 5 else ""


def match_gppd(
    gppd: list[dict[str, str]], osm: list[tuple[Json, str | None, Geom]]
) -> dict[str, Json]:
    """GPPD id -> properties of the OSM plant it duplicates.

    A GPPD plant duplicates an OSM plant of the same family (solar, wind, hydro, nuclear,
    thermal) whose footprint lies within GPPD_MATCH_M of the GPPD point. Pairs are taken closest
    first; an OSM solar park may absorb several GPPD entries (Perovo I-V), any other OSM plant
    only one (ties go to the pair whose pumped-storage status agrees). A GPPD plant left over
    still matches an OSM plant of its family within GPPD_NAME_MATCH_M whose name has the same
    stem (GPPD coordinates are sometimes off by over 10 km).
    """
    plants = [(props, fam, geom) for props, fam, geom in osm if props["class"] != "substation"]
    tree = shapely.STRtree([geom for _, _, geom in plants])
    pairs: list[tuple[float, int, str, int]] = []
    points = {
        r["gppd_idnr"]: to_metric(Point(float(r["longitude"]), float(r["latitude"]))) for r in gppd
    }
    for row in gppd:
        gid, family = row["gppd_idnr"], GPPD_FAMILY.get(row["primary_fuel"], "other")
        pumped = "pumped" in row["name"].lower()
        for idx in tree.query(points[gid], predicate="dwithin", distance=GPPD_MATCH_M):
            props, fam, geom = plants[int(idx)]
            if fam != family:
                continue
            osm_names = f"{props['name']} {props['name_local']}".lower()
            osm_pumped = "pumped" in osm_names or "гаес" in osm_names
            pairs.append(
                (float(geom.distance(points[gid])), int(pumped != osm_pumped), gid, int(idx))
            )
    matched: dict[str, Json] = {}
    taken: set[int] = set()
    for _, _, gid, idx in sorted(pairs):
        props, fam, _ = plants[idx]
        if gid in matched or (idx in taken and fam != "solar"):
            continue
        matched[gid] = props
        taken.add(idx)
    for row in gppd:
        gid, family = row["gppd_idnr"], GPPD_FAMILY.get(row["primary_fuel"], "other")
        stem = name_stem(row["name"])
        if gid in matched or not stem:
            continue
        for idx in tree.query(points[gid], predicate="dwithin", distance=GPPD_NAME_MATCH_M):
            props, fam, _ = plants[int(idx)]
            stems = {name_stem(props["name"]), name_stem(props["name_local"])}
            if fam == family and int(idx) not in taken and stem in stems:
                print(
                    f"  GPPD {gid} {row['name']!r} matched by name to {props['id']} "
                    f"{props['name']!r}"
                )
                matched[gid] = props
                taken.add(int(idx))
                break
    return matched


def build_energy(shared: Path, ob: OblastLayer, out: Path) -> None:
    osm_rel = "energy_osm_ukraine/power_stations_with_oblasts.geojson"
    gppd_rel = "energy_gppd_ukraine/global_power_plant_database_ukraine.csv"
    osm = read_json(shared / osm_rel)["features"]
    with (shared / gppd_rel).open(encoding="utf-8", newline="") as fh:
        gppd = list(csv.DictReader(fh))

    # OSM objects.
    records: list[tuple[Geom, Json, str | None, Geom]] = []  # (point, props, family, metric geom)
    for f in osm:
        p = f["properties"]
        geom = shapely.force_2d(shape(f["geometry"]))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        name_local = p.get("name")
        family: str | None
        if p["power"] == "substation":
            cls, family, fuel = "substation", None, None
        else:
            family = osm_family(p.get("plant:source"), name_local)
            cls = {"nuclear": "nuclear-power-plant", "hydro": "hydroelectric-dam"}.get(
                family or "", "power-plant"
            )
            fuel = (p.get("plant:source") or "").lower() or None
        oblast = ob.locate(point)
        props: Json = {
            "id": f"osm:{p['osm_type']}/{p['osm_id']}",
            "name": p.get("station_name_en") or name_local,
            "name_local": name_local,
            "class": cls,
            "fuel": fuel,
            "voltage": parse_voltage(p.get("voltage")),
            "capacity_mw": parse_capacity_mw(p.get("plant:output:electricity")),
            "operator": p.get("operator:en") or p.get("operator"),
            "oblast": oblast.name_en if oblast else None,
            "oblast_id": oblast.iso if oblast else None,
            "extent_m": extent_m(geom),
            "source": "OpenStreetMap",
            "gppd_ids": [],
        }
        records.append((point, props, family if cls != "substation" else None, to_metric(geom)))

    # GPPD plants: skip those duplicating an OSM plant (see match_gppd).
    matches = match_gppd(gppd, [(props, fam, geom_m) for _, props, fam, geom_m in records])
    gppd_features: list[tuple[Geom, Json]] = []
    duplicates = 0
    for row in gppd:
        pt = Point(float(row["longitude"]), float(row["latitude"]))
        if row["gppd_idnr"] in matches:
            duplicates += 1
            matches[row["gppd_idnr"]]["gppd_ids"].append(row["gppd_idnr"])
            continue
        oblast = ob.locate(pt)
        capacity = float(row["capacity_mw"]) if row["capacity_mw"] else None
        gppd_features.append(
            (
                pt,
                {
                    "id": f"gppd:{row['gppd_idnr']}",
                    "name": row["name"],
                    "name_local": None,
                    "class": GPPD_CLASS.get(row["primary_fuel"], "power-plant"),
                    "fuel": row["primary_fuel"].lower(),
                    "voltage": None,
                    "capacity_mw": capacity,
                    "operator": row["owner"] or None,
                    "oblast": oblast.name_en if oblast else None,
                    "oblast_id": oblast.iso if oblast else None,
                    "extent_m": 0.0,
                    "source": "GPPD v1.3",
                    "gppd_ids": [row["gppd_idnr"]],
                },
            )
        )
    # OSM plants without a capacity take the GPPD capacity of the plant(s) they matched.
    gppd_capacity = {r["gppd_idnr"]: float(r["capacity_mw"]) for r in gppd if r["capacity_mw"]}
    filled = 0
    flagged_unmatched = 0
    flags = {
        f"osm:{f['properties']['osm_type']}/{f['properties']['osm_id']}": bool(
            f["properties"].get("gppd_overlap")
        )
        for f in osm
    }
    for _, props, _, _ in records:
        if props["gppd_ids"] and props["capacity_mw"] is None:
            props["capacity_mw"] = round(sum(gppd_capacity[i] for i in props["gppd_ids"]), 3)
            filled += 1
        if flags[props["id"]] and not props["gppd_ids"]:
            flagged_unmatched += 1
    print(
        f"energy: {len(records)} OSM objects, {len(gppd)} GPPD plants of which {duplicates} "
        f"duplicate an OSM plant and "
        f"{len(gppd_features)} are added; {filled} OSM capacities filled from GPPD; "
        f"{flagged_unmatched} OSM objects flagged gppd_overlap upstream matched no GPPD plant here"
    )
    features = [feature(pt, props) for pt, props, _, _ in records]
    features += [feature(pt, props) for pt, props in gppd_features]
    counts = Counter(f["properties"]["class"] for f in features)
    print("  by class: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    no_oblast = sum(1 for f in features if f["properties"]["oblast_id"] is None)
    print(f"  {no_oblast} object(s) outside every oblast (+10 km)")
    truce = meta(
        "energy-objects-ukraine",
        ["osm-energy", "gppd", "oblasts"],
        [osm_rel, gppd_rel, "ukraine_admin_boundaries/oblast_ukraine_2020.geojson"],
        "One point per object. OSM power=plant and power=substation (substation=transmission) "
        "features: the point is the footprint's representative point (inside the polygon); "
        "extent_m is half the geodesic diagonal of the footprint's bounding box (0 for OSM nodes "
        "and GPPD points); class from plant:source (nuclear -> nuclear-power-plant, hydro -> "
        "hydroelectric-dam, other sources -> power-plant; untagged plants classed from their "
        "name, e.g. ГЕС/ГАЕС -> hydro); voltage is the highest of the OSM voltage tag, in volts; "
        "capacity_mw parsed from plant:output:electricity (values without a unit ignored) or, "
        "when missing, the sum of the matched GPPD plants. GPPD v1.3 plants are added unless an "
        f"OSM plant of the same family (solar, wind, hydro, nuclear, thermal = coal/gas/oil) lies "
        f"within {GPPD_MATCH_M / 1000:g} km of the GPPD point (distance to the OSM footprint; "
        "closest pairs first, one GPPD plant per OSM plant except solar parks, which may absorb "
        "several GPPD entries), or of the same family within "
        f"{GPPD_NAME_MATCH_M / 1000:g} km with the same name stem (GPPD coordinates of e.g. "
        "Myronivska TPP are 17 km off); matched GPPD ids are listed in the OSM feature's "
        "gppd_ids. oblast / oblast_id by "
        "point-in-polygon against the Minregion oblasts (nearest within 10 km for points on the "
        "coast). name is the English name where OSM has one, else the local name.",
        None,
        counts_by_class=dict(sorted(counts.items())),
    )
    write_collection(out, "energy-objects-ukraine.geojson", truce, features)


# --------------------------------------------------------------------------------------------
# Named objects from public reporting.


@dataclass(frozen=True)
class Named:
    ident: str
    name: str
    cls: str
    incidents: tuple[str, ...]  # incident rows naming the object; the first gives source_url
    territory: str
    note: str
    lonlat: tuple[float, float] | None = None  # overrides the CSV point (not the object's own)
    precision_km: float | None = None  # overrides the CSV precision


RUSSIA_NAMED = (
    Named(
        "ru-2025:sudzha-gas-metering-station",
        "Sudzha gas metering station",
        "gas-metering-station",
        ("M25-04", "M25-06"),
        "Russia (Kursk oblast)",
        "Named by Russia (MoD claims of 21 and 28 March 2025); attribution contested; the point "
        "is the incident list's approximation.",
    ),
    Named(
        "ru-2025:kavkazskaya-oil-pumping-station",
        "Kavkazskaya oil pumping station (CPC oil transshipment point)",
        "oil-pumping-station",
        ("M25-03",),
        "Russia (Kavkazsky district, Krasnodar krai)",
        "Named by Russia (claimed strike of 19 March 2025); rail-to-pipeline transshipment point "
        "feeding the CPC; the point is the stanitsa Kavkazskaya, per the incident list.",
    ),
    Named(
        "ru-2025:kropotkinskaya-oil-pumping-station",
        "Kropotkinskaya oil pumping station (CPC)",
        "oil-pumping-station",
        ("M25-05",),
        "Russia (Kavkazsky district, Krasnodar krai)",
        "Named by Russia (claimed attempt of 25/26 March 2025; drone reported downed about 7 km "
        "from the facility, fragments near Kavkazskaya railway station, 45.45 N 40.60 E). The "
        "incident row gives the interception point, not the station. The station lies near "
        "Kropotkin in Kavkazsky district; this point (about 6.5 km from the reported "
        "interception point) is an estimate that could not be verified against a map, hence "
        "the 10 km precision.",
        lonlat=(40.68, 45.47),
        precision_km=10.0,
    ),
    Named(
        "ru-2025:saratov-oil-refinery",
        "Saratov oil refinery",
        "oil-refinery",
        ("M25-07",),
        "Russia (Saratov oblast)",
        "Named by Russia (claimed attack by 19 drones, 28 March 2025); point per the incident "
        "list.",
    ),
    Named(
        "ru-2025:belgorod-transformer-substation",
        "Transformer substation, Belgorod oblast",
        "transformer",
        ("M25-08",),
        "Russia (Belgorod oblast)",
        "Named by Russia as a 'complete transformer substation' (31 March 2025); location known "
        "only at oblast level (point is the oblast capital).",
    ),
    Named(
        "ru-2025:vasylivka-substation",
        "Vasylivka electrical substation",
        "substation",
        ("M25-09",),
        "Ukraine (Zaporizhzhia oblast), Russian-occupied",
        "Named in Russia's claims (2 April 2025); in Ukrainian territory Russia occupies; point "
        "is the town centre.",
    ),
    Named(
        "ru-2025:svatove-gas-distribution-station",
        "Svatove gas distribution station",
        "gas-distribution-station",
        ("M25-10",),
        "Ukraine (Luhansk oblast), Russian-occupied",
        "Named in Russia's claims (2 April 2025); in Ukrainian territory Russia occupies; point "
        "is the town centre.",
    ),
)
UKRAINE_NAMED = (
    Named(
        "ua-2025:sloviansk-power-supply",
        "Sloviansk power supply",
        "distribution-unit",
        ("M25-01",),
        "Ukraine (Donetsk oblast)",
        "Named by Ukraine (strikes on power supply in Sloviansk, night of 18-19 March 2025); "
        "point is the town centre.",
    ),
    Named(
        "ua-2025:dnipropetrovsk-railway-power-supply",
        "Railway power supply, Dnipropetrovsk oblast",
        "distribution-unit",
        ("M25-02",),
        "Ukraine (Dnipropetrovsk oblast)",
        "Named by Ukraine (night of 18-19 March 2025); location known only at oblast level "
        "(point is the oblast capital).",
        precision_km=120.0,
    ),
    Named(
        "ua-2025:kherson-energy-enterprise",
        "Key energy enterprise of Kherson",
        "power-plant",
        ("M25-13",),
        "Ukraine (Kherson oblast)",
        "Named by Ukraine (attacked 22-23 April 2025, after the moratorium ended); described as "
        "electricity generation; point is the city.",
    ),
)


def build_named(shared: Path, out: Path) -> None:
    rel = "moratorium_2025_incidents/incidents.csv"
    with (shared / rel).open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    for party, filename, items in (
        ("Russia", "named-objects-russia-2025.geojson", RUSSIA_NAMED),
        ("Ukraine", "named-objects-ukraine-2025.geojson", UKRAINE_NAMED),
    ):
        features = []
        for item in items:
            row = rows[item.incidents[0]]
            if row["claimed_by"] != party:
                raise ValueError(f"{item.ident}: {row['id']} was claimed by {row['claimed_by']}")
            lon, lat = item.lonlat or (float(row["longitude"]), float(row["latitude"]))
            precision = item.precision_km or float(row["precision_km"])
            features.append(
                feature(
                    Point(lon, lat),
                    {
                        "id": item.ident,
                        "name": item.name,
                        "class": item.cls,
                        "precision_km": precision,
                        "source_url": row["source_url"],
                        "note": item.note,
                        "named_by": party,
                        "territory": item.territory,
                        "incidents": list(item.incidents),
                    },
                )
            )
        truce = meta(
            f"named-objects-{party.lower()}-2025",
            ["moratorium"],
            [rel],
            f"The energy objects {party} named in its own claims of strikes during the March-April "
            "2025 energy moratorium (each party's own list: the moratorium's object list implies "
            "per-party named objects). Points and precision_km come from the incident list "
            "(settlement centre, or oblast capital for oblast-level reports) unless the note says "
            "otherwise; source_url is the incident row's source.",
            "Points are approximate locations of the named objects (see precision_km), not "
            "surveyed footprints.",
        )
        write_collection(out, filename, truce, features)


# --------------------------------------------------------------------------------------------


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="the shared data directory (default: ../shared/data from the repo)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: data/layers)"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    shared: Path = args.shared.resolve()
    out: Path = args.out.resolve()
    if not (shared / "CATALOGUE.md").exists():
        print(f"error: {shared} does not look like the shared data directory", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)

    oblasts = load_oblasts(shared)
    build_oblasts(oblasts, out)
    ordlo_line = build_contact_lines(shared, oblasts, out)
    build_disengagement(ordlo_line, out)
    build_energy(shared, oblasts, out)
    build_named(shared, out)
    build_seas(shared, out)
    total = sum(p.stat().st_size for p in out.glob("*.geojson"))
    print(f"total {total / 1024 / 1024:.2f} MiB in {out}")
    if not math.isfinite(total) or total > 4.5 * 1024 * 1024:
        print("error: layers exceed the 4.5 MiB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
