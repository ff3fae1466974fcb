"""Checking files: agreement files and event files in, a findings file and a summary out.

This is what ``truce check`` calls; the command itself only parses its options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from truce.agreement import load_agreement
from truce.engine.output import FindingWriter
from truce.engine.run import CheckResult, check
from truce.errors import InputError
from truce.events.model import ReadSummary
from truce.instant import Instant
from truce.io import read_events

EVENT_FORMATS = ("ucdp", "acled", "airforce", "firms", "geojson", "geoparquet", "csv")
"""Event formats ``truce check`` reads (``csv`` takes a column mapping)."""

_BY_SUFFIX = {".parquet": "geoparquet", ".geoparquet": "geoparquet", ".geojson": "geojson"}


def guess_format(path: str | Path) -> str:
    """The event format of a file from its name (a CSV needs its mapping next to it)."""
    name = Path(path).name.lower()
    for suffix, found in _BY_SUFFIX.items():
        if name.endswith(suffix):
            return found
    stem = Path(path)
    for ending in (".csv.gz", ".csv"):
        if name.endswith(ending):
            mapping = stem.with_name(stem.name[: -len(ending)] + ".mapping.yaml")
            if mapping.exists():
                return "csv"
    raise InputError(
        f"{path}: cannot tell the event format from the name; give --format "
        f"({', '.join(EVENT_FORMATS)})"
    )


def event_batches(
    paths: Sequence[str | Path],
    format: str | None,
    mapping: str | Path | None,
    read: ReadSummary,
    chunk_rows: int = 262_144,
) -> Iterator[pa.RecordBatch]:
    """Stream the events of every file, counting what the readers accepted and rejected."""
    for path in paths:
        chosen = format or guess_format(path)
        options = {"mapping": mapping} if chosen in ("csv", "csv-mapped") and mapping else {}
        for result in read_events(path, chosen, chunk_rows=chunk_rows, **options):
            read.add(result)
            yield result.batch


def check_files(
    agreements: Sequence[str | Path],
    events: Sequence[str | Path],
    *,
    out: str | Path | None = None,
    format: str | None = None,
    mapping: str | Path | None = None,
    at_least: str = "possible",
    assume_start: Instant | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> CheckResult:
    """Load the agreements, stream the events through the engine, write findings to ``out``."""
    loaded = [load_agreement(path) for path in agreements]
    read = ReadSummary()
    batches = event_batches(events, format, mapping, read)
    if out is None:
        result = check(
            loaded, batches, assume_start=assume_start, at_least=at_least, on_batch=on_batch
        )
    else:
        with FindingWriter(out) as writer:
            result = check(
                loaded,
                batches,
                assume_start=assume_start,
                at_least=at_least,
                sink=writer,
                on_batch=on_batch,
            )
    result.summary.rejected = dict(read.rejected_by_type)
    result.summary.rows_read = read.rows_read
    return result
