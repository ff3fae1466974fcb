"""Writing findings as they are made: Parquet, CSV or GeoJSON, chosen by the file's extension.

All three carry the same columns (:data:`truce.engine.findings.FINDING_SCHEMA`). In CSV the
claims are a JSON array in one cell; in GeoJSON each finding is a Feature whose geometry is the
event's point (null for term-level findings) and whose properties are every other column.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from truce.engine.explain import concat, literal
from truce.engine.findings import DICTIONARY_COLUMNS, FINDING_SCHEMA, PLAIN_SCHEMA, as_plain
from truce.errors import InputError

OUTPUT_FORMATS = {".parquet": "parquet", ".csv": "csv", ".geojson": "geojson"}
"""Output format by file extension."""


STATISTICS_COLUMNS = [
    name for name in FINDING_SCHEMA.names if name not in ("claims", "explanation", "proxies")
]
"""Columns with min/max statistics in Parquet (not the long texts: nobody filters on their
order, and computing it costs about a sixth of the writing)."""


COMPRESSION = "lz4"
"""Parquet codec of findings files: LZ4 compresses the explanations (about 700 bytes a finding,
much repeated) about 30 times, a third faster than zstd at level 1 (files about 45% larger)."""


ROW_GROUP_ROWS = 65_536
"""Findings gathered into Parquet row groups of at least this many rows."""


BACKGROUND = True
"""Whether Parquet row groups are encoded and written on a second thread by default (pyarrow
releases the GIL while it does, so a second core encodes one row group while the engine
composes the next)."""


def output_format(path: str | Path) -> str:
    """The output format a path's extension asks for."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        known = ", ".join(OUTPUT_FORMATS)
        raise InputError(f"{path}: cannot tell the output format; use one of {known}")
    return OUTPUT_FORMATS[suffix]


def _json_text(text: pa.Array) -> pa.Array:
    escaped = pc.fill_null(text, literal(""))
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        escaped = pc.replace_substring(escaped, old, new)
    return concat('"', escaped, '"')


def claims_json(claims: pa.Array) -> pa.Array:
    """Each row's claims as a JSON array of objects, built column-wise."""
    if isinstance(claims, pa.ChunkedArray):
        claims = claims.combine_chunks()
    flat = pc.list_flatten(claims)
    each = concat(
        '{"claimant":',
        _json_text(flat.field("claimant")),
        ',"perpetrator":',
        _json_text(flat.field("perpetrator")),
        ',"note":',
        _json_text(flat.field("note")),
        "}",
    )
    lengths = pc.fill_null(pc.list_value_length(claims), 0).to_numpy(zero_copy_only=False)
    offsets = pa.array([0, *lengths.cumsum().tolist()], pa.int32())
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, each), literal(","))
    return concat("[", joined, "]")


class FindingWriter:
    """A findings file being written batch by batch; use as a context manager.

    In Parquet, each row group is encoded, compressed and written on a second thread
    (``background``, :data:`BACKGROUND` by default) while the caller goes on; at most one row
    group is in flight, and the rows land in the order they were given. An error of that
    thread is raised by the :meth:`write` that completes the next row group, or by
    :meth:`close`."""

    def __init__(self, path: str | Path, *, background: bool | None = None) -> None:
        self.path = Path(path)
        self._background = BACKGROUND if background is None else background
        self._executor: ThreadPoolExecutor | None = None
        self._writing: Future[None] | None = None
        self.format = output_format(self.path)
        self.count = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._text: IO[str] | None = None
        try:
            if self.format == "parquet":
                self._parquet = pq.ParquetWriter(
                    self.path,
                    FINDING_SCHEMA,
                    compression=COMPRESSION,
                    use_dictionary=list(DICTIONARY_COLUMNS),
                    write_statistics=STATISTICS_COLUMNS,
                )
            elif self.format == "csv":
                schema = PLAIN_SCHEMA.set(
                    PLAIN_SCHEMA.get_field_index("claims"), pa.field("claims", pa.string())
                )
                self._csv = pacsv.CSVWriter(str(self.path), schema)
            else:
                self._text = self.path.open("w", encoding="utf-8")
                self._text.write('{"type": "FeatureCollection", "features": [\n')
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be written: {exc}") from exc

    def write(self, batch: pa.RecordBatch) -> None:
        """Append findings."""
        if batch.num_rows == 0:
            return
        if not batch.schema.equals(FINDING_SCHEMA):
            batch = batch.cast(FINDING_SCHEMA)
        if self._parquet is not None:
            self._pending.append(batch)
            self._pending_rows += batch.num_rows
            if self._pending_rows >= ROW_GROUP_ROWS:
                self._flush()
        elif self._csv is not None:
            plain = as_plain(batch)
            index = plain.schema.get_field_index("claims")
            self._csv.write_batch(
                plain.set_column(index, "claims", claims_json(plain.column("claims")))
            )
        elif self._text is not None:
            for row in batch.to_pylist():
                prefix = ",\n" if self.count else ""
                self._text.write(
                    prefix + json.dumps(_feature(row), ensure_ascii=False, default=str)
                )
                self.count += 1
            return
        self.count += batch.num_rows

    def _flush(self) -> None:
        if self._parquet is not None and self._pending:
            # one dictionary per column and row group: Parquet then writes each dictionary as
            # it is (a column chunk whose dictionary changes falls back to plain encoding)
            table = pa.Table.from_batches(self._pending, schema=FINDING_SCHEMA)
            table = table.unify_dictionaries()
            self._wait()
            if self._background:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(1, thread_name_prefix="truce-findings")
                self._writing = self._executor.submit(self._parquet.write_table, table)
            else:
                self._parquet.write_table(table)
        self._pending, self._pending_rows = [], 0

    def _wait(self) -> None:
        """Wait for the row group in flight (raising its error, if any)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def close(self) -> None:
        """Finish the file."""
        if self._parquet is not None:
            try:
                self._flush()
                self._wait()
            finally:
                if self._executor is not None:
                    self._executor.shutdown(wait=True)
                    self._executor = None
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if self._text is not None:
            self._text.write("\n]}\n")
            self._text.close()

    def __enter__(self) -> FindingWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    lon, lat = row.get("lon"), row.get("lat")
    geometry = (
        {"type": "Point", "coordinates": [lon, lat]}
        if lon is not None and lat is not None
        else None
    )
    properties = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    return {"type": "Feature", "geometry": geometry, "properties": properties}
