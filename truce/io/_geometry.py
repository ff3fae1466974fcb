"""Geometry helpers of the readers: covering circles of areas, and WKB points.

An area becomes a reference point and a radius: the smallest circle around that point that covers
the whole area. The point is the centre of the area's minimum bounding circle (computed in an
azimuthal equidistant projection centred on the area) when that centre lies in the area, else the
point of the area nearest to it, so the point is always in the area. The radius is the largest
geodesic (WGS84) distance from the point to any vertex of the area, rounded up to the metre.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import Point
from shapely.ops import nearest_points

_GEOD = Geod(ellps="WGS84")


def covering_circle(area: Any) -> tuple[float, float, float]:
    """``(lon, lat, radius_m)`` of the covering circle of a lon/lat (Multi)Polygon or collection."""
    if area.is_empty:
        raise ValueError("empty geometry")
    centroid = area.convex_hull.centroid
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={centroid.y} +lon_0={centroid.x} +datum=WGS84 +units=m"
    )
    forward = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    hull = _project(area.convex_hull, forward)
    circle = shapely.minimum_bounding_circle(hull)
    centre = _project(circle.centroid if not circle.is_empty else hull.centroid, back)
    point = centre if area.covers(centre) else nearest_points(area, centre)[0]
    return float(point.x), float(point.y), radius_from(area, float(point.x), float(point.y))


def _project(geometry: Any, transformer: Transformer) -> Any:
    def apply(xy: np.ndarray) -> np.ndarray:
        """The coordinates, transformed."""
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, apply)


def radius_from(area: Any, lon: float, lat: float) -> float:
    """The geodesic distance in metres from (lon, lat) to the farthest vertex of ``area``."""
    coords = shapely.get_coordinates(area)
    if len(coords) == 0:
        return 0.0
    count = len(coords)
    _, _, distances = _GEOD.inv(
        np.full(count, lon), np.full(count, lat), coords[:, 0], coords[:, 1]
    )
    return float(math.ceil(float(np.max(distances))))


def point_geometry(lon: float, lat: float) -> Any:
    """A shapely point."""
    return Point(lon, lat)


def wkb_points(lon: pa.Array, lat: pa.Array) -> pa.Array:
    """Little-endian WKB points from two float64 arrays; null where either is null."""
    count = len(lon)
    record = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])
    packed = np.zeros(count, dtype=record)
    packed["order"] = 1
    packed["kind"] = 1
    packed["x"] = lon.to_numpy(zero_copy_only=False)
    packed["y"] = lat.to_numpy(zero_copy_only=False)
    valid = pc.and_(pc.is_valid(lon), pc.is_valid(lat))
    mask = pc.invert(valid).to_numpy(zero_copy_only=False)
    buffers = [None, pa.py_buffer(packed.tobytes())]
    fixed = pa.Array.from_buffers(pa.binary(21), count, buffers)
    binary = fixed.cast(pa.binary())
    return pc.if_else(pa.array(mask), pa.nulls(count, pa.binary()), binary)
