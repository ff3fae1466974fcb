"""Events: the one record shape every source is read into (see :mod:`truce.events.model`)."""

from truce.events.model import (
    EVENT_SCHEMA,
    Claim,
    Event,
    FieldError,
    ReadResult,
    ReadSummary,
    Rejected,
    batch_to_events,
    events_to_batch,
)

__all__ = [
    "EVENT_SCHEMA",
    "Claim",
    "Event",
    "FieldError",
    "ReadResult",
    "ReadSummary",
    "Rejected",
    "batch_to_events",
    "events_to_batch",
]
