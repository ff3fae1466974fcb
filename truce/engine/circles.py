"""Precision circles against limits: certainly within, certainly beyond, or straddling, and how
much of the circle lies within.

An event located at field value ``f`` (a distance, or a signed distance to a zone's edge) with a
precision circle of radius ``p`` is certainly within a limit ``R`` when ``f + p <= R`` and
certainly beyond it when ``f - p > R``. In between, the circle straddles the limit, and the share
of it on the near side is computed in closed form: exactly for one round object (the lens where
two discs meet), and for lines and zone edges with the edge taken as straight at the scale of
the circle.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from truce.engine.grid import FloatArray

BEYOND, STRADDLES, WITHIN = 0, 1, 2


def circle_status(
    f: FloatArray, precision: FloatArray, limit: FloatArray | float
) -> NDArray[np.int8]:
    """WITHIN, STRADDLES or BEYOND for each event."""
    within = f + precision <= limit
    beyond = f - precision > limit
    return np.where(within, WITHIN, np.where(beyond, BEYOND, STRADDLES)).astype(np.int8)


def half_plane_share(offset: FloatArray, radius: FloatArray) -> FloatArray:
    """Share of a disc of ``radius`` lying at most ``offset`` beyond its centre along an axis."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.asarray(offset, dtype=np.float64) / radius, -1.0, 1.0)
    t = np.where(np.asarray(radius) > 0, t, np.where(np.asarray(offset) >= 0, 1.0, -1.0))
    return (np.arccos(-t) + t * np.sqrt(1.0 - t * t)) / np.pi


def strip_share(f: FloatArray, precision: FloatArray, limit: FloatArray | float) -> FloatArray:
    """Share of a circle within ``limit`` of a straight line it lies ``f`` from."""
    return half_plane_share(limit - f, precision) - half_plane_share(-limit - f, precision)


def zone_share(f: FloatArray, precision: FloatArray) -> FloatArray:
    """Share of a circle inside a zone whose straight edge it lies ``f`` from (negative inside)."""
    return half_plane_share(-np.asarray(f, dtype=np.float64), precision)


def disc_share(centre_distance: FloatArray, precision: FloatArray, reach: FloatArray) -> FloatArray:
    """Share of a circle of radius ``precision`` within ``reach`` of a point ``centre_distance``
    away (the area where the two discs meet, over the circle's area)."""
    d = np.asarray(centre_distance, dtype=np.float64)
    r1 = np.asarray(precision, dtype=np.float64) + np.zeros_like(d)
    r2 = np.asarray(reach, dtype=np.float64) + np.zeros_like(d)
    share = np.zeros_like(d)
    inside = d + r1 <= r2
    share[inside] = 1.0
    holds = (d + r2 <= r1) & ~inside
    with np.errstate(divide="ignore", invalid="ignore"):
        share[holds] = (r2[holds] / r1[holds]) ** 2
        lens = ~inside & ~holds & (d < r1 + r2) & (r1 > 0)
        a, b, c = d[lens], r1[lens], r2[lens]
        part1 = b * b * np.arccos(np.clip((a * a + b * b - c * c) / (2 * a * b), -1, 1))
        part2 = c * c * np.arccos(np.clip((a * a + c * c - b * b) / (2 * a * c), -1, 1))
        kite = 0.5 * np.sqrt(
            np.clip((-a + b + c) * (a + b - c) * (a - b + c) * (a + b + c), 0.0, None)
        )
        share[lens] = (part1 + part2 - kite) / (np.pi * b * b)
    return np.clip(share, 0.0, 1.0)
