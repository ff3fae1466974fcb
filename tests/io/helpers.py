"""Shared helpers of the reader tests: where the data is, and reading a file whole."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from truce.events.model import EVENT_SCHEMA, Event, ReadSummary, Rejected, batch_to_events
from truce.io import read_events

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data" / "events"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("TRUCE_SHARED_DATA", "/work/shared/data"))
if not SHARED.exists():
    SHARED = REPO.parent / "shared" / "data"


@dataclass
class Read:
    """Everything a read produced, gathered."""

    table: pa.Table
    rejected: list[Rejected]
    summary: ReadSummary
    chunks: int

    def events(self) -> list[Event]:
        """The accepted events as values."""
        return batch_to_events(self.table)

    def by_record(self) -> dict[str, Event]:
        """The accepted events by their source record."""
        return {e.source_record: e for e in self.events()}


def read_all(path: str | Path, format: str, **options: object) -> Read:
    """Read a whole file, checking every chunk's batch against the schema on the way."""
    summary = ReadSummary()
    batches = []
    rejected: list[Rejected] = []
    chunks = 0
    for result in read_events(path, format, **options):  # type: ignore[arg-type]
        assert result.batch.schema.equals(EVENT_SCHEMA)
        result.batch.validate(full=True)
        summary.add(result)
        batches.append(result.batch)
        rejected.extend(result.rejected)
        chunks += 1
    table = pa.Table.from_batches(batches, schema=EVENT_SCHEMA)
    return Read(table, rejected, summary, chunks)


def shared_file(*parts: str) -> Path:
    """A file of the shared data catalogue, or a skip saying it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent (set TRUCE_SHARED_DATA to its folder)")
    return path


def bundled_file(name: str) -> Path:
    """A bundled extract of data/events, or a skip saying it is absent."""
    path = BUNDLED / name
    if not path.exists():
        pytest.skip(f"bundled extract {path} is absent")
    return path
