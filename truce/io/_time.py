"""Local times of event data to UTC intervals.

Unlike agreement instants (:mod:`truce.instant`), event times are not refused when a local time
falls in a DST gap or fold: the source said what it said. A time in the spring gap is read with
the offset in force before the change, which shifts it forward by the gap (03:30 in Kyiv on
2025-03-30 does not exist; it is read at +02:00, i.e. 01:30Z, which the new clock shows as 04:30
EEST); a time in the autumn fold is read as the earlier of its two instants. A note says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from truce.events.model import FieldError
from truce.instant import zone_info

CALENDAR_UNITS: tuple[str, ...] = ("minute", "hour", "day", "week", "month", "year")
"""The precisions whose interval is the local calendar unit containing the reported time."""


def resolve_local(naive: datetime, zone: str) -> tuple[datetime, str | None]:
    """A naive local time in ``zone`` as a UTC datetime, and a note if it was in a gap or fold."""
    tz = zone_info(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    moment = first.astimezone(UTC)
    if first.utcoffset() == second.utcoffset():
        return moment, None
    local = f"{naive:%Y-%m-%d %H:%M}"
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        shown = moment.astimezone(tz)
        note = (
            f"local time {local} does not exist in {zone} (clocks moved forward); "
            f"read as {shown:%H:%M} {shown.tzname()}"
        )
        return moment, note
    note = f"local time {local} occurs twice in {zone} (clocks moved back); the earlier was taken"
    return moment, note


def check_zone(name: str, zone: str) -> str:
    """The zone's name if it is a known IANA zone, else :class:`FieldError` for field ``name``."""
    try:
        zone_info(zone)
    except ValueError:
        raise FieldError(
            name, "an IANA time zone such as 'Europe/Kyiv'", zone, "bad-time"
        ) from None
    return "Europe/Kyiv" if zone == "Europe/Kiev" else zone


def unit_start(naive: datetime, unit: str) -> datetime:
    """The start of the calendar ``unit`` that contains ``naive``."""
    if unit == "minute":
        return naive.replace(second=0, microsecond=0)
    if unit == "hour":
        return naive.replace(minute=0, second=0, microsecond=0)
    day = naive.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown calendar unit {unit!r}")


def unit_end(start: datetime, unit: str) -> datetime:
    """The start of the next calendar ``unit`` after the one beginning at ``start``."""
    steps = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
    if unit in steps:
        return start + steps[unit]
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    if unit == "year":
        return start.replace(year=start.year + 1)
    raise ValueError(f"unknown calendar unit {unit!r}")


def local_interval(
    first: datetime, last: datetime, zone: str
) -> tuple[datetime, datetime, list[str]]:
    """Two naive local times in ``zone`` as a UTC interval, with any gap or fold notes."""
    start, note_start = resolve_local(first, zone)
    end, note_end = resolve_local(last, zone)
    notes = [n for n in (note_start, note_end) if n]
    return start, end, notes


def calendar_interval(
    naive: datetime, zone: str, unit: str
) -> tuple[datetime, datetime, list[str]]:
    """The UTC interval of the local calendar ``unit`` holding ``naive`` (``exact``: an instant)."""
    if unit == "exact":
        return local_interval(naive, naive, zone)
    start = unit_start(naive, unit)
    return local_interval(start, unit_end(start, unit), zone)


def local_days(first: date, last: date, zone: str) -> tuple[datetime, datetime, list[str]]:
    """The UTC interval from local midnight of ``first`` to local midnight after ``last``."""
    start = datetime(first.year, first.month, first.day)
    end = datetime(last.year, last.month, last.day) + timedelta(days=1)
    return local_interval(start, end, zone)


_US_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def parse_us_or_iso_date(name: str, text: str) -> date:
    """A date written US style ('1/22/2014 12:00:00 AM', '02/05/2023 00:00') or ISO 8601."""
    cleaned = " ".join(text.split())
    for layout in (*_US_FORMATS, "%m/%d/%Y"):
        try:
            return datetime.strptime(cleaned, layout).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(cleaned).date()
    except ValueError:
        pass
    expected = "a date such as '1/22/2014 12:00:00 AM', '02/05/2023 00:00' or '2023-02-05'"
    raise FieldError(name, expected, text, "bad-date")


def parse_local(name: str, text: str) -> tuple[datetime, bool]:
    """An ISO-like local time ('2025-03-19 18:00', '2025-03-19T3:30', '2025-03-19').

    Returns the naive or aware datetime and whether a time of day was given.
    """
    cleaned = " ".join(text.replace("T", " ").split())
    date_part, _, time_part = cleaned.partition(" ")
    try:
        day = date.fromisoformat(date_part)
    except ValueError:
        raise FieldError(
            name, "a date and time such as '2025-03-19 18:00'", text, "bad-date"
        ) from None
    if not time_part:
        return datetime(day.year, day.month, day.day), False
    if len(time_part) >= 2 and time_part[1] == ":":
        time_part = "0" + time_part
    try:
        moment = datetime.fromisoformat(f"{day.isoformat()}T{time_part.replace('Z', '+00:00')}")
    except ValueError:
        raise FieldError(
            name, "a date and time such as '2025-03-19 18:00'", text, "bad-date"
        ) from None
    return moment, True
