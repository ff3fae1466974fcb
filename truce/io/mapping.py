"""The YAML column mapping of the generic CSV reader (:mod:`truce.io.csv_mapped`).

A mapping says, for each event field, where its value comes from::

    source: moratorium-2025-incidents      # the 'source' of every event
    encoding: utf-8
    fields:
      id:        {column: id}               # -> source_record; event_id is <source>:<id>
      time:      {column: reported_local_time}
      zone:      {column: time_zone}        # or {value: Europe/Kyiv}
      time_precision:
        column: time_precision
        values: {"to the minute*": minute, "day*": day, "night*": night}
      lat: {column: latitude}
      lon: {column: longitude}
      precision_m: {column: precision_km, scale: 1000}
      kind: {column: event_kind, values: {drone strike: drone-strike}}
      outcome: {column: outcome, values: {impact: impact, "attempt*": attempt}}
    claims:
      claimant: {column: claimed_by}
      perpetrator: {column: claimed_perpetrator}
      counter_claim: {column: counter_claim}
    time_windows:
      night: {before: 6 h, after: 6 h}

Each field takes ``column`` (a CSV column) or ``value`` (a constant), optionally ``values`` (a
value map) and ``scale`` (a factor for numbers). Value-map keys match without regard to case or
spacing; a key ending in ``*`` matches any value starting with it (longest first); the key ``*``
alone is the default. A value not in the map rejects the row, unless there is a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from truce.errors import InputError
from truce.events.model import AREA_PRECISIONS, OUTCOMES, TIME_PRECISIONS, FieldError
from truce.units import parse_duration
from truce.vocabulary import EVENT_KINDS, OBJECT_CLASSES, WEAPON_CLASSES

FIELDS: dict[str, str] = {
    "id": "the record's own id (event_id becomes <source>:<id>; default: the line number)",
    "time": "the reported time, ISO 8601 (local, or with an offset)",
    "time_end": "the end of the time window, when the source gives one",
    "zone": "the IANA time zone the time is local to",
    "time_precision": "minute/hour/day/week/month/year/exact, or a window of time_windows",
    "lat": "latitude in degrees",
    "lon": "longitude in degrees",
    "precision_m": "radius of the location uncertainty in metres (use scale for km)",
    "area_id": "an area id such as UA-14",
    "area_precision": "point/settlement/district/oblast/macro-region/country",
    "kind": "an event kind slug",
    "weapon_class": "a weapon class slug",
    "target": "the target, free text",
    "target_class": "an object class slug",
    "outcome": "impact/attempt/unknown",
    "deaths": "deaths, a whole number",
    "injured": "injured, a whole number",
    "quantity": "how many (e.g. drones launched)",
    "text": "a description",
    "link": "a link to the source",
}
"""The fields a mapping can fill, with what each means."""

_SLUGS: dict[str, list[str]] = {
    "kind": list(EVENT_KINDS),
    "weapon_class": list(WEAPON_CLASSES),
    "target_class": list(OBJECT_CLASSES),
    "outcome": list(OUTCOMES),
    "area_precision": list(AREA_PRECISIONS),
}


class FieldSpec(BaseModel):
    """Where one field's value comes from."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    value: str | float | None = None
    values: dict[str, str | None] | None = None
    scale: float | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' and 'value'")
        return self

    @field_validator("values")
    @classmethod
    def _normalise_keys(cls, values: dict[str, str | None] | None) -> dict[str, str | None] | None:
        if values is None:
            return None
        return {normalise(str(k)): v for k, v in values.items()}

    def lookup(self, field: str, text: str) -> str | None:
        """``text`` through the value map (unchanged when there is none)."""
        if self.values is None:
            return text
        word = normalise(text)
        if word in self.values:
            return self.values[word]
        prefixes = sorted((k for k in self.values if k.endswith("*") and k != "*"), key=len)
        for pattern in reversed(prefixes):
            if word.startswith(pattern[:-1]):
                return self.values[pattern]
        if "*" in self.values:
            return self.values["*"]
        known = ", ".join(repr(k) for k in self.values)
        where = self.column or field
        raise FieldError(
            where, f"a value of the mapping for {field} ({known})", text, "unmapped-value"
        )


class ClaimsSpec(BaseModel):
    """Where the attribution comes from: one claim, and an optional counter-claim."""

    model_config = ConfigDict(extra="forbid")

    claimant: FieldSpec
    perpetrator: FieldSpec
    note: FieldSpec | None = None
    counter_claim: FieldSpec | None = None
    counter_perpetrator: FieldSpec | None = None


class WindowSpec(BaseModel):
    """A time window around the reported time, for a precision such as 'night'."""

    model_config = ConfigDict(extra="forbid")

    before: str
    after: str

    @field_validator("before", "after")
    @classmethod
    def _duration(cls, text: str) -> str:
        parse_duration(text)
        return text


class ColumnMapping(BaseModel):
    """A whole mapping file."""

    model_config = ConfigDict(extra="forbid")

    source: str
    encoding: str = "utf-8"
    fields: dict[str, FieldSpec]
    claims: ClaimsSpec | None = None
    time_windows: dict[str, WindowSpec] = {}

    @model_validator(mode="after")
    def _check(self) -> ColumnMapping:
        unknown = [name for name in self.fields if name not in FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; known: {sorted(FIELDS)}")
        for name in ("time", "kind"):
            if name not in self.fields:
                raise ValueError(f"the mapping must say where '{name}' comes from")
        for name, slugs in _SLUGS.items():
            _check_slugs(name, self.fields.get(name), slugs)
        precision = self.fields.get("time_precision")
        allowed = [*TIME_PRECISIONS, *self.time_windows]
        _check_slugs("time_precision", precision, allowed)
        return self

    def columns(self) -> list[str]:
        """Every CSV column the mapping reads."""
        specs = list(self.fields.values())
        if self.claims is not None:
            specs += [s for s in self.claims.__dict__.values() if isinstance(s, FieldSpec)]
        return [s.column for s in specs if s.column is not None]


def _check_slugs(name: str, spec: FieldSpec | None, slugs: list[str]) -> None:
    if spec is None or (spec.column is not None and not spec.values):
        return  # values straight from a column are checked row by row
    targets = list(spec.values.values()) if spec.values else [spec.value]
    bad = [t for t in targets if t is not None and t not in slugs]
    if bad:
        raise ValueError(f"field '{name}': {bad} not among {slugs}")


def normalise(text: str) -> str:
    """A value-map key or value as compared: case-folded, spaces collapsed."""
    return " ".join(text.split()).casefold()


def load_mapping(mapping: str | Path | Mapping[str, Any]) -> ColumnMapping:
    """A mapping from a YAML file or an already-parsed dict; :class:`InputError` if invalid."""
    where = "mapping"
    if isinstance(mapping, str | Path):
        where = str(mapping)
        try:
            data = yaml.safe_load(Path(mapping).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{mapping}: mapping file not found") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(f"{mapping}: not a readable YAML mapping: {exc}") from exc
    else:
        data = dict(mapping)
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '<top>'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(f"{where}: invalid column mapping: {problems}") from exc


def default_mapping_path(csv_path: Path) -> Path:
    """Where a CSV's mapping is looked for: ``x.csv`` (or ``x.csv.gz``) -> ``x.mapping.yaml``."""
    name = csv_path.name.removesuffix(".gz").removesuffix(".csv")
    return csv_path.with_name(f"{name}.mapping.yaml")
