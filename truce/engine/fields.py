"""Distance fields: what the engine measures events against, rasterised for speed.

A field is a function ``f`` over the map that a term compares with a limit:

* :class:`PointsField`: distance (metres) to the nearest object, less the object's extent;
* :class:`LinesField`: distance to the nearest segment of a line;
* :class:`ZoneField`: signed distance to the edge of an area (negative inside).

An event at distance ``f`` with a precision circle of radius ``p`` is certainly within a limit
``R`` when ``f + p <= R``, certainly beyond it when ``f - p > R``, and straddles it otherwise.

Each field keeps, for every grid cell near its geometry, a lower and upper bound of ``f`` over the
cell, and the short list of primitives (objects or segments) that can be nearest to a point of
the cell. Most events are decided by the bounds of their cell alone; the others get exact values
from their cell's list, in numpy, without a loop over events. Events outside the rasterised
window, or whose circle is wider than :data:`NARROW_M`, go through a shapely STRtree instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from truce.engine.grid import CELL_LAT, CELL_LON, FloatArray, IntArray, Window, half_diagonal_m
from truce.engine.kernels import compiled, nearest_points, nearest_segments
from truce.geodesy import LCC, inverse_scale, projected_distance_m, segment_distance_m

NARROW_M = 2000.0
"""Precision circles up to this radius are decided from the raster; wider ones exactly."""

BLOCK = 8
"""Cells per side of the coarse blocks the raster is first computed on."""

_SLACK = 3e-2  # between two points a few hundred km apart, the scale differs by less than this
K_MAX = 1.0 / float(inverse_scale(np.array([62.0]))[0])
"""The largest scale factor of the projection between 36 N and 62 N: planar / K_MAX is a
lower bound of the true distance."""
_METRES_PER_DEGREE = 110_000.0


@dataclass(frozen=True)
class Exact:
    """Exact field values at points: ``f`` and the nearest primitive (-1 when none)."""

    f: FloatArray
    primitive: IntArray


def _pad(value: float) -> float:
    return value * (1.0 + 1e-3) + 2.0


def _degrees(metres: float, lat: float) -> tuple[float, float]:
    """Longitude and latitude spans covering ``metres`` around latitude ``lat``."""
    dlat = metres / _METRES_PER_DEGREE
    cos = max(np.cos(np.radians(min(abs(lat) + dlat, 89.0))), 0.01)
    return dlat / cos, dlat


def _group_min(values: FloatArray, owner: IntArray, size: int) -> tuple[FloatArray, IntArray]:
    """Per owner (sorted), the smallest value and the index of the pair holding it."""
    best = np.full(size, np.inf)
    np.minimum.at(best, owner, values)
    hit = np.flatnonzero(values <= best[owner])
    first = np.ones(len(hit), dtype=bool)
    first[1:] = owner[hit][1:] != owner[hit][:-1]
    chosen = np.full(size, -1, dtype=np.int64)
    chosen[owner[hit[first]]] = hit[first]
    return best, chosen


class Field(ABC):
    """A distance-like function over the map, rasterised near its geometry."""

    kind: str = ""

    def __init__(self, reach_m: float) -> None:
        self.reach_m = reach_m
        self._tree = shapely.STRtree(self._primitive_shapes())
        self._extent_max = 0.0
        self.window = Window(0, 0, 0, 0)
        self.lo = np.zeros(0, dtype=np.float32)
        self.hi = np.zeros(0, dtype=np.float32)
        self.start = np.zeros(1, dtype=np.int32)
        self.items = np.zeros(0, dtype=np.int32)
        self.outside_lo = 0.0
        nowhere = np.zeros(0, dtype=np.int64)
        self.cell_bounds(nowhere, nowhere, nowhere)  # load the compiled pass at set-up

    # --- what each kind of field defines -------------------------------------------------
    @abstractmethod
    def _primitive_shapes(self) -> NDArray[np.object_]:
        """Projected shapely geometries of the primitives, for the STRtree."""

    @abstractmethod
    def _pair_distance(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, prim: IntArray
    ) -> FloatArray:
        """Unsigned distance (metres) from points to primitives, element-wise."""

    @abstractmethod
    def _nearest_listed(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, local: IntArray
    ) -> tuple[FloatArray, IntArray]:
        """Per projected point, the smallest :meth:`_pair_distance` to a primitive of its
        cell's (non-empty) list, and that primitive, the first one listed on a tie (compiled,
        see :mod:`truce.engine.kernels`)."""

    @abstractmethod
    def bbox(self) -> tuple[float, float, float, float]:
        """Longitude/latitude box of the geometry."""

    @abstractmethod
    def feature_of(self, primitive: IntArray) -> IntArray:
        """Index of the layer feature each primitive belongs to (-1 for -1)."""

    def _sign(self, lon: FloatArray, lat: FloatArray, distance: FloatArray) -> FloatArray:
        """The field value from the unsigned distance (zones make the inside negative)."""
        return distance

    def _csr_wanted(self, f: FloatArray, half: FloatArray) -> NDArray[np.bool_]:
        """Which cells, by their centre value and half-diagonal, need candidate lists."""
        return f - half <= self.reach_m + NARROW_M

    def _refine_wanted(
        self, f: FloatArray, half: FloatArray, lon: FloatArray, lat: FloatArray
    ) -> NDArray[np.bool_]:
        """Which coarse blocks must be computed cell by cell."""
        return f - half <= self.reach_m + NARROW_M

    # --- building ---------------------------------------------------------------------
    def build(self) -> None:
        """Rasterise: bounds for every cell of the window, candidate lists near the geometry."""
        west, south, east, north = self.bbox()
        margin = self.reach_m + NARROW_M + 20_000.0
        dlon, dlat = _degrees(margin, max(abs(south), abs(north)))
        raw = Window.around(west - dlon, south - dlat, east + dlon, north + dlat)
        nx = -(-raw.nx // BLOCK) * BLOCK
        ny = -(-raw.ny // BLOCK) * BLOCK
        self.window = Window(raw.x0, raw.y0, nx, ny)
        self.outside_lo = margin - 20_000.0
        coarse = Window(0, 0, nx // BLOCK, ny // BLOCK)
        clon = self.window.x0 * CELL_LON - 180.0 + (np.arange(coarse.nx) + 0.5) * BLOCK * CELL_LON
        clat = self.window.y0 * CELL_LAT - 90.0 + (np.arange(coarse.ny) + 0.5) * BLOCK * CELL_LAT
        block_lon, block_lat = np.tile(clon, coarse.ny), np.repeat(clat, coarse.nx)
        block_rows = self.window.y0 + np.arange(coarse.ny, dtype=np.int64) * BLOCK
        block_half = np.repeat(_pad_array(half_diagonal_m(block_rows, BLOCK)), coarse.nx)
        block_f = self.exact_tree(block_lon, block_lat).f
        refine = self._refine_wanted(block_f, block_half, block_lon, block_lat)
        lo = np.repeat(
            np.repeat((block_f - block_half).reshape(coarse.ny, coarse.nx), BLOCK, 0), BLOCK, 1
        )
        hi = np.repeat(
            np.repeat((block_f + block_half).reshape(coarse.ny, coarse.nx), BLOCK, 0), BLOCK, 1
        )
        self._coarse_done(block_lon, block_lat, block_f, block_half, refine, coarse)
        cells = self._refined_cells(refine, coarse)
        lon_all, lat_all = self.window.centres()
        lon, lat = lon_all[cells], lat_all[cells]
        half = _pad_array(half_diagonal_m(self.window.rows()[cells]))
        exact = self.exact_tree(lon, lat)
        lo.reshape(-1)[cells] = exact.f - half
        hi.reshape(-1)[cells] = exact.f + half
        self.lo = _round_down(lo.reshape(-1))
        self.hi = _round_up(hi.reshape(-1))
        self._fine_done(cells, lon, lat, exact.f, half)
        wanted = self._csr_wanted(exact.f, half)
        self._build_csr(
            cells[wanted], lon[wanted], lat[wanted], np.abs(exact.f[wanted]), half[wanted]
        )

    def _coarse_done(
        self,
        lon: FloatArray,
        lat: FloatArray,
        f: FloatArray,
        half: FloatArray,
        refine: NDArray[np.bool_],
        coarse: Window,
    ) -> None:
        """Hook for zones: remember who owns the blocks that are not refined."""
        return None

    def _fine_done(
        self, cells: IntArray, lon: FloatArray, lat: FloatArray, f: FloatArray, half: FloatArray
    ) -> None:
        """Hook for zones: remember who owns the refined cells."""
        return None

    def _refined_cells(self, refine: NDArray[np.bool_], coarse: Window) -> IntArray:
        blocks = np.flatnonzero(refine)
        by, bx = blocks // coarse.nx, blocks % coarse.nx
        offsets = np.arange(BLOCK)
        rows = (by[:, None] * BLOCK + offsets[None, :])[:, :, None]
        cols = (bx[:, None] * BLOCK + offsets[None, :])[:, None, :]
        return np.sort((rows * self.window.nx + cols).reshape(-1))

    def _build_csr(
        self,
        cells: IntArray,
        lon: FloatArray,
        lat: FloatArray,
        distance: FloatArray,
        half: FloatArray,
    ) -> None:
        x, y = LCC.forward(lon, lat)
        radius = (distance + 2.0 * half) * K_MAX * (1.0 + 1e-3) + self._extent_max + 1.0
        pairs = self._tree.query(shapely.points(x, y), predicate="dwithin", distance=radius)
        order = np.lexsort((pairs[1], pairs[0]))
        owner, prim = pairs[0][order], pairs[1][order]
        counts = np.zeros(self.window.size, dtype=np.int64)
        np.add.at(counts, cells[owner], 1)
        start = np.zeros(self.window.size + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        by_cell = np.argsort(cells[owner], kind="stable")
        self.start = start.astype(np.int32)
        self.items = prim[by_cell].astype(np.int32)

    # --- evaluating -------------------------------------------------------------------
    def local(self, ix: IntArray, iy: IntArray) -> IntArray:
        """Local cell index in this field's window, -1 outside."""
        return self.window.local(ix, iy)

    def bounds(self, local: IntArray) -> tuple[FloatArray, FloatArray]:
        """Lower and upper bounds of ``f`` over each cell (outside the window: reach, +inf).

        With :meth:`local`, the plain definition of :meth:`cell_bounds` (the one the checks
        call), which tests hold equal to it."""
        inside = local >= 0
        safe = np.where(inside, local, 0)
        lo = np.where(inside, self.lo[safe], self.outside_lo)
        hi = np.where(inside, self.hi[safe], np.inf)
        return lo.astype(np.float64), hi.astype(np.float64)

    def cell_bounds(
        self, ix: IntArray, iy: IntArray, rows: IntArray
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """For the ``rows`` of a batch's global cell numbers ``ix``, ``iy``: the local cell
        index and the bounds of ``f`` there, what :meth:`local` then :meth:`bounds` give, in one
        compiled pass."""
        local = np.empty(len(rows), dtype=np.int64)
        lo, hi = np.empty(len(rows)), np.empty(len(rows))
        window = self.window
        _cell_bounds(
            ix,
            iy,
            rows,
            np.array([window.x0, window.y0, window.nx, window.ny], dtype=np.int64),
            self.lo,
            self.hi,
            float(self.lo.dtype.type(self.outside_lo)),
            local,
            lo,
            hi,
        )
        return local, lo, hi

    def exact(self, lon: FloatArray, lat: FloatArray, local: IntArray) -> Exact:
        """Exact values: from the cell's candidates where it has them, else from the tree."""
        has_list = local >= 0
        safe = np.where(has_list, local, 0)
        has_list &= self.start[safe + 1] > self.start[safe]
        f = np.empty(len(lon))
        prim = np.empty(len(lon), dtype=np.int64)
        listed = np.flatnonzero(has_list)
        if len(listed):
            result = self._exact_listed(lon[listed], lat[listed], local[listed])
            f[listed], prim[listed] = result.f, result.primitive
        rest = np.flatnonzero(~has_list)
        if len(rest):
            result = self.exact_tree(lon[rest], lat[rest])
            f[rest], prim[rest] = result.f, result.primitive
        return Exact(f, prim)

    def _exact_listed(self, lon: FloatArray, lat: FloatArray, local: IntArray) -> Exact:
        x, y = LCC.forward(lon, lat)
        best, chosen = self._nearest_listed(x, y, lat, local)
        return Exact(self._sign(lon, lat, best), chosen)

    def exact_tree(self, lon: FloatArray, lat: FloatArray) -> Exact:
        """Exact values through the STRtree (any point, any distance)."""
        if len(lon) == 0:
            return Exact(np.zeros(0), np.zeros(0, dtype=np.int64))
        x, y = LCC.forward(lon, lat)
        points = shapely.points(x, y)
        (query, _), nearest = self._tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        planar = np.empty(len(lon))
        planar[query] = nearest
        radius = planar * (1.0 + _SLACK) + self._extent_max + 1.0
        owner, prim = self._tree.query(points, predicate="dwithin", distance=radius)
        distance = self._pair_distance(x[owner], y[owner], lat[owner], prim)
        best, chosen = _group_min(distance, owner, len(lon))
        return Exact(self._sign(lon, lat, best), prim[chosen])


@compiled
def _cell_bounds(
    ix: IntArray,
    iy: IntArray,
    rows: IntArray,
    window: IntArray,
    lo_table: NDArray[np.float32],
    hi_table: NDArray[np.float32],
    outside_lo: float,
    local: IntArray,
    lo: FloatArray,
    hi: FloatArray,
) -> None:
    """Fill ``local``, ``lo``, ``hi`` for ``rows``: the cell of ``(ix, iy)[row]`` in ``window``
    (x0, y0, nx, ny) and the tables' bounds there, or -1, ``outside_lo``, +inf outside it."""
    x0, y0, nx, ny = window[0], window[1], window[2], window[3]
    for i in range(len(rows)):
        row = rows[i]
        cx, cy = ix[row] - x0, iy[row] - y0
        if 0 <= cx < nx and 0 <= cy < ny:
            cell = cy * nx + cx
            local[i] = cell
            lo[i] = lo_table[cell]
            hi[i] = hi_table[cell]
        else:
            local[i] = -1
            lo[i] = outside_lo
            hi[i] = np.inf


def _pad_array(values: FloatArray) -> FloatArray:
    return values * (1.0 + 1e-3) + 2.0


def _round_down(values: FloatArray) -> NDArray[np.float32]:
    return np.nextafter(values.astype(np.float32), np.float32(-np.inf))


def _round_up(values: FloatArray) -> NDArray[np.float32]:
    return np.nextafter(values.astype(np.float32), np.float32(np.inf))


class PointsField(Field):
    """Distance to the nearest of a set of objects (points with an extent), less the extent."""

    kind = "points"

    def __init__(self, lon: FloatArray, lat: FloatArray, extent_m: FloatArray, reach_m: float):
        self.lon, self.lat = np.asarray(lon, float), np.asarray(lat, float)
        self.x, self.y = LCC.forward(self.lon, self.lat)
        self._scale = inverse_scale(self.lat)
        self.extent = np.asarray(extent_m, float)
        super().__init__(reach_m)
        self._extent_max = float(self.extent.max() * K_MAX) if len(self.extent) else 0.0
        self.build()

    def _primitive_shapes(self) -> NDArray[np.object_]:
        return np.asarray(shapely.points(self.x, self.y))

    def _pair_distance(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, prim: IntArray
    ) -> FloatArray:
        distance = projected_distance_m(x, y, lat, self.x[prim], self.y[prim], self.lat[prim])
        return np.asarray(np.maximum(distance - self.extent[prim], 0.0), dtype=np.float64)

    def _nearest_listed(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, local: IntArray
    ) -> tuple[FloatArray, IntArray]:
        objects = (self.x, self.y, self.lat, self._scale, self.extent)
        return nearest_points(x, y, lat, local, self.start, self.items, objects)

    def bbox(self) -> tuple[float, float, float, float]:
        """Longitude/latitude box of the objects."""
        return (
            float(self.lon.min()),
            float(self.lat.min()),
            float(self.lon.max()),
            float(self.lat.max()),
        )

    def feature_of(self, primitive: IntArray) -> IntArray:
        """Objects are their own primitives."""
        return primitive


class Segments:
    """The straight segments of lines or rings, projected, with the feature each belongs to."""

    def __init__(self, parts: list[tuple[FloatArray, int]]) -> None:
        ax, ay, alat, bx, by, blat, lons, lats, owner = ([] for _ in range(9))
        for coords, feature in parts:
            lon, lat = coords[:, 0], coords[:, 1]
            x, y = LCC.forward(lon, lat)
            ax.append(x[:-1])
            ay.append(y[:-1])
            alat.append(lat[:-1])
            bx.append(x[1:])
            by.append(y[1:])
            blat.append(lat[1:])
            lons.append(lon)
            lats.append(lat)
            owner.append(np.full(len(lon) - 1, feature, dtype=np.int64))
        self.ax, self.ay, self.alat = np.concatenate(ax), np.concatenate(ay), np.concatenate(alat)
        self.bx, self.by, self.blat = np.concatenate(bx), np.concatenate(by), np.concatenate(blat)
        self.feature = np.concatenate(owner)
        all_lon, all_lat = np.concatenate(lons), np.concatenate(lats)
        self.box = (
            float(all_lon.min()),
            float(all_lat.min()),
            float(all_lon.max()),
            float(all_lat.max()),
        )

    def coordinates(
        self,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """The ends' projected x, y and latitudes: ``ax, ay, alat, bx, by, blat``."""
        return self.ax, self.ay, self.alat, self.bx, self.by, self.blat

    def shapes(self) -> NDArray[np.object_]:
        """The segments as projected shapely line strings."""
        coords = np.stack(
            [np.stack([self.ax, self.ay], axis=1), np.stack([self.bx, self.by], axis=1)], axis=1
        )
        return np.asarray(shapely.linestrings(coords))

    def distance(self, x: FloatArray, y: FloatArray, lat: FloatArray, prim: IntArray) -> FloatArray:
        """Distances (metres) from points to segments, element-wise."""
        return segment_distance_m(
            x,
            y,
            lat,
            self.ax[prim],
            self.ay[prim],
            self.alat[prim],
            self.bx[prim],
            self.by[prim],
            self.blat[prim],
        )


def line_parts(geometry: BaseGeometry) -> list[FloatArray]:
    """Coordinate arrays of every line or ring of a geometry."""
    if geometry.geom_type in ("LineString", "MultiLineString"):
        lines = shapely.get_parts(geometry)
    else:
        lines = shapely.get_parts(shapely.boundary(geometry))
    return [np.asarray(shapely.get_coordinates(line)) for line in lines if not line.is_empty]


class SegmentsField(Field):
    """A field whose primitives are line segments (of lines, or of zone edges)."""

    segments: Segments

    def _primitive_shapes(self) -> NDArray[np.object_]:
        return self.segments.shapes()

    def _pair_distance(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, prim: IntArray
    ) -> FloatArray:
        return self.segments.distance(x, y, lat, prim)

    def _nearest_listed(
        self, x: FloatArray, y: FloatArray, lat: FloatArray, local: IntArray
    ) -> tuple[FloatArray, IntArray]:
        return nearest_segments(
            x, y, lat, local, self.start, self.items, self.segments.coordinates()
        )

    def bbox(self) -> tuple[float, float, float, float]:
        """Longitude/latitude box of the segments."""
        return self.segments.box


class LinesField(SegmentsField):
    """Distance to the nearest point of a set of lines."""

    kind = "lines"

    def __init__(self, geometries: list[BaseGeometry], reach_m: float) -> None:
        parts = [(coords, i) for i, g in enumerate(geometries) for coords in line_parts(g)]
        self.segments = Segments(parts)
        super().__init__(reach_m)
        self.build()

    def feature_of(self, primitive: IntArray) -> IntArray:
        """The line feature a segment belongs to."""
        return np.where(primitive >= 0, self.segments.feature[np.maximum(primitive, 0)], -1)
