"""Zones as distance fields: signed distance to the edge of the union of some areas (negative
inside), and which area holds a point."""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from truce.engine.fields import BLOCK, K_MAX, NARROW_M, Segments, SegmentsField, line_parts
from truce.engine.grid import FloatArray, IntArray, Window
from truce.geodesy import LCC


class ZoneField(SegmentsField):
    """Signed distance to the edge of the union of some areas: negative inside, positive outside.

    Besides the field, a zone knows which of its areas holds a point (its *owner*): from the cell
    where the cell lies wholly inside one area, else by testing the areas.
    """

    kind = "zone"

    def __init__(self, geometries: list[BaseGeometry]) -> None:
        self.features = list(geometries)
        self.union = shapely.union_all(self.features)
        shapely.prepare(self.union)
        self.segments = Segments([(coords, -1) for coords in line_parts(self.union)])
        self.edges = Segments(
            [(coords, i) for i, g in enumerate(self.features) for coords in line_parts(g)]
        )
        self._edge_tree = shapely.STRtree(self.edges.shapes())
        self._boxes: list[tuple[float, float, float, float]] = [
            (float(w), float(s), float(e), float(n)) for w, s, e, n in shapely.bounds(self.features)
        ]
        for feature in self.features:
            shapely.prepare(feature)
        self.owner = np.zeros(0, dtype=np.int32)
        super().__init__(0.0)
        self.build()

    def feature_of(self, primitive: IntArray) -> IntArray:
        """Edges of the union belong to no single area."""
        return np.full(len(primitive), -1, dtype=np.int64)

    def _sign(self, lon: FloatArray, lat: FloatArray, distance: FloatArray) -> FloatArray:
        inside = shapely.contains_xy(self.union, lon, lat)
        return np.where(inside, -distance, distance)

    def _csr_wanted(self, f: FloatArray, half: FloatArray) -> NDArray[np.bool_]:
        return np.abs(f) - half <= NARROW_M

    def _owner_margin(self, lon: FloatArray, lat: FloatArray) -> FloatArray:
        """A lower bound of the distance to the edge of any single area."""
        if len(self.features) == 1 or len(lon) == 0:
            return np.full(len(lon), np.inf)
        x, y = LCC.forward(lon, lat)
        (query, _), planar = self._edge_tree.query_nearest(
            shapely.points(x, y), return_distance=True, all_matches=False
        )
        margin = np.empty(len(lon))
        margin[query] = planar / K_MAX
        return margin

    def _refine_wanted(
        self, f: FloatArray, half: FloatArray, lon: FloatArray, lat: FloatArray
    ) -> NDArray[np.bool_]:
        near_edge = np.abs(f) - half <= NARROW_M
        inside = np.flatnonzero((f < 0) & ~near_edge)
        shared = np.zeros(len(f), dtype=bool)
        shared[inside] = self._owner_margin(lon[inside], lat[inside]) <= half[inside] + NARROW_M
        return near_edge | shared

    def _containing(self, lon: FloatArray, lat: FloatArray) -> IntArray:
        """The first area holding each point (strictly inside: a point on an area's edge is
        not held by it), -1 for none.

        The points are sorted by longitude once; each area then tests, with its prepared
        geometry and no point objects, only the points in the longitude range of its box and
        not yet owned by an earlier area.
        """
        owner = np.full(len(lon), -1, dtype=np.int64)
        if len(lon) == 0:
            return owner
        order = np.argsort(lon, kind="stable")
        sorted_lon = lon[order]
        for area, (west, south, east, north) in enumerate(self._boxes):
            first = int(np.searchsorted(sorted_lon, west, side="left"))
            last = int(np.searchsorted(sorted_lon, east, side="right"))
            if last <= first:
                continue
            span = order[first:last]
            span = span[(owner[span] < 0) & (lat[span] >= south) & (lat[span] <= north)]
            if len(span):
                held = shapely.contains_xy(self.features[area], lon[span], lat[span])
                owner[span[held]] = area
        return owner

    def _coarse_done(
        self,
        lon: FloatArray,
        lat: FloatArray,
        f: FloatArray,
        half: FloatArray,
        refine: NDArray[np.bool_],
        coarse: Window,
    ) -> None:
        self.owner = np.full(self.window.size, -1, dtype=np.int32)
        settled = np.flatnonzero(~refine & (f < 0))
        block_owner = np.full(coarse.size, -1, dtype=np.int32)
        block_owner[settled] = self._containing(lon[settled], lat[settled])
        grid = block_owner.reshape(coarse.ny, coarse.nx)
        self.owner = np.repeat(np.repeat(grid, BLOCK, 0), BLOCK, 1).reshape(-1).copy()

    def _fine_done(
        self, cells: IntArray, lon: FloatArray, lat: FloatArray, f: FloatArray, half: FloatArray
    ) -> None:
        inside = np.flatnonzero(f < 0)
        owner = np.full(len(cells), -1, dtype=np.int64)
        owner[inside] = self._containing(lon[inside], lat[inside])
        unsure = (np.abs(f) - half <= NARROW_M) | (self._owner_margin(lon, lat) <= half + NARROW_M)
        owner[unsure] = -1
        self.owner[cells] = owner

    def owners(self, lon: FloatArray, lat: FloatArray, local: IntArray) -> IntArray:
        """The area holding each point, else the area whose edge is nearest."""
        safe = np.where(local >= 0, local, 0)
        owner = np.where(local >= 0, self.owner[safe], -1).astype(np.int64)
        unknown = np.flatnonzero(owner < 0)
        if len(unknown):
            owner[unknown] = self._containing(lon[unknown], lat[unknown])
        outside = np.flatnonzero(owner < 0)
        if len(outside):
            x, y = LCC.forward(lon[outside], lat[outside])
            (query, edge) = self._edge_tree.query_nearest(shapely.points(x, y), all_matches=False)
            owner[outside[query]] = self.edges.feature[edge]
        return owner
