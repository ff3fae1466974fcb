"""Compiled loops of the check engine (numba, cached on disk).

Joining the texts of findings (:func:`gather_texts`): each explanation is a dozen pieces, each
a text picked by a code from a small table (a constant, a rounded distance, an object's
description) or one text per row (an event id). A ``take`` of pyarrow does it too, but only
after widening every code into one array, and through a string builder; compiled, each piece
is one ``memcpy`` straight into the final buffer, half the time.

Numbers in those texts (minute stamps, distances) are written as bytes by compiled formatters
(:func:`minute_stamps`, :func:`metre_texts`), saying each value exactly as the Python words of
:mod:`truce.engine.timing` and :mod:`truce.engine.explain` do.

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
    return _geodesic_from(
        planar,
        lat_a,
        _inverse_scale(lat_a, table, slopes, per_degree),
        lat_b,
        _inverse_scale(lat_b, table, slopes, per_degree),
        table,
        slopes,
        per_degree,
    )


@compiled
def _geodesic_from(
    planar: float,
    lat_a: float,
    scale_a: float,
    lat_b: float,
    scale_b: float,
    table: FloatArray,
    slopes: FloatArray,
    per_degree: float,
) -> float:
    """:func:`_geodesic` given the ends' 1/k already (``_inverse_scale`` of ``lat_a`` and
    ``lat_b``): the same operations in the same order, so the same value to the bit."""
    middle = _inverse_scale((lat_a + lat_b) * 0.5, table, slopes, per_degree)
    mean = scale_a + 4.0 * middle + scale_b
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
    oscale: FloatArray,
    extent: FloatArray,
    table: FloatArray,
    slopes: FloatArray,
    per_degree: float,
    best: FloatArray,
    chosen: IntArray,
) -> None:
    for event in range(len(px)):
        cell = local[event]
        lat = plat[event]
        scale = _inverse_scale(lat, table, slopes, per_degree)
        found = -1
        nearest = np.inf
        for position in range(start[cell], start[cell + 1]):
            obj = items[position]
            planar = math.hypot(ox[obj] - px[event], oy[obj] - py[event])
            distance = _geodesic_from(
                planar, lat, scale, olat[obj], oscale[obj], table, slopes, per_degree
            )
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
        lat = plat[event]
        scale = _inverse_scale(lat, table, slopes, per_degree)
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
            distance = _geodesic_from(
                planar,
                lat,
                scale,
                nlat,
                _inverse_scale(nlat, table, slopes, per_degree),
                table,
                slopes,
                per_degree,
            )
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
    objects: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, IntArray]:
    """For projected points in cells ``local`` (each with a non-empty list ``items[start[c]:
    start[c + 1]]``), the geodesic distance to the nearest listed object less its extent (at
    least 0) and that object; ``objects`` are their projected x, y, latitude, 1/k there (from
    :func:`truce.geodesy.inverse_scale`, which the compiled loops equal to the bit) and extent."""
    best = np.empty(len(x))
    chosen = np.empty(len(x), dtype=np.int64)
    ox, oy, olat, oscale, extent = objects
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
        oscale,
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


@compiled
def _put_int(out: NDArray[np.uint8], at: int, value: int) -> int:
    """Writes ``value`` in decimal (a '-' first when negative) at ``out[at]``; returns where
    the writing stopped."""
    if value < 0:
        out[at] = 45
        at += 1
        value = -value
    digits = 1
    rest = value
    while rest >= 10:
        rest //= 10
        digits += 1
    end = at + digits
    for place in range(digits):
        out[end - 1 - place] = 48 + value % 10
        value //= 10
    return end


@compiled
def _put_bytes(out: NDArray[np.uint8], at: int, text: NDArray[np.uint8]) -> int:
    """Writes the bytes ``text`` at ``out[at]``; returns where the writing stopped."""
    size: int = text.shape[0]
    for index in range(size):
        out[at + index] = text[index]
    return at + size


@compiled
def _put_padded(out: NDArray[np.uint8], at: int, value: int, width: int) -> int:
    """Writes the non-negative ``value`` in ``width`` decimal digits (zeros in front)."""
    for place in range(width):
        out[at + width - 1 - place] = 48 + value % 10
        value //= 10
    return at + width


STAMP_WIDTH = 17
"""Bytes of a minute stamp, '2025-03-19 00:20Z'."""


@compiled
def _stamps(minutes: IntArray, out: NDArray[np.uint8]) -> None:
    for row in range(minutes.shape[0]):
        days, minute = divmod(minutes[row], 1440)
        # civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted)
        shifted = days + 719468
        era = shifted // 146097
        day_of_era = shifted - era * 146097
        year_of_era = (
            day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
        ) // 365
        day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
        month_code = (5 * day_of_year + 2) // 153
        day = day_of_year - (153 * month_code + 2) // 5 + 1
        month = month_code + 3 if month_code < 10 else month_code - 9
        year = year_of_era + era * 400 + (1 if month <= 2 else 0)
        at = row * STAMP_WIDTH
        at = _put_padded(out, at, year, 4)
        out[at] = 45
        at = _put_padded(out, at + 1, month, 2)
        out[at] = 45
        at = _put_padded(out, at + 1, day, 2)
        out[at] = 32
        at = _put_padded(out, at + 1, minute // 60, 2)
        out[at] = 58
        at = _put_padded(out, at + 1, minute % 60, 2)
        out[at] = 90


def minute_stamps(minutes: IntArray) -> NDArray[np.uint8]:
    """Minutes since 1970 as '2025-03-19 00:20Z', :data:`STAMP_WIDTH` bytes per value, one
    after the other (years 1000 to 9999)."""
    minutes = np.ascontiguousarray(minutes, dtype=np.int64)
    out = np.empty(len(minutes) * STAMP_WIDTH, dtype=np.uint8)
    _stamps(minutes, out)
    return out


_M = np.frombuffer(b" m", dtype=np.uint8)
_KM = np.frombuffer(b" km", dtype=np.uint8)


@compiled
def _metres(metres: IntArray, offsets: IntArray, out: NDArray[np.uint8], m: Any, km: Any) -> None:
    at = 0
    offsets[0] = 0
    for row in range(metres.shape[0]):
        value = metres[row]
        if value < 1000:
            at = _put_bytes(out, _put_int(out, at, value), m)
        else:
            at = _put_int(out, at, value // 1000)
            out[at] = 46
            at = _put_bytes(out, _put_int(out, at + 1, (value % 1000) // 100), km)
        offsets[row + 1] = at


def metre_texts(metres: IntArray) -> tuple[IntArray, NDArray[np.uint8]]:
    """Whole metres as '850 m' (under a kilometre) or '12.3 km' (whole hundreds of metres from
    a kilometre on): where each text ends (after a leading 0) and their bytes."""
    metres = np.ascontiguousarray(metres, dtype=np.int64)
    offsets = np.empty(len(metres) + 1, dtype=np.int64)
    out = np.empty(len(metres) * 24, dtype=np.uint8)
    _metres(metres, offsets, out, _M, _KM)
    return offsets, out[: offsets[-1]]


def warm() -> None:
    """Load the compiled loops (from numba's disk cache, or compiling them the first time):
    a third of a second once per process, paid when an engine is set up rather than inside
    the first batch (the text joining ones too: compiling those in the first batch cost
    about 0.6 s of a first run)."""
    none = np.zeros(0)
    nowhere = np.zeros(0, dtype=np.int64)
    start = np.zeros(1, dtype=np.int32)
    items = np.zeros(0, dtype=np.int32)
    nearest_points(none, none, none, nowhere, start, items, (none, none, none, none, none))
    nearest_segments(none, none, none, nowhere, start, items, (none, none, none, none, none, none))
    codes = np.zeros((1, 0), dtype=np.int64)
    offsets = text_offsets(codes, nowhere, nowhere)
    gather_texts(codes, nowhere, nowhere, np.zeros(0, dtype=np.uint8), offsets)
    minute_stamps(nowhere)
    metre_texts(nowhere)
