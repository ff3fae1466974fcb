"""UCDP Georeferenced Event Dataset (GED) CSV.

Reads the file as UCDP publishes it and as it is often re-saved: **cp1252** text, dates either ISO
(``2014-01-22``) or US style as Excel writes them (``1/22/2014 12:00:00 AM``, ``02/05/2023 00:00``).

* Time: ``date_start`` to ``date_end`` as whole local days in Europe/Kyiv (UCDP codes calendar
  dates, not instants). ``date_prec`` becomes ``time_precision`` (see :data:`DATE_PRECISION`).
* Place: ``latitude``/``longitude`` with a radius from ``where_prec`` (:data:`WHERE_PRECISION`).
  For an oblast-level (4) or country-level (6) event whose ``adm_1`` is found in the area layer,
  ``area_id`` is the oblast (or ``UA``) and the radius is the one that covers that area from the
  given point, which is tighter than a fixed guess and never too small.
* Kind: ``type_of_violence`` through :data:`truce.events.kinds.UCDP_VIOLENCE_TYPES`.
* Attribution: UCDP codes the two sides of a dyad (``side_a`` is the government by convention),
  which says who fought, not who fired, and is no claim by either party. So the one claim
  recorded is ``UCDP`` naming no perpetrator, with both sides in the note: a finding on a UCDP
  event is unattributed unless another source attributes it.
* Deaths: ``best`` (``low`` and ``high`` stay in ``raw``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from truce.events.kinds import UCDP_VIOLENCE_TYPES
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
from truce.io._time import local_days, parse_us_or_iso_date

SOURCE = "ucdp-ged"
ZONE = "Europe/Kyiv"
ENCODING = "cp1252"

WHERE_PRECISION: dict[int, tuple[str, float, str]] = {
    1: ("point", 1_000, "the exact place (a village, a town quarter, a named site): ~1 km"),
    2: ("settlement", 25_000, "within about 25 km of a known place (codebook: 'ca 25 km')"),
    3: ("district", 50_000, "only the second-order unit (raion) is known: ~50 km"),
    4: ("oblast", 150_000, "only the first-order unit (oblast) is known: ~150 km"),
    5: ("macro-region", 250_000, "a linear feature or a region wider than one oblast: ~250 km"),
    6: ("country", 700_000, "only the country is known: ~700 km covers Ukraine"),
    7: ("international-waters", 300_000, "international waters or airspace: ~300 km"),
}
"""UCDP ``where_prec`` -> (area precision, radius in metres, meaning in the GED codebook)."""

DATE_PRECISION: dict[int, str] = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
"""UCDP ``date_prec`` -> time precision: 1 the day is known; 2 within 2-6 days; 3 the week;
4 within 8-30 days or the month; 5 more than a month or only the year. The interval itself is
always ``date_start`` to ``date_end``."""

REQUIRED = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "date_end",
    "best",
)


def read_ucdp(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a UCDP GED CSV file (cp1252, gzip or not) as event batches."""
    return read_area_csv(
        path, options, encoding=ENCODING, required=REQUIRED, what="a UCDP GED file", to_event=_event
    )


def _code(values: dict[str, str], name: str, table: dict[int, object]) -> int:
    text = text_field(values, name)
    try:
        code = int(float(text))
    except ValueError:
        code = -1
    if code not in table:
        expected = "one of " + ", ".join(str(k) for k in table)
        raise FieldError(name, expected, text, "bad-value")
    return code


def _event(csv_file: CsvFile, record: CsvRecord, areas: AreaLayer) -> Event:
    values = record.values
    record_id = require_text(values, "id")
    violence = UCDP_VIOLENCE_TYPES[_code(values, "type_of_violence", dict(UCDP_VIOLENCE_TYPES))]
    start_day = parse_us_or_iso_date("date_start", require_text(values, "date_start"))
    end_day = parse_us_or_iso_date("date_end", require_text(values, "date_end"))
    if end_day < start_day:
        raise FieldError("date_end", f"a date not before date_start {start_day}", str(end_day))
    start, end, notes = local_days(start_day, end_day, ZONE)
    date_prec = _code(values, "date_prec", dict(DATE_PRECISION))
    place = _place(values, areas)
    side_a, side_b = text_field(values, "side_a"), text_field(values, "side_b")
    note = f"{side_a} vs {side_b} (UCDP dyad sides: coded by UCDP, not claimed by a party)"
    return Event(
        event_id=f"{SOURCE}:{record_id}",
        source=SOURCE,
        source_record=record_id,
        time_start=start,
        time_end=end,
        time_zone=ZONE,
        time_precision=DATE_PRECISION[date_prec],
        lon=place[0],
        lat=place[1],
        precision_m=place[2],
        area_id=place[3],
        area_precision=place[4],
        kind=str(violence.kind),
        outcome=violence.outcome,
        claims=(Claim("UCDP", "", note),),
        deaths=parse_count(values, "best"),
        text=_text(values, violence.note, notes),
        raw=csv_file.raw_json(record),
    )


def _place(values: dict[str, str], areas: AreaLayer) -> tuple[float, float, float, str | None, str]:
    lat = parse_float(values, "latitude", -90, 90)
    lon = parse_float(values, "longitude", -180, 180)
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        raise FieldError(missing, "a number", "<empty>", "missing-field")
    where = _code(values, "where_prec", dict(WHERE_PRECISION))
    precision, radius, _ = WHERE_PRECISION[where]
    area_id = None
    area = None
    if where == 6:
        area = areas.area("UA")
    elif where == 4:
        area = areas.oblast_named(text_field(values, "adm_1"))
    if area is not None:
        area_id = area.id
        radius = areas.radius_around(area, lon, lat)
    return lon, lat, radius, area_id, precision


def _text(values: dict[str, str], violence_note: str, notes: list[str]) -> str:
    where = " - ".join(
        part
        for part in (
            text_field(values, "where_coordinates"),
            text_field(values, "where_description"),
        )
        if part
    )
    deaths = (
        f"deaths best {text_field(values, 'best')} "
        f"(low {text_field(values, 'low') or '?'}, high {text_field(values, 'high') or '?'})"
    )
    parts = [text_field(values, "dyad_name"), violence_note, where, deaths, *notes]
    return "; ".join(part for part in parts if part)
