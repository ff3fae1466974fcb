"""Vectorised row checks of an event batch, and places from a WKB geometry column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from truce.events.model import AREA_PRECISIONS, OUTCOMES
from truce.io._arrow import in_calendar
from truce.io._geometry import covering_circle
from truce.vocabulary import EVENT_KINDS, OBJECT_CLASSES, WEAPON_CLASSES

Check = tuple[str, pa.Array, str]


def _known(column: pa.Array, allowed: list[str], nullable: bool) -> pa.Array:
    inside = pc.is_in(column, value_set=pa.array(allowed, pa.string()))
    if nullable:
        inside = pc.or_kleene(pc.is_null(column), inside)
    return pc.fill_null(inside, False)


def _range(column: pa.Array, low: float, high: float | None) -> pa.Array:
    ok = pc.greater_equal(column, low)
    if high is not None:
        ok = pc.and_(ok, pc.less_equal(column, high))
    return pc.fill_null(pc.or_kleene(pc.is_null(column), ok), False)


def safe_value(scalar: Any) -> Any:
    """A scalar as a Python value, or its raw storage value when Python cannot hold it."""
    try:
        return scalar.as_py()
    except (OverflowError, ValueError):
        value = getattr(scalar, "value", None)
        return value if value is not None else f"<{scalar.type} out of range>"


def row_checks(events: pa.RecordBatch) -> list[Check]:
    """(column, passes, expected) for every rule an event row must meet, in reporting order."""
    col = events.column
    checks: list[Check] = [
        (name, pc.is_valid(col(name)), "a value")
        for name in ("event_id", "source", "source_record", "time_start", "time_end")
    ]
    checks += [(name, pc.is_valid(col(name)), "a value") for name in ("time_zone", "claims")]
    vocabularies = (
        ("kind", EVENT_KINDS, False, "a slug of EVENT_KINDS"),
        ("weapon_class", WEAPON_CLASSES, True, "a slug of WEAPON_CLASSES"),
        ("target_class", OBJECT_CLASSES, True, "a slug of OBJECT_CLASSES"),
        ("outcome", OUTCOMES, False, "one of " + ", ".join(OUTCOMES)),
        ("area_precision", AREA_PRECISIONS, False, "one of " + ", ".join(AREA_PRECISIONS)),
    )
    checks += [
        (name, _known(col(name), list(allowed), nullable), expected)
        for name, allowed, nullable, expected in vocabularies
    ]
    checks += [
        (name, in_calendar(col(name)), "a time between the years 1 and 9999")
        for name in ("time_start", "time_end")
    ]
    both = pc.equal(pc.is_null(col("lon")), pc.is_null(col("lat")))
    ordered = pc.fill_null(pc.greater_equal(col("time_end"), col("time_start")), False)
    checks += [
        ("time_precision", pc.is_valid(col("time_precision")), "a value"),
        ("lat", _range(col("lat"), -90, 90), "a number between -90 and 90"),
        ("lon", _range(col("lon"), -180, 180), "a number between -180 and 180"),
        ("lon", both, "lon and lat both or neither"),
        ("precision_m", _range(col("precision_m"), 0, None), "a distance of 0 metres or more"),
        ("time_end", ordered, "a time not before time_start"),
    ]
    checks += [
        (name, _range(col(name), 0, None), "a whole number of 0 or more")
        for name in ("deaths", "injured", "quantity")
    ]
    checks += [(name, pc.is_valid(col(name)), "a text") for name in ("text", "link", "raw")]
    return checks


def derive_place(geometry: pa.Array) -> dict[str, pa.Array]:
    """``lon``, ``lat`` and ``precision_m`` from WKB geometries (points, or polygon circles)."""
    shapes = shapely.from_wkb(np.asarray(geometry.to_pylist(), dtype=object), on_invalid="ignore")
    lon: list[float | None] = []
    lat: list[float | None] = []
    radius: list[float | None] = []
    for shape in shapes:
        point = _place(shape)
        lon.append(point[0])
        lat.append(point[1])
        radius.append(point[2])
    return {
        "lon": pa.array(lon, pa.float64()),
        "lat": pa.array(lat, pa.float64()),
        "precision_m": pa.array(radius, pa.float64()),
    }


def _place(shape: Any) -> tuple[float | None, float | None, float | None]:
    if shape is None or shape.is_empty:
        return None, None, None
    if shape.geom_type == "Point":
        return float(shape.x), float(shape.y), None
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        try:
            return covering_circle(shape)
        except Exception:  # a malformed polygon gives no place; the row checks then decide
            return None, None, None
    return None, None, None
