"""Ukrainian Air Force daily attack reports (the 'Massive Missile Attacks on Ukraine' CSV).

One event per row: a row is one weapon model in one report, and its ``launched`` count is a total
for all the areas it names, so splitting it per area would invent per-area numbers. Instead:

* Time: ``time_start`` to ``time_end`` as local Kyiv times ('2025-03-29 20:00' ->
  '2025-03-30 09:00' spans the DST change correctly); a bare date means that whole local day.
* Place: ``target`` names oblasts, towns, macro-regions ('south', 'north-east'), 'Ukraine', or
  several joined by 'and' or commas. Each is resolved in the oblast layer
  (:class:`~truce.io._areas.AreaLayer`); ``area_id`` is the area's id (several joined by '+',
  e.g. ``UA-51+UA-48``), lon/lat a point in the area and ``precision_m`` the radius covering all
  of it. An empty target is read as all of Ukraine. Pieces not found (raions, 'Black Sea') are
  kept in ``text``; a target with no known area at all gives no point and area precision
  ``unknown``.
* Kind and weapon class from ``model`` (:data:`truce.events.kinds.AIRFORCE_WEAPON_MODELS`); a
  model not in the table is read as a ``strike`` of unknown means, with a note.
* ``quantity`` is ``launched``. ``outcome`` is ``attempt`` when everything launched was reported
  destroyed, ``impact`` when hit locations are reported, otherwise ``unknown``; the counts are
  spelled out in ``text`` and kept in ``raw``.
* The one claim is the Air Force's: ``Ukraine (Air Force)`` naming ``Russia``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from truce.events.kinds import KindMapping, airforce_kind
from truce.events.model import Claim, Event, FieldError, ReadResult
from truce.io._area_csv import read_area_csv
from truce.io._areas import Area, AreaLayer
from truce.io._source import (
    CsvFile,
    CsvRecord,
    ReadOptions,
    parse_count,
    require_text,
    text_field,
)
from truce.io._time import local_interval, parse_local

SOURCE = "airforce-daily"
ZONE = "Europe/Kyiv"
CLAIM = Claim("Ukraine (Air Force)", "Russia", "")
REQUIRED = ("time_start", "time_end", "model", "target", "launched", "destroyed")
_POST = re.compile(r"^[\w.\-]+/posts/\S+$")


def read_airforce(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream an Air Force daily-report CSV (gzip or not) as event batches."""
    return read_area_csv(
        path,
        options,
        encoding="utf-8",
        required=REQUIRED,
        what="an Air Force daily-report file",
        to_event=_event,
    )


def _event(csv_file: CsvFile, record: CsvRecord, areas: AreaLayer) -> Event:
    values = record.values
    start, end, precision, notes = _interval(values)
    model = text_field(values, "model")
    mapping = airforce_kind(model) if model else None
    if mapping is None or mapping.kind is None:
        notes.append(f"weapon model {model!r} is not in the mapping: read as a strike")
        mapping = KindMapping("strike")
    target = text_field(values, "target")
    area, left = _area(target, areas)
    if left:
        notes.append("target pieces with no known area: " + ", ".join(left))
    launched = parse_count(values, "launched")
    row = str(record.line)
    return Event(
        event_id=f"{SOURCE}:{row}",
        source=SOURCE,
        source_record=row,
        time_start=start,
        time_end=end,
        time_zone=ZONE,
        time_precision=precision,
        lon=area.lon if area else None,
        lat=area.lat if area else None,
        precision_m=area.radius_m if area else None,
        area_id=area.id if area else None,
        area_precision=area.precision if area else "unknown",
        kind=str(mapping.kind),
        weapon_class=mapping.weapon_class,
        target=target or None,
        outcome=_outcome(values, launched),
        claims=(CLAIM,),
        quantity=launched,
        text=_text(values, model, mapping.note, notes),
        link=_link(text_field(values, "source")),
        raw=csv_file.raw_json(record),
    )


def _interval(values: dict[str, str]) -> tuple[datetime, datetime, str, list[str]]:
    first, first_timed = parse_local("time_start", require_text(values, "time_start"))
    end_text = text_field(values, "time_end")
    last, last_timed = parse_local("time_end", end_text) if end_text else (first, first_timed)
    if not last_timed:
        last = last + timedelta(days=1)
    if first.tzinfo is not None or last.tzinfo is not None:
        raise FieldError("time_start", "a local Kyiv time with no offset", values["time_start"])
    start, end, notes = local_interval(first, last, ZONE)
    if end < start:
        raise FieldError(
            "time_end", f"a time not before time_start {values['time_start'].strip()}", end_text
        )
    precision = "minute" if first_timed and last_timed else "day"
    return start, end, precision, notes


def _area(target: str, areas: AreaLayer) -> tuple[Area | None, list[str]]:
    if not target:
        return areas.area("UA"), ["(empty target read as all of Ukraine)"]
    found, left = areas.resolve(target)
    return (areas.combine(found) if found else None), left


def _outcome(values: dict[str, str], launched: int | None) -> str:
    destroyed = parse_count(values, "destroyed")
    hits = parse_count(values, "num_hit_location")
    if hits:
        return "impact"
    if launched and destroyed is not None and destroyed >= launched:
        return "attempt"
    return "unknown"


def _text(values: dict[str, str], model: str, kind_note: str, notes: list[str]) -> str:
    counts = [
        f"{label} {text_field(values, column)}"
        for column, label in (
            ("launched", "launched"),
            ("destroyed", "destroyed"),
            ("not_reach_goal", "did not reach the target"),
            ("still_attacking", "still attacking"),
            ("num_hit_location", "hit locations"),
            ("num_fall_fragment_location", "locations hit by debris"),
        )
        if text_field(values, column)
    ]
    head = f"{model or 'unknown weapon'}: " + ", ".join(counts)
    parts = [head, f"target: {text_field(values, 'target') or '-'}"]
    if text_field(values, "launch_place"):
        parts.append(f"launched from {text_field(values, 'launch_place')}")
    return "; ".join([*parts, *(n for n in (kind_note, *notes) if n)])


def _link(source: str) -> str:
    if _POST.match(source):
        return f"https://www.facebook.com/{source}"
    return source
