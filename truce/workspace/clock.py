"""Moments as stored: integer microseconds since the Unix epoch, UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_micros() -> int:
    """The current UTC time in microseconds since the epoch."""
    return time.time_ns() // 1000


def micros_to_datetime(micros: int) -> datetime:
    """A stored moment as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


def micros_to_iso(micros: int | None) -> str | None:
    """A stored moment as ISO 8601 text ending in ``Z`` (None stays None)."""
    if micros is None:
        return None
    return micros_to_datetime(micros).isoformat().replace("+00:00", "Z")
