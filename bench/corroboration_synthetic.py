"""Realistic synthetic reports for the corroboration benchmark, built without a per-row loop.

Incidents happen at real places (the points of the CIR/Bellingcat and UCDP events, weighted by
how often each place occurs, so cities are dense), at random times from 2022-02-24 to the end
of 2024. Each incident is reported 1 to 30 times (3 on average) by a mix of sources: a monitor,
an OSINT map, four media outlets of which two repeat one agency, two official channels with
claims of attribution, two coded datasets. Reports scatter around the true place within their
stated precision: 60 % points (100 m to 1 km), 25 % settlements (5 to 25 km); 6 % name a district
(the centre of a 0.5 by 0.35 degree cell, 30 km), 6 % an oblast (its own point and covering
radius), 3 % the whole country.
Kinds follow the incident's with some broader or conflicting ones; 4 % of reports are exact
re-reports. Then the real NASA FIRMS MODIS detections are added as fire reports.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from truce.events.model import EVENT_SCHEMA
from truce.io._areas import load_areas

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CIR = SHARED / "cir_bellingcat_events_2022" / "events.csv"
UCDP = SHARED / "ucdp_ged_ukraine" / "UCDP-Ukraine_ged.csv"
FIRMS = SHARED / "firms_modis_ukraine_yearly" / "ukr_fires_modis_2000-2023_partial.csv.gz"

START_US = 1_645_660_800_000_000  # 2022-02-24T00:00Z
SPAN_US = 1_040 * 86_400_000_000
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US

SOURCES = (
    "osce-smm",
    "cir-bellingcat",
    "media-kyiv",
    "media-moscow",
    "wire-a",
    "wire-b",
    "ua-general-staff",
    "ru-mod",
    "ucdp-ged",
    "acled",
)
SOURCE_WEIGHTS = np.array([0.05, 0.2, 0.12, 0.08, 0.1, 0.1, 0.12, 0.08, 0.08, 0.07])
KINDS = (
    "strike",
    "missile-strike",
    "drone-strike",
    "air-strike",
    "indirect-fire",
    "artillery",
    "rocket-artillery",
    "mortar",
    "ground-assault",
    "small-arms",
    "explosion",
    "fire",
    "military-presence",
    "air-alert",
)
KIND_WEIGHTS = np.array(
    [0.06, 0.08, 0.12, 0.05, 0.06, 0.18, 0.08, 0.05, 0.08, 0.04, 0.08, 0.04, 0.06, 0.02]
)


def real_places() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitudes, latitudes and weights of the places real events happened in Ukraine."""
    points: dict[tuple[float, float], int] = {}
    with CIR.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["country"] == "Ukraine" and row["lat"] and row["lon"]:
                key = (round(float(row["lon"]), 2), round(float(row["lat"]), 2))
                points[key] = points.get(key, 0) + 1
    with UCDP.open(encoding="cp1252") as stream:
        for row in csv.DictReader(stream):
            if row["where_prec"] in ("1", "2"):
                key = (round(float(row["longitude"]), 2), round(float(row["latitude"]), 2))
                points[key] = points.get(key, 0) + 1
    coords = np.array(list(points), dtype=np.float64)
    weights = np.array(list(points.values()), dtype=np.float64)
    return coords[:, 0], coords[:, 1], weights / weights.sum()


def firms_reports(limit: int | None = None) -> pa.Table:
    """The FIRMS MODIS detections as fire reports (day precision, 1 km)."""
    with gzip.open(FIRMS, "rt") as stream:
        rows = list(csv.reader(stream))[1:]
    if limit is not None:
        rows = rows[-limit:]
    lat = np.array([float(r[0]) for r in rows])
    lon = np.array([float(r[1]) for r in rows])
    days = np.array(rows, dtype=object)[:, 2].astype("datetime64[D]").astype("datetime64[us]")
    start = days.astype(np.int64)
    n = lat.size
    columns = _base_columns(n, "firms-modis", np.arange(n))
    columns.update(
        time_start=start,
        time_end=start + DAY_US,
        time_precision=_repeat("day", n),
        lon=lon,
        lat=lat,
        precision_m=np.full(n, 1000.0),
        kind=_repeat("fire", n),
    )
    return _table(columns, n)


def synthetic_reports(count: int, seed: int = 7) -> pa.Table:
    """``count`` synthetic reports (see the module docstring)."""
    rng = np.random.default_rng(seed)
    place_lon, place_lat, weights = real_places()
    per_incident = np.minimum(1 + rng.poisson(2.0, size=count), 30)
    incidents = int(np.searchsorted(np.cumsum(per_incident), count)) + 1
    sizes = per_incident[:incidents]
    sizes[-1] -= int(sizes.sum()) - count
    which = rng.choice(place_lon.size, size=incidents, p=weights)
    inc_lon = place_lon[which] + rng.normal(0, 0.03, incidents)
    inc_lat = place_lat[which] + rng.normal(0, 0.02, incidents)
    inc_time = START_US + rng.integers(0, SPAN_US // HOUR_US, incidents) * HOUR_US
    inc_kind = rng.choice(len(KINDS), size=incidents, p=KIND_WEIGHTS / KIND_WEIGHTS.sum())
    owner = np.repeat(np.arange(incidents), sizes)
    lon, lat, precision, area = _places(rng, inc_lon[owner], inc_lat[owner])
    start, end, time_precision = _times(rng, inc_time[owner])
    kind = _kinds(rng, inc_kind[owner])
    source = rng.choice(len(SOURCES), size=count, p=SOURCE_WEIGHTS / SOURCE_WEIGHTS.sum())
    outcome = np.where(rng.random(count) < 0.85, 1, np.where(rng.random(count) < 0.5, 2, 0))
    columns = _base_columns(count, "", np.arange(count))
    sources = pa.array(np.array(SOURCES, dtype=object)[source], pa.string())
    columns.update(
        event_id=pc.binary_join_element_wise(sources, _numbers(count), ":"),
        source=sources,
        time_start=start,
        time_end=end,
        time_precision=time_precision,
        lon=lon,
        lat=lat,
        precision_m=precision,
        area_precision=area,
        kind=pa.array(np.array(KINDS, dtype=object)[kind], pa.string()),
        outcome=pa.array(np.array(["unknown", "impact", "attempt"], dtype=object)[outcome]),
        link=_links(rng, owner, source),
        claims=_claims(rng, source),
    )
    table = _table(columns, count)
    return _with_re_reports(rng, table, 0.04)


def _numbers(count: int) -> pa.Array:
    return pa.array(np.arange(count)).cast(pa.string())


def _places(
    rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    n = lon.size
    draw = rng.random(n)
    precision = np.where(
        draw < 0.60,
        rng.uniform(100, 1000, n),
        np.where(draw < 0.85, rng.uniform(5_000, 25_000, n), 30_000.0),
    )
    scatter = precision / 2 / 111_000
    out_lon = lon + rng.normal(0, 1, n) * scatter / np.cos(np.radians(lat))
    out_lat = lat + rng.normal(0, 1, n) * scatter
    district = (draw >= 0.85) & (draw < 0.91)
    out_lon[district] = (np.floor(lon[district] / 0.5) + 0.5) * 0.5
    out_lat[district] = (np.floor(lat[district] / 0.35) + 0.5) * 0.35
    area = np.where(draw < 0.60, "point", np.where(draw < 0.85, "settlement", "district"))
    layer = load_areas(None)
    oblasts = list(layer.oblasts.values())
    vague = np.flatnonzero(draw >= 0.91)
    country = vague[draw[vague] >= 0.97]
    oblast_rows = vague[draw[vague] < 0.97]
    found = np.full(oblast_rows.size, -1)
    for index, oblast in enumerate(oblasts):
        inside = shapely.contains_xy(oblast.geometry, lon[oblast_rows], lat[oblast_rows])
        found[inside] = index
    for index, oblast in enumerate(oblasts):
        rows = oblast_rows[found == index]
        out_lon[rows], out_lat[rows], precision[rows] = oblast.lon, oblast.lat, oblast.radius_m
        area[rows] = "oblast"
    whole = layer.area("UA")
    assert whole is not None
    out_lon[country], out_lat[country], precision[country] = whole.lon, whole.lat, whole.radius_m
    area[country] = "country"
    return out_lon, out_lat, precision, pa.array(area.astype(object), pa.string())


def _times(
    rng: np.random.Generator, true_time: np.ndarray
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    n = true_time.size
    draw = rng.random(n)
    seen = true_time + rng.integers(-2, 3, n) * HOUR_US
    day = (seen // DAY_US) * DAY_US
    start = np.where(draw < 0.5, day, seen)
    end = np.where(draw < 0.5, day + DAY_US, np.where(draw < 0.9, seen + HOUR_US, seen))
    names = np.where(draw < 0.5, "day", np.where(draw < 0.9, "hour", "exact"))
    return start, end, pa.array(names.astype(object), pa.string())


def _kinds(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    draw = rng.random(kind.size)
    broader = {"missile-strike": "strike", "drone-strike": "strike", "artillery": "indirect-fire"}
    out = kind.copy()
    for narrow, wide in broader.items():
        out[(kind == KINDS.index(narrow)) & (draw < 0.15)] = KINDS.index(wide)
    out[draw > 0.97] = KINDS.index("explosion")
    return out


def _links(rng: np.random.Generator, owner: np.ndarray, source: np.ndarray) -> pa.Array:
    """Wire stories cite a channel post; some outlets link to the same post."""
    cites = rng.random(owner.size) < 0.3
    texts = np.where(cites, "https://t.me/channel/" + owner.astype(str), "")
    return pa.array(texts.astype(object), pa.string())


def _claims(rng: np.random.Generator, source: np.ndarray) -> pa.Array:
    ua = source == SOURCES.index("ua-general-staff")
    ru = source == SOURCES.index("ru-mod")
    claimant = np.where(ua, "Ukraine", "Russia")
    perpetrator = np.where(ua, "Russia", "Ukraine")
    has = ua | ru
    offsets = np.zeros(source.size + 1, dtype=np.int32)
    np.cumsum(has, out=offsets[1:])
    values = pa.StructArray.from_arrays(
        [
            pa.array(claimant[has].astype(object), pa.string()),
            pa.array(perpetrator[has].astype(object), pa.string()),
            pa.array(np.full(int(has.sum()), "", dtype=object), pa.string()),
        ],
        names=["claimant", "perpetrator", "note"],
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _with_re_reports(rng: np.random.Generator, table: pa.Table, share: float) -> pa.Table:
    n = table.num_rows
    copies = rng.choice(n - int(n * share), size=int(n * share), replace=False)
    extra = table.take(pa.array(copies))
    new_ids = pc.binary_join_element_wise(extra.column("event_id"), "repost", "#")
    extra = extra.set_column(0, "event_id", new_ids)
    keep = table.slice(0, n - copies.size)
    return pa.concat_tables([keep, extra.cast(EVENT_SCHEMA)]).combine_chunks()


def _repeat(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _base_columns(n: int, source: str, numbers: np.ndarray) -> dict[str, object]:
    ids = pa.array(numbers).cast(pa.string())
    return {
        "event_id": pc.binary_join_element_wise(source, ids, ":") if source else ids,
        "source": _repeat(source, n),
        "source_record": ids,
        "time_zone": _repeat("UTC", n),
        "area_precision": _repeat("point", n),
        "outcome": _repeat("unknown", n),
        "claims": pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)),
            pa.array([], EVENT_SCHEMA.field("claims").type.value_type),
        ),
        "text": _repeat("", n),
        "link": _repeat("", n),
        "raw": _repeat("", n),
    }


def _table(columns: dict[str, object], n: int) -> pa.Table:
    arrays = []
    for schema_field in EVENT_SCHEMA:
        value = columns.get(schema_field.name)
        if value is None:
            arrays.append(pa.nulls(n, schema_field.type))
        elif isinstance(value, np.ndarray) and schema_field.type == pa.timestamp("us", tz="UTC"):
            arrays.append(pa.array(value, pa.int64()).cast(schema_field.type))
        elif isinstance(value, np.ndarray):
            arrays.append(pa.array(value).cast(schema_field.type))
        else:
            arrays.append(pc.cast(value, schema_field.type))
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)


def bench_reports(count: int, seed: int = 7) -> pa.Table:
    """``count`` reports: the FIRMS detections (all of them, or as many as fit) and synthetic."""
    firms = firms_reports(limit=min(count // 4, 1_263_651))
    synthetic = synthetic_reports(count - firms.num_rows, seed)
    return pa.concat_tables([synthetic, firms])
