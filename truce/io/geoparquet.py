"""Events as (Geo)Parquet: the writer truce uses, and a reader for its own and similar files.

:func:`write_events_parquet` writes batches in :data:`~truce.events.model.EVENT_SCHEMA` plus a
WKB ``geometry`` point column (null where no point is known) and GeoParquet 1.1 ``geo`` metadata
(CRS omitted, i.e. OGC:CRS84, lon/lat). With ``geoparquet=False`` it writes plain Parquet.

:func:`read_geoparquet` streams a file by record batches of ``chunk_rows`` rows. Columns are
matched to the schema by name: ``kind`` and ``time_start`` are required (timestamps must carry a
time zone), the others have defaults (``event_id`` ``<source>:<row>``, ``source`` the file's
name, ``time_end`` = ``time_start``, ``outcome`` ``unknown``...). When ``lon``/``lat`` are
absent they come from the WKB geometry column named in the ``geo`` metadata (a point, or the
covering circle of a polygon). Rows are checked vectorised against the vocabularies and ranges;
a failing row becomes a :class:`~truce.events.model.Rejected` naming the first bad field.
A gzip-compressed file is decompressed to a temporary file first (Parquet needs seeking).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA, ReadResult, Rejected, row_json
from truce.io._arrow import constant, no_claims
from truce.io._geometry import wkb_points
from truce.io._parquet_rows import derive_place, row_checks, safe_value
from truce.io._source import READ_ERRORS, ReadOptions, existing_file, is_gzip

GEOMETRY = "geometry"
REQUIRED = ("kind", "time_start")
ROW_GROUP_ROWS = 65536


def geo_metadata() -> dict[str, Any]:
    """The GeoParquet ``geo`` metadata of an event file."""
    column = {"encoding": "WKB", "geometry_types": ["Point"]}
    return {"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def write_events_parquet(
    batches: Iterable[pa.RecordBatch | ReadResult],
    path: str | Path,
    *,
    geoparquet: bool = True,
    compression: str = "zstd",
) -> int:
    """Write event batches (or read results) to a (Geo)Parquet file; return the row count."""
    target = Path(path)
    schema = _file_schema(geoparquet)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    rows = 0
    try:
        with pq.ParquetWriter(str(temporary), schema, compression=compression) as writer:
            pending: list[pa.RecordBatch] = []
            for item in batches:
                batch = _conform(item.batch if isinstance(item, ReadResult) else item)
                pending.append(_with_geometry(batch) if geoparquet else batch)
                rows += batch.num_rows
                if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                    writer.write_table(pa.Table.from_batches(pending, schema=schema))
                    pending = []
            if pending:
                writer.write_table(pa.Table.from_batches(pending, schema=schema))
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return rows


def _file_schema(geoparquet: bool) -> pa.Schema:
    if not geoparquet:
        return EVENT_SCHEMA
    schema = EVENT_SCHEMA.append(pa.field(GEOMETRY, pa.binary()))
    metadata = dict(EVENT_SCHEMA.metadata or {})
    metadata[b"geo"] = json.dumps(geo_metadata()).encode()
    return schema.with_metadata(metadata)


def _conform(batch: pa.RecordBatch) -> pa.RecordBatch:
    missing = [name for name in EVENT_SCHEMA.names if name not in batch.schema.names]
    if missing:
        raise InputError(f"not an event batch: missing column(s) {', '.join(missing)}")
    columns = [pc.cast(batch.column(f.name), f.type) for f in EVENT_SCHEMA]
    return pa.RecordBatch.from_arrays(columns, schema=EVENT_SCHEMA)


def _with_geometry(batch: pa.RecordBatch) -> pa.RecordBatch:
    geometry = wkb_points(batch.column("lon"), batch.column("lat"))
    return pa.RecordBatch.from_arrays([*batch.columns, geometry], schema=_file_schema(True))


def read_geoparquet(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a (Geo)Parquet file of events as batches, ``chunk_rows`` rows at a time."""
    options = options or ReadOptions()
    source = existing_file(path)
    if not is_gzip(source):
        return _read(source, source, options)
    folder = Path(tempfile.mkdtemp(prefix="truce-parquet-"))
    plain = folder / source.name.removesuffix(".gz")
    try:
        with gzip.open(source, "rb") as packed, plain.open("wb") as unpacked:
            shutil.copyfileobj(packed, unpacked)
        results = _read(source, plain, options)
    except READ_ERRORS as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InputError(f"{source}: cannot be decompressed: {exc}") from exc
    except InputError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(results, shutil.rmtree, folder, True)
    return results


def _open(name: Path, actual: Path) -> Any:
    try:
        return pq.ParquetFile(str(actual))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{name}: not a Parquet file: {exc}") from exc


def _read(name: Path, actual: Path, options: ReadOptions) -> Iterator[ReadResult]:
    parquet = _open(name, actual)
    schema = parquet.schema_arrow
    geometry = _geometry_column(name, schema)
    missing = [c for c in REQUIRED if c not in schema.names]
    if missing:
        raise InputError(f"{name}: not an event file: missing column(s) {', '.join(missing)}")
    if "lon" not in schema.names and geometry is None:
        raise InputError(f"{name}: not an event file: no lon/lat and no geometry column")
    _check_times(name, schema)
    return _batches(name, parquet, geometry, options.chunk_rows)


def _batches(
    name: Path, parquet: Any, geometry: str | None, chunk_rows: int
) -> Iterator[ReadResult]:
    first_row = 1
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            yield _convert(name, batch, first_row, geometry)
            first_row += batch.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{name}: cannot be read after row {first_row - 1}: {exc}") from exc


def _geometry_column(name: Path, schema: pa.Schema) -> str | None:
    raw = (schema.metadata or {}).get(b"geo")
    if raw is None:
        return GEOMETRY if GEOMETRY in schema.names else None
    try:
        column = str(json.loads(raw)["primary_column"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}: unreadable 'geo' metadata: {exc}") from exc
    return column if column in schema.names else None


def _check_times(name: Path, schema: pa.Schema) -> None:
    for column in ("time_start", "time_end"):
        if column not in schema.names:
            continue
        kind = schema.field(column).type
        if not pa.types.is_timestamp(kind) or kind.tz is None:
            raise InputError(
                f"{name}: column '{column}' has type {kind}, expected a timestamp with a time zone"
            )


def _convert(name: Path, batch: pa.RecordBatch, first_row: int, geometry: str | None) -> ReadResult:
    count = batch.num_rows
    rows = pa.array(range(first_row, first_row + count), pa.int64())
    columns = {n: batch.column(i) for i, n in enumerate(batch.schema.names)}
    if "lon" not in columns and geometry is not None:
        derived = derive_place(columns[geometry])
        given = pc.cast(columns.get("precision_m", derived["precision_m"]), pa.float64())
        columns["precision_m"] = pc.max_element_wise(given, derived["precision_m"])
        columns["lon"], columns["lat"] = derived["lon"], derived["lat"]
    arrays = _defaults(name, columns, rows, count)
    try:
        typed = {f.name: pc.cast(arrays[f.name], f.type) for f in EVENT_SCHEMA}
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"{name}: a column does not fit the event schema: {exc}") from exc
    events = pa.RecordBatch.from_arrays([typed[f.name] for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)
    good, rejected = _split(name, events, batch, rows)
    return ReadResult(good, rejected, count)


def _defaults(
    name: Path, columns: dict[str, pa.Array], rows: pa.Array, count: int
) -> dict[str, pa.Array]:
    arrays = dict(columns)
    row_text = pc.cast(rows, pa.string())
    source = arrays.get("source", constant(name.name.split(".")[0] or "parquet", count))
    arrays["source"] = pc.fill_null(pc.cast(source, pa.string()), name.name.split(".")[0])
    arrays.setdefault("source_record", row_text)
    arrays.setdefault(
        "event_id", pc.binary_join_element_wise(arrays["source"], arrays["source_record"], ":")
    )
    arrays.setdefault("time_end", arrays["time_start"])
    text_defaults = {"time_zone": "UTC", "time_precision": "exact", "outcome": "unknown"}
    for column, value in {**text_defaults, "text": "", "link": "", "raw": ""}.items():
        arrays.setdefault(column, constant(value, count))
    if "area_precision" not in arrays:
        known = pc.is_valid(arrays["lon"]) if "lon" in arrays else pa.array([False] * count)
        arrays["area_precision"] = pc.if_else(known, "point", "unknown")
    arrays.setdefault("claims", no_claims(count))
    for field in EVENT_SCHEMA:
        arrays.setdefault(field.name, pa.nulls(count, field.type))
    return arrays


def _split(
    name: Path, events: pa.RecordBatch, original: pa.RecordBatch, rows: pa.Array
) -> tuple[pa.RecordBatch, list[Rejected]]:
    checks = row_checks(events)
    valid = checks[0][1]
    for _, passes, _ in checks[1:]:
        valid = pc.and_(valid, passes)
    if pc.all(valid).as_py() is not False:
        return events, []
    bad = pc.indices_nonzero(pc.invert(valid)).to_pylist()
    rejected = [_reject(name, events, original, rows, checks, i) for i in bad]
    return events.filter(valid), rejected


def _reject(
    name: Path,
    events: pa.RecordBatch,
    original: pa.RecordBatch,
    rows: pa.Array,
    checks: list[tuple[str, pa.Array, str]],
    index: int,
) -> Rejected:
    row = int(rows[index].as_py())
    one = original.slice(index, 1)
    raw = row_json({name: safe_value(one.column(name)[0]) for name in one.schema.names})
    for column, passes, expected in checks:
        if not passes[index].as_py():
            got = safe_value(events.column(column)[index])
            reason = f"field '{column}': expected {expected}, got {got!r}"
            return Rejected(str(name), row, raw, reason, "bad-value", column)
    return Rejected(str(name), row, raw, "cannot be read", "bad-value")
