"""Any CSV of events, read through a YAML column mapping (see :mod:`truce.io.mapping`).

Without an explicit mapping, ``x.csv`` is read with ``x.mapping.yaml`` next to it.

* Time: ``time`` is ISO 8601. A local time is resolved in ``zone`` (DST gaps and folds are
  resolved, with a note); a time with an offset stands as it is. ``time_end`` closes the window
  when given; otherwise ``time_precision`` does: a calendar unit (minute ... year) gives the local
  unit holding the time, a window of ``time_windows`` gives ``[time - before, time + after]``,
  ``exact`` an instant. A bare date with no precision is its whole local day.
* Place: ``lat``/``lon`` and ``precision_m``. Without ``area_precision`` it is derived from the
  radius: up to 1 km point, 15 km settlement, 60 km district, 250 km oblast, 500 km
  macro-region, beyond that country.
* Claims: one claim, ``claimant`` accusing ``perpetrator`` (with ``note``). When
  ``counter_claim`` is not empty, a second claim by the accused party carries it as its note; the
  party it accuses is ``counter_perpetrator`` when mapped, else the first claimant if the
  counter-claim names them ("Ukraine says Russia shelled it"), else the same perpetrator (the
  accused disputes something else, e.g. "Russia claimed a military target").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from truce.events.model import Claim, Event, FieldError, ReadResult
from truce.instant import zone_info
from truce.io._source import (
    CsvFile,
    CsvRecord,
    ReadOptions,
    check_float,
    chunked,
    convert_records,
    existing_file,
    open_csv,
    require_columns,
)
from truce.io._time import (
    CALENDAR_UNITS,
    calendar_interval,
    check_zone,
    local_interval,
    parse_local,
)
from truce.io.mapping import ColumnMapping, FieldSpec, default_mapping_path, load_mapping
from truce.units import parse_duration

_AREA_LADDER = (
    (1_000, "point"),
    (15_000, "settlement"),
    (60_000, "district"),
    (250_000, "oblast"),
    (500_000, "macro-region"),
)


def read_csv_mapped(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a CSV file of events through its column mapping."""
    options = options or ReadOptions()
    source = existing_file(path)
    mapping = load_mapping(options.mapping or default_mapping_path(source))
    csv_file = open_csv(source, mapping.encoding, fold_case=False)
    require_columns(csv_file, mapping.columns(), f"a CSV this mapping ({mapping.source}) fits")
    reader = _Reader(csv_file, mapping)
    return chunked(convert_records(csv_file, reader.event), options.chunk_rows)


class _Reader:
    """Turns the records of one file into events with one mapping."""

    def __init__(self, csv_file: CsvFile, mapping: ColumnMapping) -> None:
        self.csv_file = csv_file
        self.mapping = mapping

    def get(self, record: CsvRecord, field: str, spec: FieldSpec | None = None) -> str | None:
        """A field's mapped text (None when not mapped or empty)."""
        spec = spec or self.mapping.fields.get(field)
        if spec is None:
            return None
        if spec.column is None:
            raw = "" if spec.value is None else str(spec.value)
        else:
            raw = record.values.get(spec.column, "").strip()
        if not raw and not spec.values:
            return None
        mapped = spec.lookup(field, raw)
        return mapped or None

    def number(self, record: CsvRecord, field: str) -> float | None:
        """A numeric field, scaled."""
        text = self.get(record, field)
        if text is None:
            return None
        spec = self.mapping.fields[field]
        low, high = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}.get(field, (0.0, None))
        value = check_float(spec.column or field, text, None, None) * (spec.scale or 1.0)
        return check_float(spec.column or field, str(value), low, high)

    def count(self, record: CsvRecord, field: str) -> int | None:
        """A whole-number field."""
        value = self.number(record, field)
        if value is not None and value != int(value):
            raise FieldError(field, "a whole number", str(value), "bad-number")
        return None if value is None else int(value)

    def event(self, record: CsvRecord) -> Event:
        """The event of one record."""
        source = self.mapping.source
        record_id = self.get(record, "id") or str(record.line)
        start, end, zone, precision, notes = self.times(record)
        lat, lon = self.number(record, "lat"), self.number(record, "lon")
        radius = self.number(record, "precision_m")
        return Event(
            event_id=f"{source}:{record_id}",
            source=source,
            source_record=record_id,
            time_start=start,
            time_end=end,
            time_zone=zone,
            time_precision=precision,
            lon=lon,
            lat=lat,
            precision_m=radius,
            area_id=self.get(record, "area_id"),
            area_precision=self.get(record, "area_precision") or _area_precision(lat, radius),
            kind=self.get(record, "kind") or _missing(self.mapping, "kind"),
            weapon_class=self.get(record, "weapon_class"),
            target=self.get(record, "target"),
            target_class=self.get(record, "target_class"),
            outcome=self.get(record, "outcome") or "unknown",
            claims=self.claims(record),
            deaths=self.count(record, "deaths"),
            injured=self.count(record, "injured"),
            quantity=self.count(record, "quantity"),
            text="; ".join(p for p in (self.get(record, "text"), *notes) if p),
            link=self.get(record, "link") or "",
            raw=self.csv_file.raw_json(record),
        )

    def times(self, record: CsvRecord) -> tuple[datetime, datetime, str, str, list[str]]:
        """The UTC interval, zone, precision and notes of a record."""
        text = self.get(record, "time") or _missing(self.mapping, "time")
        moment, timed = parse_local(self.column("time"), text)
        zone_text = self.get(record, "zone")
        zone = check_zone(self.column("zone"), zone_text) if zone_text else "UTC"
        if moment.tzinfo is None and not zone_text:
            expected = "a time zone for a local time"
            raise FieldError(self.column("zone"), expected, "<empty>", "bad-time")
        local = _local(moment, zone)
        precision = self.get(record, "time_precision") or ("exact" if timed else "day")
        end_text = self.get(record, "time_end")
        if end_text:
            last, _ = parse_local(self.column("time_end"), end_text)
            start, end, notes = local_interval(local, _local(last, zone), zone)
        elif precision == "exact" and moment.tzinfo is not None:
            start, end, notes = moment, moment, []
        elif precision in CALENDAR_UNITS or precision == "exact":
            start, end, notes = calendar_interval(local, zone, precision)
        elif precision in self.mapping.time_windows:
            window = self.mapping.time_windows[precision]
            before, after = parse_duration(window.before).delta, parse_duration(window.after).delta
            start, end, notes = _window(local, zone, before, after)
        else:
            raise FieldError(self.column("time_precision"), "a known time precision", precision)
        return start, end, zone, precision, notes

    def column(self, field: str) -> str:
        """The CSV column a field comes from (for messages)."""
        spec = self.mapping.fields.get(field)
        return spec.column if spec is not None and spec.column else field

    def claims(self, record: CsvRecord) -> tuple[Claim, ...]:
        """The claim of a record, and its counter-claim when there is one."""
        spec = self.mapping.claims
        if spec is None:
            return ()
        claimant = self.get(record, "claimant", spec.claimant) or ""
        perpetrator = self.get(record, "perpetrator", spec.perpetrator) or ""
        if not claimant and not perpetrator:
            return ()
        note = self.optional(record, "note", spec.note)
        first = Claim(claimant, perpetrator, note or "")
        counter = self.optional(record, "counter_claim", spec.counter_claim)
        if not counter:
            return (first,)
        named = self.optional(record, "counter_perpetrator", spec.counter_perpetrator)
        accused = named or _accused(counter, claimant, perpetrator)
        return (first, Claim(perpetrator, accused, counter))

    def optional(self, record: CsvRecord, field: str, spec: FieldSpec | None) -> str | None:
        """A claims field that may not be mapped at all."""
        return self.get(record, field, spec) if spec is not None else None


def _local(moment: datetime, zone: str) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone_info(zone)).replace(tzinfo=None)


def _window(
    local: datetime, zone: str, before: timedelta, after: timedelta
) -> tuple[datetime, datetime, list[str]]:
    start, end, notes = local_interval(local, local, zone)
    return start - before, end + after, notes


def _accused(counter: str, claimant: str, perpetrator: str) -> str:
    rest = counter.strip()
    if rest.casefold().startswith(perpetrator.casefold()):
        rest = rest[len(perpetrator) :]
    if claimant and re.search(rf"\b{re.escape(claimant)}\b", rest, re.IGNORECASE):
        return claimant
    return perpetrator


def _area_precision(lat: float | None, radius: float | None) -> str:
    if lat is None:
        return "unknown"
    if radius is None:
        return "point"
    for limit, name in _AREA_LADDER:
        if radius <= limit:
            return name
    return "country"


def _missing(mapping: ColumnMapping, field: str) -> str:
    spec = mapping.fields.get(field)
    column = spec.column if spec is not None and spec.column else field
    raise FieldError(column, "a value", "<empty>", "missing-field")
