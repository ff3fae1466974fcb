"""Event readers, one module per format, behind one entry point: :func:`read_events`.

Every reader streams its file in chunks (never the whole file), reads gzip transparently, and
never stops on a bad row: the row becomes a :class:`~truce.events.model.Rejected` naming the file,
the row and the field, and the rest goes on. A file that is not the format at all raises
:class:`~truce.errors.InputError`; an unknown format name raises
:class:`~truce.errors.UnsupportedFormat`.

Formats (:data:`READERS`):

==============  ==========================================================================
``ucdp``        UCDP GED CSV (cp1252, US dates) - :mod:`truce.io.ucdp`
``acled``       ACLED export CSV - :mod:`truce.io.acled`
``airforce``    Ukrainian Air Force daily reports CSV - :mod:`truce.io.airforce`
``firms``       NASA FIRMS fire detections CSV, vectorised - :mod:`truce.io.firms`
``geojson``     GeoJSON FeatureCollection of events - :mod:`truce.io.geojson`
``geoparquet``  (Geo)Parquet in the event schema - :mod:`truce.io.geoparquet`
``parquet``     the same reader
``csv-mapped``  any CSV with a YAML column mapping - :mod:`truce.io.csv_mapped` (alias ``csv``)
``cir``         the CIR/Bellingcat Russia-Ukraine Monitor Map export - :mod:`truce.io.cir`
==============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from truce.errors import InputError, UnsupportedFormat
from truce.events.model import ReadResult, ReadSummary, Rejected
from truce.io._areas import AreaLayer
from truce.io._source import ReadOptions, existing_file
from truce.io.acled import read_acled
from truce.io.airforce import read_airforce
from truce.io.cir import read_cir
from truce.io.csv_mapped import read_csv_mapped
from truce.io.firms import read_firms
from truce.io.geojson import read_geojson
from truce.io.geoparquet import read_geoparquet, write_events_parquet
from truce.io.ucdp import read_ucdp

Reader = Callable[[Path, ReadOptions], Iterator[ReadResult]]
"""A reader: a path and options in, a stream of chunks out."""

READERS: dict[str, Reader] = {
    "ucdp": read_ucdp,
    "acled": read_acled,
    "airforce": read_airforce,
    "firms": read_firms,
    "geojson": read_geojson,
    "geoparquet": read_geoparquet,
    "parquet": read_geoparquet,
    "csv-mapped": read_csv_mapped,
    "csv": read_csv_mapped,
    "cir": read_cir,
}
"""Every reader by format name (``csv`` is the generic CSV with a mapping: ``csv-mapped``)."""

MAPPED_FORMATS = frozenset({"csv", "csv-mapped"})
"""The formats that take a column mapping."""


def read_events(
    path: str | Path,
    format: str,
    *,
    chunk_rows: int = 65536,
    mapping: str | Path | Mapping[str, Any] | None = None,
    areas: AreaLayer | str | Path | None = None,
) -> Iterator[ReadResult]:
    """Stream the events of a file in ``format``, ``chunk_rows`` input rows per result.

    ``mapping`` is the column mapping of ``csv-mapped`` (a YAML path or a dict; default: the
    ``.mapping.yaml`` next to the file); ``areas`` the area layer used to place area-level
    events (default: the bundled oblast layer).
    """
    reader = READERS.get(format)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise UnsupportedFormat(f"no reader for format {format!r}; known formats: {known}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise InputError(f"chunk_rows must be a whole number of at least 1, got {chunk_rows!r}")
    if mapping is not None and format not in MAPPED_FORMATS:
        raise InputError(f"format {format!r} takes no column mapping")
    options = ReadOptions(chunk_rows=chunk_rows, mapping=mapping, areas=areas)
    return reader(existing_file(path), options)


__all__ = [
    "READERS",
    "ReadOptions",
    "ReadResult",
    "ReadSummary",
    "Reader",
    "Rejected",
    "read_events",
    "write_events_parquet",
]
