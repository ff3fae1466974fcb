"""NASA FIRMS active-fire detections (MODIS or VIIRS CSV), read without a per-row Python loop.

Accepts the minimal form ``LATITUDE,LONGITUDE,ACQ_DATE`` and the full FIRMS columns
(``latitude, longitude, brightness, scan, track, acq_date, acq_time, satellite, instrument,
confidence, version, bright_t31, frp, daynight``), in any case and order, gzip or not.

Each detection is a ``fire`` event with no claims. Its time is the UTC day of ``acq_date`` (time
precision ``day``) or, when ``acq_time`` (HHMM, UTC) is present, that minute. Its precision is
the nominal pixel: 1 km for MODIS, 375 m when ``instrument`` says VIIRS (source ``firms-viirs``
instead of ``firms-modis``). ``raw`` holds every column of the row as JSON.

The file is streamed with :func:`pyarrow.csv.open_csv`, every column read as bytes and parsed
and checked with :mod:`pyarrow.compute`; only rejected rows (a non-numeric or out-of-range
coordinate, an impossible date, a row with too few or too many fields, text that is not valid
printable UTF-8) are looked at one by one, to say why.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from truce.errors import InputError
from truce.events.model import ReadResult, Rejected
from truce.io._arrow import (
    between,
    constant,
    in_calendar,
    json_objects,
    no_claims,
    schema_batch,
    to_day,
    to_float,
    to_text,
)
from truce.io._source import ReadOptions, existing_file, is_gzip, open_binary

MODIS_PIXEL_M = 1000.0
VIIRS_PIXEL_M = 375.0
REQUIRED = ("latitude", "longitude", "acq_date")
PARSED = (*REQUIRED, "acq_time")  # columns whose own check implies printable text


@dataclass
class _Lines:
    """Line bookkeeping: rows pyarrow skipped, to number the rows it kept."""

    path: str
    skipped: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    next_line: int = 2

    def handle(self, row: Any) -> str:
        """pyarrow's invalid-row handler: note the row as rejected (a blank line silently)."""
        number = int(row.number) if row.number is not None else -1
        self.skipped.append(number)
        if row.text.strip():
            reason = f"the row has {row.actual_columns} fields, the header {row.expected_columns}"
            kind = "missing-field" if row.actual_columns < row.expected_columns else "extra-fields"
            self.rejected.append(Rejected(self.path, number, row.text, reason, kind))
        return "skip"

    def number(self, count: int) -> np.ndarray:
        """The line numbers of the next ``count`` rows kept."""
        skipped = np.array(sorted(s for s in self.skipped if s >= self.next_line), dtype=np.int64)
        extra = 0
        while True:
            inside = int(np.count_nonzero(skipped < self.next_line + count + extra))
            if inside == extra:
                break
            extra = inside
        candidates = np.arange(self.next_line, self.next_line + count + extra, dtype=np.int64)
        lines = candidates[~np.isin(candidates, skipped)][:count]
        if len(lines):
            self.next_line = int(lines[-1]) + 1
        self.skipped = [s for s in self.skipped if s >= self.next_line]
        return lines


def read_firms(path: str | Path, options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Stream a FIRMS fire CSV (gzip or not) as event batches, vectorised."""
    options = options or ReadOptions()
    source = existing_file(path)
    original, names = _header(source)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InputError(f"{source}: not a FIRMS file: missing column(s) {', '.join(missing)}")
    return _stream(source, original, names, options.chunk_rows)


def _header(path: Path) -> tuple[list[str], list[str]]:
    with open_binary(path) as stream:
        try:
            first = stream.readline(1 << 20).decode("utf-8-sig")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not a FIRMS CSV: {exc}") from exc
    try:
        rows = list(csv.reader(io.StringIO(first, newline="")))
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: not a CSV header: {exc}") from exc
    if not rows or not rows[0]:
        raise InputError(f"{path}: empty file, expected a FIRMS CSV header")
    original = [name.strip() for name in rows[0]]
    names = [name.casefold() for name in original]
    if len(set(names)) != len(names):
        raise InputError(f"{path}: repeated column names in the header")
    return original, names


class _Utf8Guard(io.RawIOBase):
    """A byte stream that blanks out lines which are not UTF-8, quarantining each one.

    pyarrow decodes a bad row's text before its invalid-row handler can see it, so an
    undecodable line would fail the whole file. Blocks are checked at C speed; only a block
    that fails is walked line by line. A blanked line keeps its place (and line number).
    Blocks end at a line end, so a line is never split between two checks.
    """

    def __init__(self, source: IO[bytes], lines: _Lines, block: int = 1 << 22) -> None:
        super().__init__()
        self.source = source
        self.lines = lines
        self.block = block
        self.pending = b""
        self.line_number = 1  # of the first line of the next block
        self.done = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.source.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        while not self.pending and not self.done:
            self.pending = self._next_block()
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def _next_block(self) -> bytes:
        data = self.source.read(self.block)
        if not data:
            self.done = True
            return b""
        data += self.source.readline()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = self._blank_bad_lines(data)
        self.line_number += data.count(b"\n")
        return data

    def _blank_bad_lines(self, data: bytes) -> bytes:
        out = []
        for offset, line in enumerate(data.split(b"\n")):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                number = self.line_number + offset
                text = line.decode("utf-8", "backslashreplace")
                reason = f"the row is not UTF-8 text (byte {exc.start}): {exc.reason}"
                self.lines.rejected.append(
                    Rejected(self.lines.path, number, text, reason, "encoding")
                )
                line = b" "  # a row of the wrong width: skipped by the handler, not re-reported
            out.append(line)
        return b"\n".join(out)


def _open(path: Path, names: list[str], lines: _Lines) -> Any:
    # Open for the reader's whole life; the guard closes it when pyarrow closes the stream.
    opened = gzip.open(path, "rb") if is_gzip(path) else path.open("rb")  # noqa: SIM115
    source = cast(IO[bytes], opened)
    stream = io.BufferedReader(_Utf8Guard(source, lines), buffer_size=1 << 22)
    return pv.open_csv(
        stream,
        read_options=pv.ReadOptions(
            column_names=names, skip_rows=1, use_threads=False, block_size=1 << 22
        ),
        parse_options=pv.ParseOptions(invalid_row_handler=lines.handle, ignore_empty_lines=False),
        convert_options=pv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.binary()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _stream(
    path: Path, original: list[str], names: list[str], chunk_rows: int
) -> Iterator[ReadResult]:
    lines = _Lines(str(path))
    try:
        for batch in _open(path, names, lines):
            numbers = lines.number(batch.num_rows)
            for start in range(0, max(batch.num_rows, 1), chunk_rows):
                piece = batch.slice(start, chunk_rows)
                result = _convert(piece, numbers[start : start + chunk_rows], original, lines)
                if result.rows:
                    yield result
        if lines.rejected:
            left = _take(lines)
            yield ReadResult(schema_batch({}, 0), left, len(left))
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise InputError(f"{path}: not a readable FIRMS CSV: {exc}") from exc


def _take(lines: _Lines) -> list[Rejected]:
    taken, lines.rejected = lines.rejected, []
    return taken


@dataclass
class _Parsed:
    """The columns of one batch parsed once: texts, coordinates, times, and the checks."""

    texts: dict[str, pa.Array]
    lat: pa.Array
    lon: pa.Array
    start: pa.Array
    end: pa.Array
    precision: str
    checks: list[tuple[str, pa.Array, str]]

    def valid(self) -> pa.Array:
        """True for the rows that pass every check."""
        mask = self.checks[0][1]
        for _, passes, _ in self.checks[1:]:
            mask = pc.and_(mask, passes)
        return mask


def _parse(batch: pa.RecordBatch, names: list[str]) -> _Parsed:
    texts = {name: to_text(batch.column(i)) for i, name in enumerate(names)}
    lat, lon = to_float(texts["latitude"]), to_float(texts["longitude"])
    day = to_day(texts["acq_date"])
    checks = [
        ("latitude", between(lat, -90, 90), "a number between -90 and 90"),
        ("longitude", between(lon, -180, 180), "a number between -180 and 180"),
        ("acq_date", in_calendar(day), "a date such as '2022-06-11'"),
    ]
    start, end, precision = day, pc.add(day, pa.scalar(86_400_000_000, pa.duration("us"))), "day"
    if "acq_time" in texts:
        minutes = _minutes(texts["acq_time"])
        checks.append(("acq_time", pc.is_valid(minutes), "a UTC time HHMM such as '0042'"))
        start = end = pc.add(day, pc.cast(pc.multiply(minutes, 60_000_000), pa.duration("us")))
        precision = "minute"
    for name, text in texts.items():
        if name in PARSED:
            continue
        printable = pc.fill_null(pc.utf8_is_printable(text), False)
        checks.append((name, printable, "printable UTF-8 text"))
    return _Parsed(texts, lat, lon, start, end, precision, checks)


def _minutes(text: pa.Array) -> pa.Array:
    ok = pc.fill_null(pc.match_substring_regex(text, r"^\s*\d{1,4}\s*$"), False)
    cleaned = pc.utf8_trim_whitespace(pc.if_else(ok, text, pa.scalar(None, pa.string())))
    number = pc.cast(cleaned, pa.int64())
    hours = pc.divide(number, 100)
    minutes = pc.subtract(number, pc.multiply(hours, 100))
    in_range = pc.fill_null(pc.and_(pc.less(hours, 24), pc.less(minutes, 60)), False)
    total = pc.add(pc.multiply(hours, 60), minutes)
    return pc.if_else(in_range, total, pa.scalar(None, pa.int64()))


def _convert(
    batch: pa.RecordBatch, numbers: np.ndarray, original: list[str], lines: _Lines
) -> ReadResult:
    names = list(batch.schema.names)
    parsed = _parse(batch, names)
    valid = parsed.valid()
    keep = valid.to_numpy(zero_copy_only=False)
    bad_rows = np.nonzero(~keep)[0]
    rejected = _take(lines)
    skipped = len(rejected)
    rejected += [_reject(lines.path, parsed, original, int(numbers[i]), int(i)) for i in bad_rows]
    events = _events(parsed, valid, numbers[keep], original)
    return ReadResult(events, rejected, batch.num_rows + skipped)


def _reject(path: str, parsed: _Parsed, original: list[str], line: int, index: int) -> Rejected:
    texts = [text[index].as_py() for text in parsed.texts.values()]
    shown = ["<not UTF-8>" if t is None else t for t in texts]
    raw = ",".join(shown)
    names = list(parsed.texts)
    for name, passes, expected in parsed.checks:
        if not passes[index].as_py():
            column = names.index(name)
            got = shown[column]
            reason = f"field '{original[column]}': expected {expected}, got {got!r}"
            kind = {"acq_date": "bad-date", "acq_time": "bad-time"}.get(name, "bad-number")
            if name not in PARSED:
                kind = "encoding"
            return Rejected(path, line, raw, reason, kind, original[column])
    return Rejected(path, line, raw, "cannot be read", "bad-value")


def _events(
    parsed: _Parsed, valid: pa.Array, numbers: np.ndarray, original: list[str]
) -> pa.RecordBatch:
    count = len(numbers)
    texts = {name: pc.filter(text, valid) for name, text in parsed.texts.items()}
    line_text = pc.cast(pa.array(numbers, pa.int64()), pa.string())
    viirs = _is_viirs(texts, count)
    source = pc.if_else(viirs, "firms-viirs", "firms-modis")
    arrays = {
        "event_id": pc.binary_join_element_wise(source, line_text, ":"),
        "source": source,
        "source_record": line_text,
        "time_start": pc.filter(parsed.start, valid),
        "time_end": pc.filter(parsed.end, valid),
        "time_zone": constant("UTC", count),
        "time_precision": constant(parsed.precision, count),
        "lon": pc.filter(parsed.lon, valid),
        "lat": pc.filter(parsed.lat, valid),
        "precision_m": pc.if_else(viirs, VIIRS_PIXEL_M, MODIS_PIXEL_M),
        "area_precision": constant("point", count),
        "kind": constant("fire", count),
        "outcome": constant("unknown", count),
        "claims": no_claims(count),
        "text": pc.if_else(viirs, "FIRMS VIIRS fire detection", "FIRMS MODIS fire detection"),
        "link": constant("", count),
        "raw": json_objects(original, list(texts.values())),
    }
    return schema_batch(arrays, count)


def _is_viirs(texts: dict[str, pa.Array], count: int) -> pa.Array:
    if "instrument" not in texts:
        return pa.array(np.zeros(count, dtype=bool))
    found = pc.match_substring(pc.utf8_upper(texts["instrument"]), "VIIRS")
    return pc.fill_null(found, False)
