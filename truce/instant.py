"""Instants with an explicit time zone, as agreements must state them.

An agreement instant is written ``2015-02-15T00:00 Europe/Kyiv`` (local time plus an IANA zone)
or ``2025-03-18T14:00Z`` / ``2025-03-18T17:00+03:00`` (a fixed offset). A time with no zone is
refused: the disputed start of the 2025 moratorium shows what an unstated zone costs. Local
times that do not exist (the spring DST gap) or occur twice (the autumn fold) are refused too,
unless an offset settles which one is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

INSTANT_HINT = (
    "an instant with a time zone, such as '2015-02-15T00:00 Europe/Kyiv' or '2025-03-18T14:00Z'"
)
_ZONE_SUFFIX = re.compile(r"^(?P<local>\S+)\s+(?P<zone>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+|UTC)$")
_RENAMED_ZONES = {"Europe/Kiev": "Europe/Kyiv"}


@dataclass(frozen=True, order=True)
class Instant:
    """A moment in UTC, remembering the zone and wording it was stated in."""

    utc: datetime
    zone: str = "UTC"
    text: str = ""

    def __post_init__(self) -> None:
        if self.utc.tzinfo is None:
            raise ValueError("Instant.utc must be timezone-aware")

    @classmethod
    def from_utc(cls, moment: datetime) -> Instant:
        """An instant from an aware datetime, stated in UTC."""
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no time zone")
        return cls(moment.astimezone(UTC), "UTC", "")

    @property
    def local(self) -> datetime:
        """The instant in the zone it was stated in."""
        return self.utc.astimezone(zone_info(self.zone))

    def __str__(self) -> str:
        return self.text or self.describe()

    def describe(self) -> str:
        """Local wording with the UTC instant in brackets where they differ."""
        utc = self.utc.strftime("%Y-%m-%dT%H:%MZ")
        if self.zone == "UTC":
            return utc
        local = self.local.strftime("%Y-%m-%d %H:%M")
        return f"{local} {self.zone} ({utc})"

    def __add__(self, delta: timedelta) -> Instant:
        return Instant(self.utc + delta, self.zone, "")

    def isoformat(self) -> str:
        """UTC ISO 8601 with a 'Z'."""
        return self.utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone of that name (old spellings such as Europe/Kiev accepted)."""
    name = _RENAMED_ZONES.get(name, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def localize(naive: datetime, zone: str) -> datetime:
    """Attach ``zone`` to a naive local time, refusing times in a DST gap or fold."""
    tz = zone_info(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise ValueError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {zone} (clocks moved forward)"
            )
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} occurs twice in {zone} (clocks moved back); "
            "give a UTC offset to say which"
        )
    return first


def parse_instant(value: object) -> Instant:
    """Parse an agreement instant; see the module docstring for the accepted forms."""
    if isinstance(value, Instant):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"must be {INSTANT_HINT}, got {value.isoformat()!r} with no zone")
        return Instant(value.astimezone(UTC), "UTC", value.isoformat())
    if not isinstance(value, str):
        raise ValueError(f"must be {INSTANT_HINT}, got {value!r}")
    text = " ".join(value.split())
    match = _ZONE_SUFFIX.match(text)
    if match:
        zone = match.group("zone")
        zone_info(zone)
        local = _parse_iso(match.group("local"), text)
        aware = local if local.tzinfo is not None else localize(local, zone)
        return Instant(aware.astimezone(UTC), _RENAMED_ZONES.get(zone, zone), text)
    moment = _parse_iso(text, text)
    if moment.tzinfo is None:
        raise ValueError(f"must be {INSTANT_HINT}, got {text!r} with no time zone")
    return Instant(moment.astimezone(UTC), "UTC", text)


def _parse_iso(text: str, original: str) -> datetime:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    try:
        day = date.fromisoformat(candidate)
    except ValueError as exc:
        raise ValueError(f"must be {INSTANT_HINT}, got {original!r}") from exc
    return datetime(day.year, day.month, day.day)


def parse_cli_instant(value: str, default_zone: str = "UTC") -> Instant:
    """Parse an instant given on a command line; a bare time is taken in ``default_zone``."""
    try:
        return parse_instant(value)
    except ValueError:
        return parse_instant(f"{value} {default_zone}")
