"""The CIR/Bellingcat "Russia-Ukraine Monitor Map" export (``events.csv``), as event batches.

Columns: ``entry, date, event_group, title, brief description, lat, lon, country, province,
district, town/city, arms/munition, violence level, link, geolocation``. Conventions:

* ``event_id`` is ``cir-bellingcat:<entry>``; the export repeats a few entries for different
  events, so a repeat gets ``~2``, ``~3`` in file order, and a row with no entry is named by its
  line (``cir-bellingcat:line-<n>``). ``source_record`` is the entry as CIR wrote it.
* Time: ``date`` as the whole local day in the zone of ``country`` (Kyiv, Moscow, Minsk); when
  ``date`` is empty, the ``dd/mm/yyyy`` the title starts with.
* Place: ``lat``/``lon`` are a point placed by CIR's volunteers: 500 m when a separate
  ``geolocation`` link backs it, 2 km otherwise (judgement calls, see :data:`PRECISION_M`).
* Kind: from ``event_group`` (:data:`GROUP_KINDS`, month suffixes dropped), narrowed by the
  title when it names exactly one family of weapons (:data:`TITLE_KEYWORDS`). Groups that are
  not a use of force or a military observation (arrests, burials) are rejected as
  ``out-of-scope``, as is an ``Other`` row whose title names no use of force.
* CIR attributes no events: ``claims`` is empty. ``link`` is the footage; ``text`` the
  description with the place names; ``raw`` the whole row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from truce.events.kinds import KindMapping
from truce.events.model import Event, FieldError, ReadResult
from truce.io._source import (
    CsvFile,
    CsvRecord,
    ReadOptions,
    chunked,
    convert_records,
    existing_file,
    open_csv,
    parse_float,
    require_columns,
    text_field,
)
from truce.io._time import local_days
from truce.io.acled import COUNTRY_ZONES

SOURCE = "cir-bellingcat"
REQUIRED = ("entry", "date", "event_group", "title", "lat", "lon", "country", "link")

PRECISION_M: dict[bool, float] = {True: 500.0, False: 2_000.0}
"""Radius of a CIR point: with a geolocation link (True) or without (False)."""

_OUT = "not a use of force or a military observation"

GROUP_KINDS: dict[str, KindMapping] = {
    "Civilian Infrastructure Damage": KindMapping("use-of-force", outcome="impact"),
    "Military Infrastructure Damage": KindMapping("use-of-force", outcome="impact"),
    "Civilian Casualty": KindMapping("use-of-force", outcome="impact"),
    "Russian Military Losses": KindMapping("use-of-force", outcome="impact"),
    "Ukrainian Military Losses": KindMapping("use-of-force", outcome="impact"),
    "Munitions": KindMapping("use-of-force", outcome="impact", note="munition remnants"),
    "Bombing or Explosion": KindMapping("explosion", outcome="impact"),
    "Ground Battle": KindMapping("ground-assault", outcome="impact"),
    "Russian Firing Positions": KindMapping("indirect-fire", note="firing positions"),
    "Russian Military Presence": KindMapping("military-presence"),
    "Russian Allies Presence/Losses": KindMapping("military-presence"),
    "Other": KindMapping(None, note=_OUT),
    "Mass grave or Burial": KindMapping(None, note=_OUT),
    "Detentions or Arrests": KindMapping(None, note=_OUT),
}
"""CIR ``event_group`` (without its month suffix) -> kind, outcome."""

TITLE_KEYWORDS: tuple[tuple[str, KindMapping], ...] = (
    (r"\b(missiles?|cruise|ballistic|iskander|kalibr|kinzhal|tochka|kh-\d+|s-300)\b",
     KindMapping("missile-strike", "missile")),
    (r"\b(mlrs|grads?|uragan|smerch|tornado|himars|rocket artillery)\b",
     KindMapping("rocket-artillery", "mlrs")),
    (r"\b(mortars?)\b", KindMapping("mortar", "mortar-up-to-120mm")),
    (r"\b(artillery|shelling|shelled|shells?)\b", KindMapping("indirect-fire")),
    (r"\b(kamikaze drones?|shaheds?|geran|loitering|drone strikes?|drone attack)\b",
     KindMapping("drone-strike", "uav")),
    (r"\b(air ?strikes?|air raid|aerial bombs?|glide bombs?|bombers?)\b",
     KindMapping("air-strike", "combat-aircraft")),
)  # fmt: skip
"""Title keywords naming one family of weapons; a title naming two families keeps the group's
kind. A title with ``fire`` and no weapon makes an ``Other`` row a ``fire``."""

_KINETIC = ("use-of-force", "explosion", "indirect-fire", "ground-assault")
_MONTHS = (
    r"\s+(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\s+\d{4}$"
)
_TITLE_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")


def read_cir(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a CIR/Bellingcat ``events.csv`` (gzip or not) as event batches."""
    options = options or ReadOptions()
    csv_file = open_csv(existing_file(path), "utf-8")
    require_columns(csv_file, REQUIRED, "a CIR/Bellingcat events file")
    seen: dict[str, int] = {}
    return chunked(
        convert_records(csv_file, lambda record: _event(csv_file, record, seen)),
        options.chunk_rows,
    )


def group_name(event_group: str) -> str:
    """The event group without its month suffix ('Civilian Casualty', 'Bombing or Explosion')."""
    name = re.sub(_MONTHS, "", " ".join(event_group.split()))
    return re.sub(r"\s+(Feb - June|July - Now)$", "", name)


def cir_kind(event_group: str, title: str) -> KindMapping:
    """The kind of a CIR row from its group, narrowed by its title."""
    group = group_name(event_group)
    mapping = GROUP_KINDS.get(group)
    if mapping is None:
        raise FieldError("event_group", "a CIR event group", event_group, "out-of-scope")
    hits = [m for pattern, m in TITLE_KEYWORDS if re.search(pattern, title, re.IGNORECASE)]
    if mapping.kind is None:
        if len(hits) == 1:
            return KindMapping(hits[0].kind, hits[0].weapon_class, "impact")
        if not hits and re.search(r"\b(fire|burning|blaze)\b", title, re.IGNORECASE):
            return KindMapping("fire")
        raise FieldError("event_group", _OUT, group, "out-of-scope")
    if mapping.kind in _KINETIC and len(hits) == 1:
        return KindMapping(hits[0].kind, hits[0].weapon_class, mapping.outcome, mapping.note)
    return mapping


def _event(csv_file: CsvFile, record: CsvRecord, seen: dict[str, int]) -> Event:
    values = record.values
    entry = text_field(values, "entry")
    title = text_field(values, "title")
    mapping = cir_kind(text_field(values, "event_group"), title)
    day = _day(values, title)
    country = text_field(values, "country")
    zone = COUNTRY_ZONES.get(country, "Europe/Kyiv")
    start, end, notes = local_days(day, day, zone)
    lat = parse_float(values, "lat", -90, 90)
    lon = parse_float(values, "lon", -180, 180)
    if lat is None or lon is None:
        raise FieldError("lat" if lat is None else "lon", "a number", "<empty>", "missing-field")
    geolocated = bool(text_field(values, "geolocation"))
    return Event(
        event_id=_event_id(entry, record.line, seen),
        source=SOURCE,
        source_record=entry or f"line-{record.line}",
        time_start=start,
        time_end=end,
        time_zone=zone,
        time_precision="day",
        lon=lon,
        lat=lat,
        precision_m=PRECISION_M[geolocated],
        area_precision="point",
        kind=str(mapping.kind),
        weapon_class=mapping.weapon_class,
        outcome=mapping.outcome,
        text=_text(values, mapping.note, notes),
        link=text_field(values, "link"),
        raw=csv_file.raw_json(record),
    )


def _event_id(entry: str, line: int, seen: dict[str, int]) -> str:
    if not entry:
        return f"{SOURCE}:line-{line}"
    seen[entry] = seen.get(entry, 0) + 1
    suffix = f"~{seen[entry]}" if seen[entry] > 1 else ""
    return f"{SOURCE}:{entry}{suffix}"


def _day(values: dict[str, str], title: str) -> date:
    text = text_field(values, "date")
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise FieldError("date", "a date such as '2022-04-06'", text, "bad-date") from None
    found = _TITLE_DATE.match(title)
    if found is None:
        raise FieldError("date", "a date, or a title starting with dd/mm/yyyy", "<empty>",
                         "missing-field")  # fmt: skip
    day, month, year = (int(part) for part in found.groups())
    try:
        return datetime(year, month, day).date()
    except ValueError:
        raise FieldError("date", "a real day in the title", found.group(0), "bad-date") from None


def _text(values: dict[str, str], kind_note: str, notes: list[str]) -> str:
    description = text_field(values, "brief description") or text_field(values, "title")
    place = ", ".join(
        part
        for part in (
            text_field(values, "town/city"),
            text_field(values, "district"),
            text_field(values, "province"),
            text_field(values, "country"),
        )
        if part
    )
    arms = text_field(values, "arms/munition")
    parts = [description, place, f"arms: {arms}" if arms else "", kind_note, *notes]
    return "; ".join(part for part in parts if part)
