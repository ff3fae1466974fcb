"""GeoJSON FeatureCollection of events, streamed feature by feature.

Each feature's ``properties`` are named like the columns of
:data:`~truce.events.model.EVENT_SCHEMA`. Required: ``kind`` and ``time_start``. Times are ISO
8601; one with an offset ('2025-03-19T00:00+02:00', '...Z') is taken as it is, a local one
('2025-03-19T00:00') needs ``time_zone``. Without ``time_end``, a ``time_precision`` of
minute/hour/day/week/month/year widens the time to that local calendar unit; otherwise the
event is an instant. ``claims`` is a list of ``{claimant, perpetrator, note}`` objects.

Geometry: a Point gives lon/lat; a Polygon or MultiPolygon gives a point in it and the radius
covering it (``area_precision`` defaults to ``unknown`` then); no geometry is allowed when
``area_id`` names an area of the area layer (its point and radius are used) or no point is
known at all. ``event_id`` defaults to ``<source>:<feature id or number>`` and ``source`` to the
file's name. ``raw`` is the feature's JSON text as it stood in the file.

Size limit: one feature may be up to 64 MB of text
(:data:`truce.io._json_stream.MAX_FEATURE_CHARS`); the file as a whole is never held in memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from pyproj.exceptions import ProjError
from shapely.errors import ShapelyError
from shapely.geometry import shape

from truce.events.model import Claim, Event, FieldError, ReadResult, Rejected
from truce.instant import zone_info
from truce.io._areas import AreaLayer, load_areas
from truce.io._geometry import covering_circle
from truce.io._json_stream import RawFeature, iter_features
from truce.io._source import ReadOptions, chunked, convert_one, existing_file, open_binary
from truce.io._time import CALENDAR_UNITS, calendar_interval, check_zone, resolve_local


def read_geojson(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a GeoJSON FeatureCollection of events as event batches."""
    options = options or ReadOptions()
    source = existing_file(path)
    stream = open_binary(source)
    context = _Context(source, options.areas)
    return chunked(_items(source, stream, context), options.chunk_rows)


class _Context:
    """What converting a feature needs besides the feature: the file and (lazily) the areas."""

    def __init__(self, path: Path, areas: AreaLayer | str | Path | None) -> None:
        self.path = path
        self.default_source = path.name.split(".")[0] or "geojson"
        self._areas_option = areas
        self._areas: AreaLayer | None = None

    @property
    def areas(self) -> AreaLayer:
        """The area layer, loaded on first use."""
        if self._areas is None:
            self._areas = load_areas(self._areas_option)
        return self._areas


def _items(path: Path, stream: Any, context: _Context) -> Iterator[Event | Rejected]:
    with stream:
        for feature in iter_features(path, stream):
            make = partial(_event, feature, context)
            yield convert_one(str(path), feature.number, feature.text, make)


def _event(feature: RawFeature, context: _Context) -> Event:
    value = feature.value
    if not isinstance(value, dict):
        raise FieldError("feature", "a GeoJSON Feature object", type(value).__name__, "bad-json")
    props = value.get("properties") or {}
    if not isinstance(props, dict):
        raise FieldError("properties", "an object", type(props).__name__, "bad-json")
    source = _text(props, "source") or context.default_source
    fallback_id = value.get("id", feature.number)
    record = _text(props, "source_record") or str(fallback_id)
    start, end, zone, precision, notes = _times(props)
    lon, lat, radius, area_id, area_precision = _place(value.get("geometry"), props, context)
    return Event(
        event_id=_text(props, "event_id") or f"{source}:{record}",
        source=source,
        source_record=record,
        time_start=start,
        time_end=end,
        time_zone=zone,
        time_precision=precision,
        lon=lon,
        lat=lat,
        precision_m=radius,
        area_id=area_id,
        area_precision=area_precision,
        kind=_text(props, "kind") or _missing("kind"),
        weapon_class=_text(props, "weapon_class"),
        target=_text(props, "target"),
        target_class=_text(props, "target_class"),
        outcome=_text(props, "outcome") or "unknown",
        claims=_claims(props.get("claims")),
        deaths=_count(props, "deaths"),
        injured=_count(props, "injured"),
        quantity=_count(props, "quantity"),
        text="; ".join(p for p in (_text(props, "text") or "", *notes) if p),
        link=_text(props, "link") or "",
        raw=feature.text,
    )


def _missing(name: str) -> str:
    raise FieldError(name, "a value", "<missing>", "missing-field")


def _text(props: dict[str, Any], name: str) -> str | None:
    value = props.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(name, "a text", value)
    return str(value)


def _number(props: dict[str, Any], name: str) -> float | None:
    value = props.get(name)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError(name, "a number", value, "bad-number") from None
    if not math.isfinite(number):
        raise FieldError(name, "a finite number", value, "bad-number")
    return number


def _count(props: dict[str, Any], name: str) -> int | None:
    number = _number(props, name)
    if number is None:
        return None
    if number != int(number):
        raise FieldError(name, "a whole number", props[name], "bad-number")
    return int(number)


def _times(props: dict[str, Any]) -> tuple[datetime, datetime, str, str, list[str]]:
    given_zone = _text(props, "time_zone")
    zone = check_zone("time_zone", given_zone) if given_zone else "UTC"
    precision = _text(props, "time_precision") or "exact"
    start, start_note = _instant(props, "time_start", zone)
    notes = [start_note] if start_note else []
    if props.get("time_end") not in (None, ""):
        end, end_note = _instant(props, "time_end", zone)
        notes += [end_note] if end_note else []
    elif precision in CALENDAR_UNITS:
        local = start.astimezone(zone_info(zone)).replace(tzinfo=None)
        start, end, more = calendar_interval(local, zone, precision)
        notes += more
    else:
        end = start
    return start, end, zone, precision, notes


def _instant(props: dict[str, Any], name: str, zone: str) -> tuple[datetime, str | None]:
    text = _text(props, name) or _missing(name)
    candidate = text.strip()
    candidate = candidate[:-1] + "+00:00" if candidate.endswith(("Z", "z")) else candidate
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise FieldError(
            name, "an ISO 8601 time such as '2025-03-19T00:00Z'", text, "bad-time"
        ) from None
    if moment.tzinfo is not None:
        return moment, None
    if props.get("time_zone") in (None, ""):
        raise FieldError("time_zone", f"a time zone for the local {name}", "<missing>", "bad-time")
    return resolve_local(moment, zone)


def _place(
    geometry: Any, props: dict[str, Any], context: _Context
) -> tuple[float | None, float | None, float | None, str | None, str]:
    area_id = _text(props, "area_id")
    given = _text(props, "area_precision")
    radius = _number(props, "precision_m")
    if geometry is None:
        area = context.areas.area(area_id) if area_id else None
        if area is None:
            return None, None, radius, area_id, given or "unknown"
        return area.lon, area.lat, area.radius_m, area_id, given or area.precision
    shaped = _shape(geometry)
    if shaped.geom_type == "Point":
        return float(shaped.x), float(shaped.y), radius, area_id, given or "point"
    if shaped.geom_type in ("Polygon", "MultiPolygon"):
        try:
            lon, lat, covering = covering_circle(shaped)
        except (ShapelyError, ProjError, ValueError) as exc:
            raise FieldError(
                "geometry", "a usable polygon", str(exc)[:80], "bad-geometry"
            ) from None
        return lon, lat, max(covering, radius or 0.0), area_id, given or "unknown"
    raise FieldError(
        "geometry", "a Point, Polygon or MultiPolygon", shaped.geom_type, "bad-geometry"
    )


def _shape(geometry: Any) -> Any:
    try:
        shaped = shape(geometry)
    except Exception as exc:  # shapely raises many kinds of errors for malformed input
        raise FieldError("geometry", "a GeoJSON geometry", str(exc)[:80], "bad-geometry") from None
    if shaped.is_empty:
        raise FieldError("geometry", "a non-empty geometry", "an empty one", "bad-geometry")
    west, south, east, north = shaped.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise FieldError(
            "geometry", "coordinates in lon/lat degrees", shaped.wkt[:80], "bad-geometry"
        )
    return shaped


def _claims(value: Any) -> tuple[Claim, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldError("claims", "a list of {claimant, perpetrator, note}", value)
    claims = []
    for item in value:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k, ""), str) for k in ("claimant", "perpetrator", "note")
        ):
            raise FieldError("claims", "objects with text claimant, perpetrator, note", item)
        claims.append(
            Claim(item.get("claimant", ""), item.get("perpetrator", ""), item.get("note", ""))
        )
    return tuple(claims)
