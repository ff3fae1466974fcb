"""Compiled loops of the check engine (numba, cached on disk).

Joining the texts of findings (:func:`gather_texts`): each explanation is a dozen pieces, each
a text picked by a code from a small table (a constant, a rounded distance, an object's
description) or one text per row (an event id). A ``take`` of pyarrow does it too, but only
after widening every code into one array, and through a string builder; compiled, each piece
is one ``memcpy`` straight into the final buffer, half the time.

The exact distance of an event in an undecided raster cell is the smallest over the cell's short
list of candidates (objects or segments). In numpy that means forming every (event, candidate)
pair, gathering nine coordinates per pair and reducing by event with ``minimum.at``; compiled,
each event walks its cell's list once and keeps the nearest. The arithmetic is that of
:func:`truce.geodesy.projected_distance_m` and :func:`truce.geodesy.segment_distance_m`,
operation for operation (IEEE, no fast-math), so the results are the same to the last bit, and
ties go to the first candidate of the list as they did.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numpy.typing import NDArray

from truce.geodesy import inverse_scale_table

_F = TypeVar("_F", bound=Callable[..., Any])

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def compiled(function: _F) -> _F:
    """``function`` compiled by numba (cached on disk, releasing the GIL, IEEE division: x/0
    is inf or nan as in numpy), same signature."""
    return cast(_F, njit(cache=True, nogil=True, error_model="numpy")(function))


_TABLE, _SLOPES, _PER_DEGREE = inverse_scale_table()


@compiled
def _inverse_scale(lat: float, table: FloatArray, slopes: FloatArray, per_degree: float) -> float:
    position = (min(max(lat, -80.0), 80.0) + 80.0) * per_degree
    index = int(position)
    return float(table[index] + (position - index) * slopes[index])


@compiled
def _geodesic(
    planar: float,
    lat_a: float,
    lat_b: float,
    table: FloatArray,
    slopes: FloatArray,
    per_degree: float,
) -> float:
    middle = _inverse_scale((lat_a + lat_b) * 0.5, table, slopes, per_degree)
    mean = (
        _inverse_scale(lat_a, table, slopes, per_degree)
        + 4.0 * middle
        + _inverse_scale(lat_b, table, slopes, per_degree)
    )
    return planar * mean / 6.0


@compiled
def _nearest_points(
    px: FloatArray,
    py: FloatArray,
    plat: FloatArray,
    local: IntArray,
    start: NDArray[np.int32],
    items: NDArray[np.int32],
    ox: FloatArray,
    oy: FloatArray,
    olat: FloatArray,
    extent: FloatArray,
    table: FloatArray,
    slopes: FloatArray,
    per_degree: float,
    best: FloatArray,
    chosen: IntArray,
) -> None:
    for event in range(len(px)):
        cell = local[event]
        found = -1
        nearest = np.inf
        for position in range(start[cell], start[cell + 1]):
            obj = items[position]
            planar = math.hypot(ox[obj] - px[event], oy[obj] - py[event])
            distance = _geodesic(planar, plat[event], olat[obj], table, slopes, per_degree)
            distance = max(distance - extent[obj], 0.0)
            if found < 0 or distance < nearest:
                found, nearest = obj, distance
        best[event], chosen[event] = nearest, found


@compiled
def _nearest_segments(
    px: FloatArray,
    py: FloatArray,
    plat: FloatArray,
    local: IntArray,
    start: NDArray[np.int32],
    items: NDArray[np.int32],
    ax: FloatArray,
    ay: FloatArray,
    alat: FloatArray,
    bx: FloatArray,
    by: FloatArray,
    blat: FloatArray,
    table: FloatArray,
    slopes: FloatArray,
    per_degree: float,
    best: FloatArray,
    chosen: IntArray,
) -> None:
    for event in range(len(px)):
        cell = local[event]
        x, y = px[event], py[event]
        found = -1
        nearest = np.inf
        for position in range(start[cell], start[cell + 1]):
            seg = items[position]
            dx, dy = bx[seg] - ax[seg], by[seg] - ay[seg]
            length2 = dx * dx + dy * dy
            t = ((x - ax[seg]) * dx + (y - ay[seg]) * dy) / length2
            if math.isnan(t) or t < 0.0:
                t = 0.0
            elif t > 1.0:
                t = 1.0
            nx, ny = ax[seg] + t * dx, ay[seg] + t * dy
            nlat = alat[seg] + t * (blat[seg] - alat[seg])
            planar = math.hypot(nx - x, ny - y)
            distance = _geodesic(planar, plat[event], nlat, table, slopes, per_degree)
            if found < 0 or distance < nearest:
                found, nearest = seg, distance
        best[event], chosen[event] = nearest, found


def nearest_points(
    x: FloatArray,
    y: FloatArray,
    lat: FloatArray,
    local: IntArray,
    start: NDArray[np.int32],
    items: NDArray[np.int32],
    objects: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, IntArray]:
    """For projected points in cells ``local`` (each with a non-empty list ``items[start[c]:
    start[c + 1]]``), the geodesic distance to the nearest listed object less its extent (at
    least 0) and that object; ``objects`` are their projected x, y, latitude and extent."""
    best = np.empty(len(x))
    chosen = np.empty(len(x), dtype=np.int64)
    ox, oy, olat, extent = objects
    _nearest_points(
        _float(x),
        _float(y),
        _float(lat),
        np.ascontiguousarray(local, dtype=np.int64),
        start,
        items,
        ox,
        oy,
        olat,
        extent,
        _TABLE,
        _SLOPES,
        _PER_DEGREE,
        best,
        chosen,
    )
    return best, chosen


def nearest_segments(
    x: FloatArray,
    y: FloatArray,
    lat: FloatArray,
    local: IntArray,
    start: NDArray[np.int32],
    items: NDArray[np.int32],
    segments: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, IntArray]:
    """As :func:`nearest_points`, the distance to the nearest listed segment (its ends'
    projected x, y and latitude: ``ax, ay, alat, bx, by, blat``) and that segment."""
    best = np.empty(len(x))
    chosen = np.empty(len(x), dtype=np.int64)
    _nearest_segments(
        _float(x),
        _float(y),
        _float(lat),
        np.ascontiguousarray(local, dtype=np.int64),
        start,
        items,
        *segments,
        _TABLE,
        _SLOPES,
        _PER_DEGREE,
        best,
        chosen,
    )
    return best, chosen


def _float(values: FloatArray) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _copy_typed(typingctx: Any, target: Any, at: Any, source: Any, start: Any, size: Any) -> Any:
    """``target[at:at + size] = source[start:start + size]`` for byte arrays, as one memcpy."""
    signature = types.void(target, at, source, start, size)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        into = context.make_array(sig.args[0])(context, builder, args[0])
        read = context.make_array(sig.args[2])(context, builder, args[2])
        memcpy: Any = cgutils.raw_memcpy
        memcpy(
            builder,
            builder.gep(into.data, [args[1]]),
            builder.gep(read.data, [args[3]]),
            args[4],
            1,
        )
        return context.get_dummy_value()

    return signature, codegen


_copy: Any = intrinsic(_copy_typed)


@compiled
def _text_offsets(codes: IntArray, starts: IntArray, ends: IntArray, offsets: IntArray) -> None:
    offsets[0] = 0
    for row in range(codes.shape[1]):
        size = 0
        for piece in range(codes.shape[0]):
            code = codes[piece, row]
            size += ends[code] - starts[code]
        offsets[row + 1] = offsets[row] + size


@compiled
def _gather(
    codes: IntArray,
    starts: IntArray,
    ends: IntArray,
    data: NDArray[np.uint8],
    out: NDArray[np.uint8],
) -> None:
    at = 0
    for row in range(codes.shape[1]):
        for piece in range(codes.shape[0]):
            code = codes[piece, row]
            size = ends[code] - starts[code]
            _copy(out, at, data, starts[code], size)
            at += size


def text_offsets(codes: IntArray, starts: IntArray, ends: IntArray) -> IntArray:
    """Where each row's text starts in the joined bytes (and where the last ends), when row
    ``i`` is the concatenation of ``data[starts[c]:ends[c]]`` for the codes ``c = codes[:, i]``
    (a piece per row of ``codes``), in order."""
    offsets = np.empty(codes.shape[1] + 1, dtype=np.int64)
    _text_offsets(codes, starts, ends, offsets)
    return offsets


def gather_texts(
    codes: IntArray,
    starts: IntArray,
    ends: IntArray,
    data: NDArray[np.uint8],
    offsets: IntArray,
) -> NDArray[np.uint8]:
    """The joined bytes of the rows :func:`text_offsets` measured (``offsets``)."""
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    _gather(codes, starts, ends, data, out)
    return out


def warm() -> None:
    """Load the compiled loops (from numba's disk cache, or compiling them the first time):
    a third of a second once per process, paid when an engine is set up rather than inside
    the first batch (the text joining ones too: compiling those in the first batch cost
    about 0.6 s of a first run)."""
    none = np.zeros(0)
    nowhere = np.zeros(0, dtype=np.int64)
    start = np.zeros(1, dtype=np.int32)
    items = np.zeros(0, dtype=np.int32)
    nearest_points(none, none, none, nowhere, start, items, (none, none, none, none))
    nearest_segments(none, none, none, nowhere, start, items, (none, none, none, none, none, none))
    codes = np.zeros((1, 0), dtype=np.int64)
    offsets = text_offsets(codes, nowhere, nowhere)
    gather_texts(codes, nowhere, nowhere, np.zeros(0, dtype=np.uint8), offsets)
