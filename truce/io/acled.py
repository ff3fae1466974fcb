"""ACLED event CSV (the export's own column names; upper- or lower-case).

ACLED's terms do not allow its data to be redistributed, so truce ships none: this reads the files
a user downloads. Conventions (ACLED codebook):

* ``event_date`` is a local calendar date (``2024-03-15``, ``15 March 2024``, ``15/03/2024``), in
  the zone of ``country`` (:data:`COUNTRY_ZONES`). ``time_precision`` 1 means that day; 2 a week
  or weekend around the recorded day, read as the recorded day +-6 days so the week is covered
  whichever day of it ACLED recorded; 3 only the month, read as that calendar month.
* ``geo_precision`` (:data:`GEO_PRECISION`) 1: the named town itself; 2: part of a region or a
  nearby town; 3: only a larger region is known, and the point is its capital. For 3, when
  ``admin1`` is found in the area layer, ``area_id`` is that oblast and the radius covers it.
* ``sub_event_type`` through :func:`truce.events.kinds.acled_kind`; types outside truce's scope
  (protests, agreements, arrests...) are rejected as ``out-of-scope``, not forced into a kind.
* ``actor1``/``actor2`` are not directional in ACLED; the claim recorded is ``ACLED`` naming
  ``actor1``, with both actors and ACLED's sources in the note.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from truce.events.kinds import acled_kind
from truce.events.model import Claim, Event, FieldError, ReadResult
from truce.io._area_csv import read_area_csv
from truce.io._areas import AreaLayer
from truce.io._source import (
    CsvFile,
    CsvRecord,
    ReadOptions,
    parse_count,
    parse_float,
    require_text,
    text_field,
)
from truce.io._time import calendar_interval, local_interval

SOURCE = "acled"

GEO_PRECISION: dict[str, tuple[str, float]] = {
    "1": ("settlement", 5_000),
    "2": ("district", 25_000),
    "3": ("oblast", 150_000),
}
"""ACLED ``geo_precision`` -> (area precision, radius in metres)."""

TIME_PRECISION: dict[str, str] = {"1": "day", "2": "week", "3": "month"}
"""ACLED ``time_precision`` -> truce time precision."""

COUNTRY_ZONES: dict[str, str] = {
    "Ukraine": "Europe/Kyiv",
    "Russia": "Europe/Moscow",
    "Belarus": "Europe/Minsk",
    "Moldova": "Europe/Chisinau",
    "Poland": "Europe/Warsaw",
    "Romania": "Europe/Bucharest",
    "Georgia": "Asia/Tbilisi",
}
"""The zone an ACLED date is a local date in, by ``country`` (otherwise UTC, with a note)."""

REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "sub_event_type",
    "actor1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
)

_DATE_LAYOUTS = ("%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d %b %Y", "%d/%m/%Y")


def read_acled(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream an ACLED CSV export (gzip or not) as event batches."""
    return read_area_csv(
        path, options, encoding="utf-8", required=REQUIRED, what="an ACLED export", to_event=_event
    )


def parse_acled_date(text: str) -> date:
    """An ACLED ``event_date`` in any of the layouts its exports have used."""
    cleaned = " ".join(text.split())
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    for layout in _DATE_LAYOUTS:
        try:
            return datetime.strptime(cleaned, layout).date()
        except ValueError:
            continue
    raise FieldError(
        "event_date", "a date such as '2024-03-15' or '15 March 2024'", text, "bad-date"
    )


def _event(csv_file: CsvFile, record: CsvRecord, areas: AreaLayer) -> Event:
    values = record.values
    record_id = require_text(values, "event_id_cnty")
    sub_type = require_text(values, "sub_event_type")
    mapping = acled_kind(sub_type, text_field(values, "notes"))
    if mapping is None or mapping.kind is None:
        why = mapping.note if mapping is not None else "an ACLED sub-event type"
        raise FieldError("sub_event_type", why, sub_type, "out-of-scope")
    start, end, precision, notes = _interval(values)
    lon, lat, radius, area_id, area_precision = _place(values, areas)
    return Event(
        event_id=f"{SOURCE}:{record_id}",
        source=SOURCE,
        source_record=record_id,
        time_start=start,
        time_end=end,
        time_zone=_zone(values)[0],
        time_precision=precision,
        lon=lon,
        lat=lat,
        precision_m=radius,
        area_id=area_id,
        area_precision=area_precision,
        kind=mapping.kind,
        weapon_class=mapping.weapon_class,
        target="civilians" if text_field(values, "civilian_targeting") else None,
        outcome=mapping.outcome,
        claims=(_claim(values),),
        deaths=parse_count(values, "fatalities"),
        text="; ".join(p for p in (text_field(values, "notes"), mapping.note, *notes) if p),
        raw=csv_file.raw_json(record),
    )


def _zone(values: dict[str, str]) -> tuple[str, str | None]:
    country = text_field(values, "country")
    if country in COUNTRY_ZONES:
        return COUNTRY_ZONES[country], None
    return "UTC", f"no time zone known for country {country!r}: the date is read in UTC"


def _interval(values: dict[str, str]) -> tuple[datetime, datetime, str, list[str]]:
    day = parse_acled_date(require_text(values, "event_date"))
    code = text_field(values, "time_precision") or "1"
    if code not in TIME_PRECISION:
        raise FieldError("time_precision", "1, 2 or 3", code)
    zone, zone_note = _zone(values)
    moment = datetime(day.year, day.month, day.day)
    if code == "2":
        start, end, notes = local_interval(
            moment - timedelta(days=6), moment + timedelta(days=7), zone
        )
    else:
        start, end, notes = calendar_interval(moment, zone, TIME_PRECISION[code])
    return start, end, TIME_PRECISION[code], [n for n in (zone_note, *notes) if n]


def _place(values: dict[str, str], areas: AreaLayer) -> tuple[float, float, float, str | None, str]:
    lat = parse_float(values, "latitude", -90, 90)
    lon = parse_float(values, "longitude", -180, 180)
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        raise FieldError(missing, "a number", "<empty>", "missing-field")
    code = text_field(values, "geo_precision") or "1"
    if code not in GEO_PRECISION:
        raise FieldError("geo_precision", "1, 2 or 3", code)
    precision, radius = GEO_PRECISION[code]
    area_id = None
    if code == "3" and text_field(values, "country") == "Ukraine":
        area = areas.oblast_named(text_field(values, "admin1"))
        if area is not None:
            area_id, radius = area.id, areas.radius_around(area, lon, lat)
    return lon, lat, radius, area_id, precision


def _claim(values: dict[str, str]) -> Claim:
    actor1, actor2 = text_field(values, "actor1"), text_field(values, "actor2")
    assoc1, assoc2 = text_field(values, "assoc_actor_1"), text_field(values, "assoc_actor_2")
    sides = f"actor1 {actor1!r}" + (f" with {assoc1!r}" if assoc1 else "")
    if actor2:
        sides += f" vs actor2 {actor2!r}" + (f" with {assoc2!r}" if assoc2 else "")
    sources = text_field(values, "source")
    note = f"{sides} (ACLED actors are not directional)" + (
        f"; sources: {sources}" if sources else ""
    )
    return Claim("ACLED", actor1, note)
