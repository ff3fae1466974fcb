"""The shared entry of the readers whose CSV rows are placed against the area layer."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from truce.events.model import Event, ReadResult
from truce.io._areas import AreaLayer, load_areas
from truce.io._source import (
    CsvFile,
    CsvRecord,
    ReadOptions,
    chunked,
    convert_records,
    existing_file,
    open_csv,
    require_columns,
)

RowToEvent = Callable[[CsvFile, CsvRecord, AreaLayer], Event]
"""A reader's own conversion of one row, given the file, the row and the area layer."""


def read_area_csv(
    path: str | Path,
    options: ReadOptions | None,
    *,
    encoding: str,
    required: Collection[str],
    what: str,
    to_event: RowToEvent,
) -> Iterator[ReadResult]:
    """Open the CSV, check its columns (``what`` names the file kind in errors), and stream
    its rows through ``to_event`` in chunks; bad rows come out as rejected values."""
    options = options or ReadOptions()
    csv_file = open_csv(existing_file(path), encoding)
    require_columns(csv_file, required, what)
    areas = load_areas(options.areas)
    return chunked(
        convert_records(csv_file, lambda record: to_event(csv_file, record, areas)),
        options.chunk_rows,
    )
