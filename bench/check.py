"""Bench of the check engine: events per second and peak memory, against ten terms.

Inputs: the 1.26 M real NASA FIRMS MODIS detections of Ukraine (shared data), converted once to
Parquet in a cache folder, and the same replicated with jitter to about 10 M. Each detection keeps
its place and day; its kind is set by its row number (50% fire, 20% drone strike, 10% artillery,
20% military presence with a weapon class), so that every term's geometry is exercised. The ten
terms (``bench.yaml`` in the cache folder): energy objects within 5 km (about 1,000 objects),
four withdrawal distances per weapon class from the 2025 contact line with the DeepState
occupied area as the sides, 50 zones, four oblasts from 2022, a 10 km corridor until 2022,
nuclear plants within 30 km (attempts within 50 km), substations in winter 2022-23.

Every run happens in a fresh process, so that its peak memory (RSS) is its own. Figures are
printed, never asserted: see ``bench/README.md``.

    python bench/check.py                 # 1.26 M and 10 M, one core and two, comparisons
    python bench/check.py --stream 100000000   # also 100 M events streamed (takes minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIRMS = SHARED / "firms_modis_ukraine_yearly" / "ukr_fires_modis_2000-2023_partial.csv.gz"
OCCUPIED = SHARED / "deepstate_occupied_daily" / "deepstatemap_data_20250318.geojson"
ENERGY = ROOT / "data" / "layers" / "energy-objects-ukraine.geojson"
LINE = ROOT / "data" / "layers" / "contact-line-2025-03-18.geojson"
OBLASTS = ROOT / "data" / "layers" / "ukraine-oblasts.geojson"
BATCH = 131_072
KINDS = np.array(["fire"] * 5 + ["drone-strike"] * 2 + ["artillery"] + ["military-presence"] * 2)
WEAPONS = np.array(["artillery-100mm-plus", "mlrs", "mlrs-heavy", "tank", "armoured-vehicle"])
DICTIONARY = ["source", "kind", "weapon_class", "outcome", "target_class"]


# --- inputs --------------------------------------------------------------------------------


def bench_agreement(cache: Path) -> Path:
    """The ten terms and their layers (50 zones drawn around the 50 largest energy objects)."""
    import shapely

    from truce.geodesy import LCC

    path = cache / "bench.yaml"
    if path.exists():
        return path
    objects = json.loads(ENERGY.read_text())
    ranked = sorted(
        objects["features"], key=lambda f: -(f["properties"].get("capacity_mw") or 0.0)
    )[:50]
    zones = []
    for i, feature in enumerate(ranked):
        lon, lat = feature["geometry"]["coordinates"]
        x, y = LCC.forward(np.array([lon]), np.array([lat]))
        ring = np.asarray(shapely.Point(x[0], y[0]).buffer(15_000.0, 16).exterior.coords)
        rlon, rlat = LCC.inverse(ring[:, 0], ring[:, 1])
        name = feature["properties"].get("name") or feature["properties"]["id"]
        zones.append(
            {
                "type": "Feature",
                "properties": {"id": f"zone-{i:02d}", "name": f"15 km around {name}"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [np.c_[rlon, rlat].round(5).tolist()],
                },
            }
        )
    (cache / "zones50.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": zones})
    )
    both = ["ukraine", "russia"]

    def layer(ident: str, kind: str, title: str, file: Path) -> dict[str, Any]:
        return {"id": ident, "kind": kind, "title": title, "versions": [{"file": str(file)}]}

    def term(ident: str, kind: str, clause: str, **fields: Any) -> dict[str, Any]:
        return {"id": ident, "type": kind, "clause": clause, "source": "b", "binds": both, **fields}

    def withdrawal(ident: str, distances: dict[str, str]) -> dict[str, Any]:
        return term(
            ident,
            "withdrawal-distance",
            "Weapons kept back from the line.",
            distances=distances,
            reference_lines={"ukraine": "line", "russia": "line"},
            sides={"layer": "occupied", "inside": ["russia"], "outside": ["ukraine"]},
        )

    kyiv_2022 = "2022-02-24T00:00 Europe/Kyiv"
    document = {
        "truce": 1,
        "id": "bench",
        "title": "Bench agreement (ten terms)",
        "sources": [{"id": "b", "citation": "bench"}],
        "parties": [
            {"id": p, "name": p.title(), "kind": "state", "must_approve": False} for p in both
        ],
        "entry_into_force": {"at": "2000-01-01T00:00Z"},
        "layers": [
            layer("energy", "objects", "Energy objects", ENERGY),
            layer("line", "line", "Contact line of 18 March 2025", LINE),
            layer("occupied", "zone", "Occupied area of 18 March 2025", OCCUPIED),
            layer("zones", "zone", "Fifty zones", cache / "zones50.geojson"),
            layer("oblasts", "zone", "Oblasts", OBLASTS),
        ],
        "terms": [
            term(
                "protected-sites",
                "prohibited-act",
                "No strikes or fires within 5 km of energy objects.",
                acts=["strike", "indirect-fire", "fire"],
                objects=[{"layer": "energy"}],
                radius="5 km",
            ),
            withdrawal("withdraw-artillery", {"artillery-100mm-plus": "25 km"}),
            withdrawal("withdraw-mlrs", {"mlrs": "35 km"}),
            withdrawal("withdraw-heavy", {"mlrs-heavy": "70 km", "tactical-missile": "70 km"}),
            withdrawal("withdraw-tanks", {"tank": "15 km"}),
            term(
                "zones-50",
                "zone-restriction",
                "No strikes in the zones.",
                zone={"layer": "zones"},
                acts=["strike", "indirect-fire"],
            ),
            term(
                "front-oblasts",
                "zone-restriction",
                "No strikes in four oblasts from 2022.",
                zone={"layer": "oblasts", "features": ["UA-14", "UA-09", "UA-23", "UA-63"]},
                acts=["strike"],
                active={"from": kyiv_2022},
            ),
            term(
                "line-corridor",
                "zone-restriction",
                "No shelling within 10 km of the line before 2022.",
                zone={"layer": "line", "within": "10 km"},
                acts=["indirect-fire"],
                active={"until": kyiv_2022},
            ),
            term(
                "nuclear-sites",
                "prohibited-act",
                "No strikes within 30 km of nuclear plants.",
                acts=["strike"],
                objects=[{"layer": "energy", "classes": ["nuclear-power-plant"]}],
                radius="30 km",
                counts=["impact", "attempt"],
                attempt_radius="50 km",
            ),
            term(
                "winter-substations",
                "prohibited-act",
                "No strikes on substations in winter 2022-23.",
                acts=["strike"],
                objects=[{"layer": "energy", "classes": ["substation"]}],
                radius="2 km",
                active={"from": "2022-10-01T00:00Z", "until": "2023-04-01T00:00Z"},
            ),
        ],
    }
    text = yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def with_kinds(table: pa.Table, offset: int = 0) -> pa.Table:
    """The kind mix, weapon classes and outcomes, by row number."""
    index = np.arange(table.num_rows) + offset
    kinds = KINDS[(index * 2654435761 % 1000) % 10]
    weapons = np.where(kinds == "military-presence", WEAPONS[(index // 10) % 5], None)
    outcome = np.where((kinds == "drone-strike") & (index % 7 == 0), "attempt", "impact")
    for name, values in (("kind", kinds), ("weapon_class", weapons), ("outcome", outcome)):
        table = table.set_column(
            table.schema.get_field_index(name), name, pa.array(values, pa.string())
        )
    return table


def firms_events(cache: Path) -> Path:
    """The FIRMS detections as events (read once with truce's FIRMS reader)."""
    from truce.engine.batch import COLUMNS
    from truce.io import read_events

    path = cache / "events-1m.parquet"
    if path.exists():
        return path
    batches = [
        r.batch.select(list(COLUMNS)) for r in read_events(FIRMS, "firms", chunk_rows=BATCH * 2)
    ]
    table = with_kinds(pa.Table.from_batches(batches))
    partial = path.with_suffix(".partial")
    pq.write_table(table, partial, row_group_size=BATCH, compression="lz4", use_dictionary=True)
    partial.replace(path)
    return path


def replicated(cache: Path, base: Path, copies: int = 8) -> Path:
    """The detections replicated ``copies`` times, each copy jittered by up to 2 km."""
    path = cache / f"events-{copies}x.parquet"
    if path.exists():
        return path
    table = pq.read_table(base)
    rng = np.random.default_rng(11)
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, table.schema, compression="lz4") as writer:
        for copy in range(copies):
            lon = table.column("lon").to_numpy() + rng.uniform(-0.025, 0.025, table.num_rows)
            lat = table.column("lat").to_numpy() + rng.uniform(-0.018, 0.018, table.num_rows)
            ids = pa.array([f"x{copy}:"] * table.num_rows).cast(pa.string())
            part = table.set_column(
                0, "event_id", pc.binary_join_element_wise(ids, table.column(0), "")
            )
            part = part.set_column(part.schema.get_field_index("lon"), "lon", pa.array(lon))
            part = part.set_column(part.schema.get_field_index("lat"), "lat", pa.array(lat))
            part = with_kinds(part, copy * 7).cast(table.schema)
            writer.write_table(part, row_group_size=BATCH)
    partial.replace(path)
    return path


# --- workers (each in its own process) ----------------------------------------------------


def _rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM: not inherited across exec)."""
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return float(row.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _Counter:
    def __init__(self) -> None:
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Count the findings, keep nothing."""
        self.rows += batch.num_rows


def worker_engine(args: dict[str, Any]) -> dict[str, Any]:
    """Check a Parquet file (some of its row groups), or a synthetic stream, on one thread; with
    ``"threads": 2``, as ``truce check`` does it: batches read ahead and findings written
    behind, each on a second thread."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    from truce.agreement import load_agreement
    from truce.engine.allocator import prefer_system_allocator
    from truce.engine.batch import COLUMNS
    from truce.engine.files import read_ahead
    from truce.engine.output import FindingWriter
    from truce.engine.run import Engine

    threaded = args.get("threads", 1) > 1
    pool = prefer_system_allocator()  # as truce check does
    started = time.perf_counter()
    agreement = load_agreement(args["agreement"])
    sink: Any = FindingWriter(args["out"], background=threaded) if args.get("out") else _Counter()
    engine = Engine([agreement], sink=sink)
    compiled = time.perf_counter()
    begin = time.time()
    cpu = time.process_time()
    events = 0
    batches = _batches(args, COLUMNS)
    for batch in read_ahead(batches) if threaded else batches:
        engine.feed(batch)
        events += batch.num_rows
    result = engine.finish()
    if hasattr(sink, "close"):
        sink.close()
    end = time.time()
    return {
        "cpu_s": time.process_time() - cpu,
        "events": events,
        "findings": result.summary.total,
        "compile_s": compiled - started,
        "check_s": end - begin,
        "begin": begin,
        "end": end,
        "stages": engine.timings,
        "pool": pool,
        "rss_mb": _rss_mb(),
    }


def _batches(args: dict[str, Any], columns: tuple[str, ...]) -> Any:
    if "stream" in args:
        yield from _stream(args["base"], int(args["stream"]), columns)
        return
    parquet = pq.ParquetFile(args["events"], read_dictionary=DICTIONARY)
    groups = list(range(parquet.num_row_groups))[args.get("first", 0) : args.get("stop")]
    yield from parquet.iter_batches(
        batch_size=BATCH,
        row_groups=groups,
        columns=list(columns),
        use_threads=False,
    )


def _stream(base: str, total: int, columns: tuple[str, ...]) -> Any:
    """``total`` events made on the fly from the base file (jittered copies): nothing stored."""
    table = pq.read_table(base, columns=list(columns), read_dictionary=DICTIONARY)
    rng = np.random.default_rng(5)
    made = 0
    while made < total:
        for batch in table.to_batches(max_chunksize=BATCH):
            if made >= total:
                return
            size = min(batch.num_rows, total - made)
            batch = batch.slice(0, size)
            lon = batch.column("lon").to_numpy(zero_copy_only=False) + rng.uniform(
                -0.02, 0.02, size
            )
            lat = batch.column("lat").to_numpy(zero_copy_only=False) + rng.uniform(
                -0.02, 0.02, size
            )
            arrays = [
                pa.array(lon)
                if name == "lon"
                else pa.array(lat)
                if name == "lat"
                else batch.column(name)
                for name in batch.schema.names
            ]
            yield pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
            made += size


def _sample(events: str, size: int) -> pa.Table:
    """``size`` events drawn at random, with every column of the event schema."""
    from truce.events.model import EVENT_SCHEMA

    table = pq.read_table(events)
    index = np.random.default_rng(3).choice(table.num_rows, size, replace=False)
    table = table.take(pa.array(np.sort(index)))
    for field in EVENT_SCHEMA:
        if field.name not in table.schema.names:
            default = "UTC" if field.name == "time_zone" else ""
            value = None if field.nullable else default
            table = table.append_column(field, pa.array([value] * size, field.type))
    return table.select(EVENT_SCHEMA.names)


def worker_geopandas(args: dict[str, Any]) -> dict[str, Any]:
    """The same ten terms with GeoPandas (sjoin, sjoin_nearest, distance): no precision circles,
    no explanations, so strictly less work."""
    import geopandas as gpd  # type: ignore[import-untyped]
    import pandas as pd  # type: ignore[import-untyped]
    import shapely

    crs = "+proj=lcc +lat_1=45 +lat_2=54 +lat_0=49.5 +lon_0=35 +ellps=WGS84 +units=m"
    table = _sample(args["events"], args["size"])
    energy = gpd.read_file(ENERGY).to_crs(crs)
    line = gpd.read_file(LINE).to_crs(crs)
    occupied = gpd.read_file(OCCUPIED).to_crs(crs)
    zones = gpd.read_file(Path(args["cache"]) / "zones50.geojson").to_crs(crs)
    oblasts = gpd.read_file(OBLASTS)
    oblasts = oblasts[oblasts["id"].isin(["UA-14", "UA-09", "UA-23", "UA-63"])].to_crs(crs)
    started = time.perf_counter()
    frame = table.select(
        ["event_id", "lon", "lat", "kind", "weapon_class", "time_start"]
    ).to_pandas()
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    ).to_crs(crs)
    strikes = points["kind"].isin(["drone-strike", "artillery", "fire"])
    found = 0
    near = gpd.sjoin_nearest(points[strikes], energy, max_distance=5_000 + 5_000, distance_col="d")
    found += int((near["d"] - near["extent_m"] <= 5_000).sum())
    line_geometry = line.geometry.union_all()
    distance = points.geometry.distance(line_geometry)
    inside = gpd.sjoin(points, occupied, predicate="within").index
    side = pd.Series(points.index.isin(inside), index=points.index)
    presence = points["kind"] == "military-presence"
    for weapon, limit in (
        ("artillery-100mm-plus", 25e3),
        ("mlrs", 35e3),
        ("mlrs-heavy", 70e3),
        ("tank", 15e3),
    ):
        close = presence & (points["weapon_class"] == weapon) & (distance < limit)
        found += int((close & side).sum()) + int((close & ~side).sum())
    shooting = points["kind"].isin(["drone-strike", "artillery"])
    found += len(gpd.sjoin(points[shooting], zones, predicate="within"))
    after = points["time_start"] >= pd.Timestamp("2022-02-23T22:00Z")
    found += len(
        gpd.sjoin(points[(points["kind"] == "drone-strike") & after], oblasts, predicate="within")
    )
    found += int(((points["kind"] == "artillery") & ~after & (distance <= 10e3)).sum())
    nuclear = energy[energy["class"] == "nuclear-power-plant"]
    found += len(
        gpd.sjoin_nearest(points[points["kind"] == "drone-strike"], nuclear, max_distance=50e3)
    )
    winter = (points["time_start"] >= pd.Timestamp("2022-10-01T00:00Z")) & (
        points["time_start"] < pd.Timestamp("2023-04-01T00:00Z")
    )
    substations = energy[energy["class"] == "substation"]
    found += len(
        gpd.sjoin_nearest(
            points[winter & (points["kind"] == "drone-strike")], substations, max_distance=2e3
        )
    )
    seconds = time.perf_counter() - started
    _ = shapely
    return {"events": len(frame), "seconds": seconds, "matches": found, "rss_mb": _rss_mb()}


def worker_loop(args: dict[str, Any]) -> dict[str, Any]:
    """The ten terms with a per-event Python loop over shapely geometries: with an STRtree of
    the objects, or (``naive``) measuring every object."""
    import shapely

    from truce.agreement import load_agreement
    from truce.engine.layers import geometry
    from truce.geodesy import LCC

    agreement = load_agreement(args["agreement"])
    table = _sample(args["events"], args["size"]).to_pylist()

    def projected(shape: Any) -> Any:
        return shapely.transform(shape, lambda xy: np.column_stack(LCC.forward(xy[:, 0], xy[:, 1])))

    energy = [projected(f.geometry) for f in geometry(agreement, "energy", 0).features]
    tree = shapely.STRtree(energy)
    line = projected(
        shapely.union_all([f.geometry for f in geometry(agreement, "line", 0).features])
    )
    occupied = projected(
        shapely.union_all([f.geometry for f in geometry(agreement, "occupied", 0).features])
    )
    zones = [projected(f.geometry) for f in geometry(agreement, "zones", 0).features]
    naive = bool(args.get("naive"))

    def near(point: Any, limit: float) -> int:
        if naive:
            return sum(1 for item in energy if item.distance(point) <= limit)
        return len(tree.query(point, predicate="dwithin", distance=limit))

    started = time.perf_counter()
    found = sides = 0
    for row in table:
        x, y = LCC.forward(np.array([row["lon"]]), np.array([row["lat"]]))
        point = shapely.Point(x[0], y[0])
        found += near(point, 5_000.0)
        d_line = line.distance(point)
        sides += int(occupied.contains(point))
        for limit in (25e3, 35e3, 70e3, 15e3):
            found += int(d_line < limit)
        found += sum(1 for zone in zones if zone.contains(point))
        found += int(d_line <= 10e3)
        found += near(point, 50_000.0) > 0
        found += near(point, 2_000.0) > 0
        found += int(row["time_start"].year >= 2022)
    seconds = time.perf_counter() - started
    return {"events": len(table), "seconds": seconds, "matches": found, "rss_mb": _rss_mb()}


def worker_reference(args: dict[str, Any]) -> dict[str, Any]:
    """Fast findings against the slow reference on a sample: how many differ."""
    from truce.agreement import load_agreement
    from truce.engine import check
    from truce.engine.reference import Reference
    from truce.events.model import batch_to_events

    agreement = load_agreement(args["agreement"])
    sample = _sample(args["events"], args["size"])
    fast = {
        (f.event_id, f.term): f.status
        for f in check([agreement], sample.to_batches(max_chunksize=BATCH)).finding_list()
        if f.event_id
    }
    reference = Reference(agreement)
    started = time.perf_counter()
    slow = {
        (e.event_id, term): verdict.status
        for e in batch_to_events(sample)
        for term, verdict in reference.check(e).items()
    }
    seconds = time.perf_counter() - started
    differ = sorted(k for k in set(fast) | set(slow) if fast.get(k) != slow.get(k))
    return {
        "events": sample.num_rows,
        "findings": len(fast),
        "differ": len(differ),
        "examples": [list(map(str, k)) for k in differ[:5]],
        "reference_seconds": seconds,
        "rss_mb": _rss_mb(),
    }


# --- the parent ----------------------------------------------------------------------------


def worker_floor(args: dict[str, Any]) -> dict[str, Any]:
    """The one-core run's input and output alone, no checking: reading the events as the engine
    run does and writing the findings it wrote (in batches of the size it made them), each
    timed by CPU, best of five. Their sum bounds the end-to-end rate from above."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    from truce.engine.batch import COLUMNS
    from truce.engine.findings import as_findings
    from truce.engine.output import FindingWriter

    findings = as_findings(pq.read_table(args["findings"]))
    parts = findings.to_batches(max_chunksize=max(1, findings.num_rows // int(args["parts"])))

    def read() -> None:
        for _ in _batches(args, COLUMNS):
            pass

    def write() -> None:
        with FindingWriter(args["out"], background=False) as writer:
            for part in parts:
                writer.write(part)

    def best(work: Any) -> float:
        times = []
        for _ in range(5):
            cpu = time.process_time()
            work()
            times.append(time.process_time() - cpu)
        return min(times)

    return {"read_s": best(read), "write_s": best(write), "findings": findings.num_rows}


WORKERS = {
    "engine": worker_engine,
    "floor": worker_floor,
    "geopandas": worker_geopandas,
    "loop": worker_loop,
    "reference": worker_reference,
}


def spawn(kind: str, args: dict[str, Any]) -> subprocess.Popen[str]:
    """Start a worker process."""
    command = [sys.executable, __file__, "--worker", kind, json.dumps(args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def collect(process: subprocess.Popen[str]) -> dict[str, Any]:
    """A worker's result."""
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"worker failed with status {process.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run_engine(
    events: Path, agreement: Path, workers: int, out: Path | None, threads: int = 1
) -> dict[str, Any]:
    """One worker, or ``workers`` workers on equal shares of the row groups, at once (each on
    one thread, or ``threads`` as ``truce check``)."""
    groups = pq.ParquetFile(events).num_row_groups
    cuts = np.linspace(0, groups, workers + 1).astype(int)
    processes = []
    for i in range(workers):
        args: dict[str, Any] = {
            "events": str(events),
            "agreement": str(agreement),
            "first": int(cuts[i]),
            "stop": int(cuts[i + 1]),
            "threads": threads,
        }
        if out is not None:
            args["out"] = str(out.with_name(f"{out.stem}-{i}{out.suffix}"))
        processes.append(spawn("engine", args))
    results = [collect(p) for p in processes]
    events_total = sum(r["events"] for r in results)
    wall = max(r["end"] for r in results) - min(r["begin"] for r in results)
    return {
        "events": events_total,
        "findings": sum(r["findings"] for r in results),
        "seconds": wall,
        "rate": events_total / wall,
        "compile_s": max(r["compile_s"] for r in results),
        "cpu_s": max(r["cpu_s"] for r in results),
        "rss_mb": max(r["rss_mb"] for r in results),
        "stages": results[0]["stages"],
        "pool": results[0]["pool"],
    }


def line(label: str, figures: dict[str, Any]) -> None:
    """Print one result."""
    rate = figures["events"] / figures["seconds"]
    if "cpu_s" in figures:
        figures = {
            **figures,
            "M/s by CPU time": round(figures["events"] / figures["cpu_s"] / 1e6, 3),
        }
    extra = ", ".join(
        f"{k} {v}"
        for k, v in figures.items()
        if k in ("findings", "matches", "differ", "M/s by CPU time")
    )
    print(
        f"{label:<46} {figures['events']:>11,} events {figures['seconds']:8.2f} s "
        f"{rate / 1e6:8.3f} M/s  peak RSS {figures['rss_mb']:7.0f} MB  {extra}"
    )


def main() -> None:
    """Prepare the inputs, run every measurement, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.environ.get("TRUCE_BENCH_CACHE", "/tmp/truce-bench"))
    parser.add_argument("--stream", type=int, default=0, help="also stream this many events")
    parser.add_argument("--sample", type=int, default=200_000, help="GeoPandas sample size")
    parser.add_argument("--loop-sample", type=int, default=3_000)
    parser.add_argument("--reference-sample", type=int, default=5_000)
    parser.add_argument("--skip-10m", action="store_true")
    options = parser.parse_args()
    cache = Path(options.cache)
    cache.mkdir(parents=True, exist_ok=True)
    agreement = bench_agreement(cache)
    base = firms_events(cache)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f}; python {platform.python_version()}, "
        f"numpy {np.__version__}, pyarrow {pa.__version__}"
    )
    one = run_engine(base, agreement, 1, cache / "findings-1m.parquet")
    print(
        f"compile (rasterise the ten terms' layers): {one['compile_s']:.1f} s, once per run; "
        f"Arrow buffers from {one['pool']}"
    )
    line("1.26 M FIRMS, 1 core, findings to Parquet", one)
    print("  stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in one["stages"].items()))
    floor = collect(
        spawn(
            "floor",
            {
                "events": str(base),
                "findings": str(cache / "findings-1m-0.parquet"),
                "out": str(cache / "findings-floor.parquet"),
                "parts": 82,
            },
        )
    )
    io_s = floor["read_s"] + floor["write_s"]
    print(
        f"  input and output alone (no checking; CPU, best of 5): reading the events "
        f"{floor['read_s']:.2f} s, writing the {floor['findings']:,} findings "
        f"{floor['write_s']:.2f} s: at most {one['events'] / io_s / 1e6:.2f} M/s on one core"
    )
    counted = run_engine(base, agreement, 1, None)
    line("1.26 M FIRMS, 1 core, findings counted only", counted)
    line(
        "1.26 M FIRMS, 2 cores (2 processes)",
        run_engine(base, agreement, 2, cache / "findings-2c.parquet"),
    )
    line(
        "1.26 M FIRMS, 2 cores (1 process, 2 threads)",
        run_engine(base, agreement, 1, cache / "findings-2t.parquet", threads=2),
    )
    if not options.skip_10m:
        big = replicated(cache, base)
        line(
            "10 M (8 jittered copies), 1 core",
            run_engine(big, agreement, 1, cache / "findings-10m.parquet"),
        )
        line(
            "10 M (8 jittered copies), 2 cores",
            run_engine(big, agreement, 2, cache / "findings-10m-2c.parquet"),
        )
        line(
            "10 M, 2 cores (1 process, 2 threads)",
            run_engine(big, agreement, 1, cache / "findings-10m-2t.parquet", threads=2),
        )
    geo = collect(
        spawn("geopandas", {"events": str(base), "size": options.sample, "cache": str(cache)})
    )
    line(f"GeoPandas sjoin/sjoin_nearest ({options.sample:,} sample)", geo)
    loop_args = {"events": str(base), "agreement": str(agreement), "size": options.loop_sample}
    loop = collect(spawn("loop", loop_args))
    line(f"per-event shapely loop, STRtree ({options.loop_sample:,} sample)", loop)
    naive = collect(spawn("loop", {**loop_args, "size": options.loop_sample // 10, "naive": True}))
    line(f"per-event shapely loop, naive ({options.loop_sample // 10:,} sample)", naive)
    geo_rate = geo["events"] / geo["seconds"]
    loop_rate = loop["events"] / loop["seconds"]
    naive_rate = naive["events"] / naive["seconds"]
    for label, engine_rate in (
        ("findings written to Parquet", one["rate"]),
        ("findings counted, as the others count theirs", counted["rate"]),
    ):
        print(
            f"engine ({label}) vs GeoPandas: {engine_rate / geo_rate:.1f}x; "
            f"vs per-event loop: {engine_rate / loop_rate:.0f}x (STRtree), "
            f"{engine_rate / naive_rate:.0f}x (naive) (1 core)"
        )
    ref = collect(
        spawn(
            "reference",
            {"events": str(base), "agreement": str(agreement), "size": options.reference_sample},
        )
    )
    print(
        f"fast == reference on {ref['events']:,} sampled events: {ref['findings']:,} findings, "
        f"{ref['differ']} differ {ref['examples'] if ref['differ'] else ''}"
    )
    if options.stream:
        streamed = collect(
            spawn(
                "engine", {"base": str(base), "stream": options.stream, "agreement": str(agreement)}
            )
        )
        streamed["seconds"] = streamed["check_s"]
        line(f"{options.stream / 1e6:.0f} M streamed, 1 core, findings counted", streamed)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        print(json.dumps(WORKERS[sys.argv[2]](json.loads(sys.argv[3]))))
    else:
        main()
