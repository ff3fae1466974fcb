"""Distances and durations as agreement drafters write them ('500 m', '2 km', '7 days', '48 h')."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DISTANCE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|km|nmi)\s*$", re.IGNORECASE)
_DURATION_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(days?|d|hours?|h|minutes?|min)\s*$",
    re.IGNORECASE,
)
_METRES_PER = {"m": 1.0, "km": 1000.0, "nmi": 1852.0}
_SECONDS_PER = {"d": 86400.0, "h": 3600.0, "min": 60.0}

DISTANCE_HINT = "a distance such as '500 m' or '2 km'"
DURATION_HINT = "a duration such as '7 days', '48 h' or '30 min'"


@dataclass(frozen=True, order=True)
class Distance:
    """A non-negative length, kept in metres, remembering how it was written."""

    metres: float
    text: str = ""

    def __str__(self) -> str:
        if self.text:
            return self.text
        if self.metres >= 1000 and self.metres % 100 == 0:
            return f"{self.metres / 1000:g} km"
        return f"{self.metres:g} m"

    @property
    def km(self) -> float:
        """The length in kilometres."""
        return self.metres / 1000.0


@dataclass(frozen=True, order=True)
class Duration:
    """A non-negative span of time, remembering how it was written."""

    seconds: float
    text: str = ""

    def __str__(self) -> str:
        if self.text:
            return self.text
        if self.seconds % 86400 == 0:
            days = int(self.seconds // 86400)
            return f"{days} day" + ("" if days == 1 else "s")
        return f"{self.seconds / 3600:g} h"

    @property
    def delta(self) -> timedelta:
        """As a :class:`datetime.timedelta`."""
        return timedelta(seconds=self.seconds)

    @property
    def days(self) -> float:
        """The span in days."""
        return self.seconds / 86400.0


def parse_distance(value: object) -> Distance:
    """Parse '500 m', '2 km', '12 nmi'; a bare number is refused because its unit is unknown."""
    if isinstance(value, Distance):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"must be {DISTANCE_HINT}, got {value!r}")
    match = _DISTANCE_RE.match(value)
    if not match:
        raise ValueError(f"must be {DISTANCE_HINT}, got {value!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    return Distance(number * _METRES_PER[unit], " ".join(value.split()))


def parse_duration(value: object) -> Duration:
    """Parse '7 days', '48 h', '30 min'; a bare number is refused because its unit is unknown."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"must be {DURATION_HINT}, got {value!r}")
    match = _DURATION_RE.match(value)
    if not match:
        raise ValueError(f"must be {DURATION_HINT}, got {value!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    key = "d" if unit.startswith("d") else "h" if unit.startswith("h") else "min"
    return Duration(number * _SECONDS_PER[key], " ".join(value.split()))
