"""The columns of a set of reports that corroboration works on, as numpy arrays.

Reports arrive as event batches (:data:`truce.events.model.EVENT_SCHEMA`), in any number of
chunks and in any order; :func:`report_arrays` reads the few columns grouping needs into flat
arrays, one entry per report, without building a Python object per report.

* Places become unit vectors on the sphere: the distance between two reports is the straight
  line (chord) between them, which is within 0.1 % of the great-circle distance up to 300 km.
* Times are microseconds since 1970 (UTC). A report's interval ``[time_start, time_end]`` is
  read as closed when it is an instant and half-open otherwise (a day ends just before the next
  midnight), so that two consecutive days do not overlap.
* Sources, kinds and outcomes become small integer codes. Source codes follow the sorted source
  names, so that they do not depend on the order of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit, prange

from truce.errors import InputError
from truce.verification.compatibility import KindTable, kind_table
from truce.verification.config import CorroborationConfig

EARTH_RADIUS_M = 6_371_008.8
"""The mean Earth radius, in metres."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id",
    "source",
    "source_record",
    "time_start",
    "time_end",
    "lon",
    "lat",
    "precision_m",
    "kind",
    "outcome",
    "claims",
    "link",
)
"""The columns corroboration cannot work without."""

TEXT_FIELDS: tuple[str, ...] = (
    "text",
    "target",
    "area_id",
    "area_precision",
    "weapon_class",
    "target_class",
    "time_zone",
    "time_precision",
)
"""The text fields two re-reports must agree on (when the reports have them)."""

COUNT_FIELDS: tuple[str, ...] = ("deaths", "injured", "quantity")
"""The count fields two re-reports must agree on (when the reports have them)."""

CORROBORATION_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(REQUIRED_COLUMNS + TEXT_FIELDS + COUNT_FIELDS)
)
"""Every column corroboration reads: a caller need load no other (the ``raw`` row, for one).

Any string column may also be given dictionary-encoded (as Parquet's ``read_dictionary``
reads it): the results are the same, and the low-cardinality columns (``source``, ``kind``,
``outcome``, ``time_zone``, ``time_precision``, ``area_precision``) take a fraction of the
memory that way.
"""

OUTCOME_CODES: dict[str, int] = {"unknown": 0, "impact": 1, "attempt": 2}
"""Outcome slugs -> codes (anything else counts as unknown)."""

US_PER_S = 1_000_000

ALL = slice(None)
"""Every report (the default selection of the per-report values computed on demand)."""

Reports: TypeAlias = "pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch | pa.Table]"
"""What corroboration accepts: a table, a batch, or any number of them."""


@dataclass
class ReportArrays:
    """One entry per report: where, when, what, from whom, and the matching windows.

    :meth:`mid2` is twice the middle of each time interval and :meth:`span2` its length
    (microseconds, exact in integers); ``extent`` the bounds of the grid coordinates and of
    ``mid2``; ``type_window_m`` and ``type_window_us`` the windows of each source type (by
    ``type_index``), :meth:`window_m` and :meth:`window_us` those of given reports. These four
    are computed when asked for (for the reports asked about), not stored: at 10 million
    reports they would hold 320 MB through the leader scan, the peak of memory.
    """

    table: pa.Table
    kinds: KindTable
    located: np.ndarray
    xyz: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    radius: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    outcome: np.ndarray
    source: np.ndarray
    source_names: tuple[str, ...]
    type_index: np.ndarray
    confirms: np.ndarray
    attributes: np.ndarray
    origin: np.ndarray
    origin_names: tuple[str, ...]
    anchor: np.ndarray
    joinable: np.ndarray
    grid_x: np.ndarray
    grid_y: np.ndarray
    extent: tuple[float, float, float, float, int, int]
    type_window_m: np.ndarray
    type_window_us: np.ndarray

    @property
    def count(self) -> int:
        """How many reports."""
        return int(self.located.shape[0])

    def mid2(self, idx: np.ndarray | slice = ALL) -> np.ndarray:
        """Twice the middle of the time interval of reports ``idx`` (default: all)."""
        return np.asarray(self.start[idx] + self.end[idx])

    def span2(self, idx: np.ndarray | slice = ALL) -> np.ndarray:
        """The length of the time interval of reports ``idx`` (default: all)."""
        return np.asarray(self.end[idx] - self.start[idx])

    def window_m(self, idx: np.ndarray | slice = ALL) -> np.ndarray:
        """The distance window of the source type of reports ``idx`` (default: all)."""
        return np.asarray(self.type_window_m[self.type_index[idx]])

    def window_us(self, idx: np.ndarray | slice = ALL) -> np.ndarray:
        """The time window of the source type of reports ``idx`` (default: all)."""
        return np.asarray(self.type_window_us[self.type_index[idx]])

    def without_geometry(self) -> ReportArrays:
        """The same arrays less those only grouping reads (places and grid), left empty: what
        the incidents table needs, so that the rest can be freed."""
        empty_float = np.zeros(0, dtype=np.float64)
        return replace(
            self,
            xyz=np.zeros((3, 0), dtype=np.float64),
            lon=empty_float,
            lat=empty_float,
            radius=empty_float,
            grid_x=empty_float,
            grid_y=empty_float,
        )


def as_table(reports: Reports) -> pa.Table:
    """The reports as one table (chunks are kept; nothing is copied)."""
    if isinstance(reports, pa.Table):
        return reports
    if isinstance(reports, pa.RecordBatch):
        return pa.Table.from_batches([reports])
    tables = [
        part if isinstance(part, pa.Table) else pa.Table.from_batches([part]) for part in reports
    ]
    if not tables:
        raise InputError("no reports given")
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def report_arrays(table: pa.Table, config: CorroborationConfig) -> ReportArrays:
    """The arrays of ``table`` that grouping and grading need."""
    missing = [name for name in REQUIRED_COLUMNS if name not in table.column_names]
    if missing:
        raise InputError(f"reports lack the column(s) {', '.join(missing)} of the event schema")
    lon = _floats(table, "lon")
    lat = _floats(table, "lat")
    located = np.isfinite(lon) & np.isfinite(lat)
    radius = _floats(table, "precision_m")
    np.copyto(radius, config.default_precision_m, where=~np.isfinite(radius))
    start, end = _times(table)
    kinds = kind_table(config.kind_rules)
    source, source_names = _codes(table.column("source"), "source")
    declared = [config.declaration(name) for name in source_names]
    type_names = [t.name for t in config.source_types]
    types = [config.type_named(d.type) for d in declared]
    per_source_type = np.array([type_names.index(t.name) for t in types], dtype=np.int16)
    origin_names = tuple(sorted({d.origin_name for d in declared}))
    per_source_origin = np.array(
        [origin_names.index(d.origin_name) for d in declared], dtype=np.int32
    )
    xyz, grid = _geometry(lon, lat, located)
    type_window_m = np.array([t.distance_m for t in config.source_types], dtype=np.float64)
    type_window_us = np.array(
        [round(t.time_s * US_PER_S) for t in config.source_types], dtype=np.int64
    )
    return ReportArrays(
        table=table,
        kinds=kinds,
        located=located,
        xyz=xyz,
        lon=lon,
        lat=lat,
        radius=radius,
        start=start,
        end=end,
        kind=_kind_codes(table.column("kind"), kinds),
        outcome=_outcome_codes(table.column("outcome")),
        source=source,
        source_names=source_names,
        type_index=per_source_type[source],
        confirms=np.array([t.confirms for t in types], dtype=bool)[source],
        attributes=np.array([d.attributes for d in declared], dtype=bool)[source],
        origin=per_source_origin[source],
        origin_names=origin_names,
        anchor=located
        & (radius <= config.anchor_precision_m)
        & (end - start <= round(config.anchor_span_s * US_PER_S)),
        joinable=located
        & (radius <= config.join_precision_m)
        & (end - start <= round(config.join_span_s * US_PER_S)),
        grid_x=grid[0],
        grid_y=grid[1],
        extent=_extent(grid[0], grid[1], start, end, located),
        type_window_m=type_window_m,
        type_window_us=type_window_us,
    )


def _extent(
    x: np.ndarray, y: np.ndarray, start: np.ndarray, end: np.ndarray, located: np.ndarray
) -> tuple[float, float, float, float, int, int]:
    """The smallest and largest grid x, grid y and doubled middle time of located reports."""
    if not located.any():
        return 0.0, 0.0, 0.0, 0.0, 0, 0
    x, y, mid2 = x[located], y[located], start[located] + end[located]
    return (
        float(x.min()),
        float(x.max()),
        float(y.min()),
        float(y.max()),
        int(mid2.min()),
        int(mid2.max()),
    )


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points as unit vectors (3 x n); a point with no coordinates becomes (0, 0, 0)."""
    lam = np.radians(np.nan_to_num(lon))
    phi = np.radians(np.nan_to_num(lat))
    cos_phi = np.cos(phi)
    xyz = np.empty((3, lam.shape[0]), dtype=np.float64)
    xyz[0] = cos_phi * np.cos(lam)
    xyz[1] = cos_phi * np.sin(lam)
    xyz[2] = np.sin(phi)
    xyz[:, ~(np.isfinite(lon) & np.isfinite(lat))] = 0.0
    return xyz


def grid_coordinates(
    lon: np.ndarray, lat: np.ndarray, located: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Metres east and north on a plate carree scaled at the highest latitude of the data.

    East-west distances shrink there the most, so a distance on this plane is never larger
    than the distance on the sphere (to within the curvature, which the grid's margin covers):
    the plane is only used to find candidates, never to decide a match.
    """
    cos_ref = _grid_scale(lat, located)
    x = np.where(located, EARTH_RADIUS_M * cos_ref * np.radians(np.nan_to_num(lon)), 0.0)
    y = np.where(located, EARTH_RADIUS_M * np.radians(np.nan_to_num(lat)), 0.0)
    return x, y


def _grid_scale(lat: np.ndarray, located: np.ndarray) -> float:
    """The cosine of the highest latitude of the located reports (at least 0.01)."""
    highest = float(np.abs(np.where(located, lat, 0.0)).max()) if located.any() else 0.0
    return max(float(np.cos(np.radians(min(highest, 89.0)))), 0.01)


def _geometry(
    lon: np.ndarray, lat: np.ndarray, located: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """:func:`unit_vectors` and :func:`grid_coordinates` in one compiled pass on all cores
    (the same numbers: the same functions of the same values, element by element)."""
    n = lon.shape[0]
    xyz = np.empty((3, n), dtype=np.float64)
    x = np.empty(n, dtype=np.float64)
    y = np.empty(n, dtype=np.float64)
    scale = EARTH_RADIUS_M * _grid_scale(lat, located)
    _geometry_into(lon, lat, located, scale, EARTH_RADIUS_M, xyz, x, y)
    return xyz, (x, y)


@njit(cache=True, nogil=True, parallel=True)
def _geometry_into(
    lon: np.ndarray,
    lat: np.ndarray,
    located: np.ndarray,
    scale_x: float,
    scale_y: float,
    xyz: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> None:  # pragma: no cover
    """Each report's unit vector and grid point; (0, 0, 0) and (0, 0) where it has none.

    (``truce.verification.scan.compiled_parallel`` would do, but that module imports this one.)
    """
    for i in prange(lon.size):
        if located[i]:
            lam = np.radians(lon[i])
            phi = np.radians(lat[i])
            cos_phi = np.cos(phi)
            xyz[0, i] = cos_phi * np.cos(lam)
            xyz[1, i] = cos_phi * np.sin(lam)
            xyz[2, i] = np.sin(phi)
            x[i] = scale_x * lam
            y[i] = scale_y * phi
        else:
            xyz[0, i] = 0.0
            xyz[1, i] = 0.0
            xyz[2, i] = 0.0
            x[i] = 0.0
            y[i] = 0.0


def chord2(xyz: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared chord distance between reports ``a`` and ``b``, in units of the Earth radius."""
    dx = xyz[0][a] - xyz[0][b]
    dy = xyz[1][a] - xyz[1][b]
    dz = xyz[2][a] - xyz[2][b]
    return np.asarray(dx * dx + dy * dy + dz * dz)


def _floats(table: pa.Table, name: str) -> np.ndarray:
    """A numeric column as float64, NaN where missing, copied once (chunk by chunk)."""
    column = table.column(name)
    values = np.empty(len(column), dtype=np.float64)
    at = 0
    for chunk in column.chunks:
        if chunk.type != pa.float64():
            chunk = pc.cast(chunk, pa.float64())
        values[at : at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        at += len(chunk)
    return values


def _times(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    ends = []
    for name in ("time_start", "time_end"):
        column = pc.cast(table.column(name), pa.timestamp("us", tz="UTC"))
        if column.null_count:
            raise InputError(f"reports with no {name} cannot be corroborated")
        ends.append(np.asarray(pc.cast(column, pa.int64()).to_numpy(), dtype=np.int64))
    start, end = ends
    if np.any(end < start):
        raise InputError("a report ends before it starts (time_end < time_start)")
    end = np.where(end > start, end - 1, end)
    return start, end


def _codes(
    column: pa.ChunkedArray, name: str, missing: str | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes of a string column with few distinct values, numbered in sorted order.

    A missing value is ``missing`` (an error when that is None). The column may be plain or
    dictionary-encoded: a dictionary chunk is used as it is, a plain one encoded.
    """
    if column.null_count and missing is None:
        raise InputError(f"reports with no {name} cannot be corroborated")
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        dictionary = [str(v) for v in pc.cast(chunk.dictionary, pa.string()).to_pylist()]
        indices = chunk.indices
        if indices.null_count:
            dictionary.append(str(missing))
            indices = pc.fill_null(indices, len(dictionary) - 1)
        indices_np = np.asarray(indices.to_numpy(zero_copy_only=False))
        used = np.bincount(indices_np, minlength=len(dictionary)) > 0
        parts.append((dictionary, indices_np, used))
    present = {
        value
        for dictionary, _, used in parts
        for value, is_used in zip(dictionary, used, strict=True)
        if is_used
    }
    names = tuple(sorted(present))
    number = {value: i for i, value in enumerate(names)}
    codes = np.empty(len(column), dtype=np.int32)
    at = 0
    for dictionary, indices_np, _ in parts:
        remap = np.array([number.get(v, -1) for v in dictionary], dtype=np.int32)
        codes[at : at + indices_np.size] = remap[indices_np]
        at += indices_np.size
    return codes, names


def _kind_codes(column: pa.ChunkedArray, kinds: KindTable) -> np.ndarray:
    codes, names = _codes(column, "kind")
    return kinds.codes(names)[codes] if names else codes.astype(np.int16)


def _outcome_codes(column: pa.ChunkedArray) -> np.ndarray:
    codes, names = _codes(column, "outcome", missing="unknown")
    table = np.array([OUTCOME_CODES.get(name, 0) for name in names], dtype=np.int8)
    return table[codes] if names else codes.astype(np.int8)
