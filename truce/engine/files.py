"""Checking files: agreement files and event files in, a findings file and a summary out.

This is what ``truce check`` calls; the command itself only parses its options.
"""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar, cast

import pyarrow as pa

from truce.agreement import load_agreement
from truce.engine.output import FindingWriter
from truce.engine.run import CheckResult, check
from truce.errors import InputError
from truce.events.model import ReadSummary
from truce.instant import Instant
from truce.io import read_events

EVENT_FORMATS = ("ucdp", "acled", "airforce", "firms", "geojson", "geoparquet", "csv", "cir")
"""Event formats ``truce check`` reads (``csv`` takes a column mapping)."""

_T = TypeVar("_T")

_BY_SUFFIX = {".parquet": "geoparquet", ".geoparquet": "geoparquet", ".geojson": "geojson"}


_BY_COLUMNS = (
    ("ucdp", {"type_of_violence", "where_prec"}),
    ("acled", {"sub_event_type", "event_date"}),
    ("firms", {"acq_date"}),
    ("airforce", {"launch_place", "launched"}),
)


def guess_format(path: str | Path) -> str:
    """The event format of a file: from its name, else (for a CSV) from its header, else a CSV
    with its ``.mapping.yaml`` next to it."""
    name = Path(path).name.lower()
    for suffix, found in _BY_SUFFIX.items():
        if name.endswith(suffix):
            return found
    stem = Path(path)
    for ending in (".csv.gz", ".csv"):
        if name.endswith(ending):
            columns = _header(stem)
            for known, needed in _BY_COLUMNS:
                if needed <= columns:
                    return known
            mapping = stem.with_name(stem.name[: -len(ending)] + ".mapping.yaml")
            if mapping.exists():
                return "csv"
    raise InputError(
        f"{path}: cannot tell the event format from the name or the header; give --format "
        f"({', '.join(EVENT_FORMATS)})"
    )


def _header(path: Path) -> set[str]:
    """The lower-cased column names of a CSV's first line (gzip or not)."""
    try:
        with path.open("rb") as raw:
            start = raw.read(2)
        opener = gzip.open if start == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            line = stream.readline(65536).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    return {c.strip().strip('"').lstrip("\ufeff").lower() for c in line.split(",")}


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


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def read_ahead(items: Iterable[_T], depth: int = 2) -> Generator[_T, None, None]:
    """The items of ``items``, produced on a second thread up to ``depth`` ahead of the
    consumer (decoding Parquet or gzip releases the GIL, so the next batch is read while this
    one is checked). An error of the producer is raised where its item would have come;
    stopping early (or an error of the consumer) stops the producer at its next item."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            put(_Failed(error))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="truce-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield cast(_T, item)
    finally:
        stop.set()
        thread.join()


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
    batches = read_ahead(event_batches(events, format, mapping, read))
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
