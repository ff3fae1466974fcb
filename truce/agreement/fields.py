"""Field types of the agreement language: identifiers, distances, durations, instants, slugs.

Each is a pydantic annotated type that parses what drafters write, refuses anything else with a
message saying what was expected, and publishes itself in the JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from truce import vocabulary
from truce.instant import INSTANT_HINT, Instant, parse_instant
from truce.units import (
    DISTANCE_HINT,
    DURATION_HINT,
    Distance,
    Duration,
    parse_distance,
    parse_duration,
)

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
ID_HINT = (
    "an identifier of lower-case letters, digits, '-', '_' or '.', such as 'no-strikes-on-energy'"
)


def _check_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ValueError(f"must be {ID_HINT}, got {value!r}")
    return value


def _check_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"must be text, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


Identifier = Annotated[
    str,
    BeforeValidator(_check_id),
    WithJsonSchema({"type": "string", "pattern": _ID_RE.pattern, "description": ID_HINT}),
]
"""A stable identifier (party, term, layer, source, condition)."""

Text = Annotated[
    str,
    BeforeValidator(_check_text),
    WithJsonSchema({"type": "string", "minLength": 1}),
]
"""Non-empty free text."""

DistanceValue = Annotated[
    Distance,
    BeforeValidator(parse_distance),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*(m|km|nmi)\s*$",
            "description": DISTANCE_HINT,
            "examples": ["500 m", "2 km", "12 nmi"],
        }
    ),
]
"""A distance with its unit."""

DurationValue = Annotated[
    Duration,
    BeforeValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*(days?|d|hours?|h|minutes?|min)\s*$",
            "description": DURATION_HINT,
            "examples": ["7 days", "48 h", "30 min"],
        }
    ),
]
"""A duration with its unit."""

InstantValue = Annotated[
    Instant,
    BeforeValidator(parse_instant),
    PlainSerializer(lambda value: value.text or value.isoformat(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": INSTANT_HINT,
            "examples": ["2015-02-15T00:00 Europe/Kyiv", "2025-03-18T14:00Z"],
        }
    ),
]
"""An instant with an explicit time zone."""


def _slug_checker(table: Mapping[str, vocabulary.Entry], what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be {what}, got {value!r}")
        if value not in table:
            raise ValueError(f"unknown {what} {value!r}: {vocabulary.suggest(table, value)}")
        return value

    return check


def _slug_schema(table: Mapping[str, vocabulary.Entry], what: str) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(table), "description": what}


EventKind = Annotated[
    str,
    BeforeValidator(_slug_checker(vocabulary.EVENT_KINDS, "event kind")),
    WithJsonSchema(_slug_schema(vocabulary.EVENT_KINDS, "event kind")),
]
"""A slug of :data:`truce.vocabulary.EVENT_KINDS`."""

WeaponClass = Annotated[
    str,
    BeforeValidator(_slug_checker(vocabulary.WEAPON_CLASSES, "weapon class")),
    WithJsonSchema(_slug_schema(vocabulary.WEAPON_CLASSES, "weapon class")),
]
"""A slug of :data:`truce.vocabulary.WEAPON_CLASSES`."""

ObjectClass = Annotated[
    str,
    BeforeValidator(_slug_checker(vocabulary.OBJECT_CLASSES, "object class")),
    WithJsonSchema(_slug_schema(vocabulary.OBJECT_CLASSES, "object class")),
]
"""A slug of :data:`truce.vocabulary.OBJECT_CLASSES`."""

PartyKind = Annotated[
    str,
    BeforeValidator(_slug_checker(vocabulary.PARTY_KINDS, "party kind")),
    WithJsonSchema(_slug_schema(vocabulary.PARTY_KINDS, "party kind")),
]
"""A slug of :data:`truce.vocabulary.PARTY_KINDS`."""

MovementKind = Annotated[
    str,
    BeforeValidator(_slug_checker(vocabulary.MOVEMENT_KINDS, "movement kind")),
    WithJsonSchema(_slug_schema(vocabulary.MOVEMENT_KINDS, "movement kind")),
]
"""A slug of :data:`truce.vocabulary.MOVEMENT_KINDS`."""
