"""Building blocks shared by the agreement model and every term kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from truce import vocabulary
from truce.agreement.fields import DistanceValue, Identifier, ObjectClass
from truce.instant import INSTANT_HINT, Instant, parse_instant
from truce.units import Duration, parse_duration


class StrictModel(BaseModel):
    """A model that refuses unknown keys and cannot be changed after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_RELATIVE_RE = re.compile(
    r"^\s*(?P<span>.+?)\s+after\s+(?P<anchor>entry\s+into\s+force|the\s+quiet\s+period)\s*$",
    re.IGNORECASE,
)
ENTRY_INTO_FORCE = "entry into force"
QUIET_PERIOD = "the quiet period"
TIMEREF_HINT = (
    f"{INSTANT_HINT}, 'entry into force', or a duration after it such as "
    "'14 days after entry into force' (in a phased obligation that waits for a quiet period: "
    "'5 days after the quiet period')"
)


@dataclass(frozen=True)
class TimeRef:
    """A moment either fixed (an instant) or relative to the agreement's entry into force."""

    instant: Instant | None = None
    offset: Duration | None = None
    anchor: str = ENTRY_INTO_FORCE

    def resolve(self, start: Instant) -> Instant:
        """The instant this reference denotes, given the instant its anchor happened."""
        if self.instant is not None:
            return self.instant
        assert self.offset is not None
        return start + self.offset.delta

    def __str__(self) -> str:
        if self.instant is not None:
            return str(self.instant)
        assert self.offset is not None
        if self.offset.seconds == 0:
            return self.anchor
        return f"{self.offset} after {self.anchor}"


def parse_timeref(value: Any) -> TimeRef:
    """Parse an instant, 'entry into force' or '<duration> after entry into force'."""
    if isinstance(value, TimeRef):
        return value
    if isinstance(value, str):
        text = " ".join(value.split())
        if text.lower() in (ENTRY_INTO_FORCE, QUIET_PERIOD):
            return TimeRef(offset=Duration(0.0, "0 days"), anchor=text.lower())
        match = _RELATIVE_RE.match(text)
        if match:
            anchor = " ".join(match.group("anchor").lower().split())
            try:
                return TimeRef(offset=parse_duration(match.group("span")), anchor=anchor)
            except ValueError as exc:
                raise ValueError(f"must be {TIMEREF_HINT}, got {value!r}") from exc
    try:
        return TimeRef(instant=parse_instant(value))
    except ValueError as exc:
        raise ValueError(f"must be {TIMEREF_HINT}, got {value!r}") from exc


TimeRefValue = Annotated[
    TimeRef,
    BeforeValidator(parse_timeref),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": TIMEREF_HINT,
            "examples": ["14 days after entry into force", "2016-10-01T00:00 Europe/Kyiv"],
        }
    ),
]
"""A fixed instant or one relative to entry into force."""


class ActiveWindow(StrictModel):
    """When a term applies, if narrower than the agreement's whole time in force."""

    from_: TimeRefValue | None = Field(default=None, alias="from")
    until: TimeRefValue | None = None


class ZoneSelector(StrictModel):
    """An area: features of a zone layer, or a corridor within a distance of a line layer."""

    layer: Identifier = Field(description="id of a zone layer, or of a line layer with 'within'")
    features: list[str] | None = Field(
        default=None, description="ids of the layer's features to use (all when absent)"
    )
    within: DistanceValue | None = Field(
        default=None, description="for a line layer: the corridor's half-width either side"
    )

    def describe(self) -> str:
        """Plain words for the area."""
        if self.within is not None:
            return f"within {self.within} of line '{self.layer}'"
        if self.features:
            return f"{', '.join(self.features)} (layer '{self.layer}')"
        return f"layer '{self.layer}'"


class ObjectSelector(StrictModel):
    """Protected objects: a layer's features, narrowed by class or by id."""

    layer: Identifier = Field(description="id of an objects layer")
    classes: list[ObjectClass] | None = Field(
        default=None,
        description="object classes to protect (narrower classes included); all when absent",
    )
    ids: list[str] | None = Field(default=None, description="only these feature ids")

    def describe(self) -> str:
        """Plain words for the selection."""
        what = (
            vocabulary.labels(vocabulary.OBJECT_CLASSES, self.classes)
            if self.classes
            else "all objects"
        )
        if self.ids:
            what += " (only " + ", ".join(self.ids) + ")"
        return f"{what} in layer '{self.layer}'"
