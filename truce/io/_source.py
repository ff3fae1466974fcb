"""Shared machinery of the readers: opening files (gzip or not), CSV records, chunking.

A reader turns each input row into an :class:`~truce.events.model.Event` or a
:class:`~truce.events.model.Rejected`; :func:`chunked` packs those into
:class:`~truce.events.model.ReadResult` values of ``chunk_rows`` input rows each.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, cast

from truce.errors import InputError
from truce.events.model import (
    Event,
    FieldError,
    ReadResult,
    Rejected,
    check_event,
    empty_batch,
    events_to_batch,
    rejected_from,
    row_json,
)
from truce.io._areas import AreaLayer

GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def existing_file(path: str | Path) -> Path:
    """``path`` as a :class:`Path`; :class:`InputError` naming it if it is not a file."""
    candidate = Path(path)
    if not candidate.exists():
        raise InputError(f"{candidate}: no such file")
    if not candidate.is_file():
        raise InputError(f"{candidate}: not a file")
    return candidate


def is_gzip(path: Path) -> bool:
    """Whether the file starts with the gzip magic number."""
    try:
        with path.open("rb") as stream:
            return stream.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed on the fly when it is gzip (whatever its name)."""
    try:
        if is_gzip(path):
            return cast(IO[bytes], gzip.open(path, "rb"))
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc


class _Lines:
    """Decoded lines of a binary stream, remembering the raw text of the current record."""

    def __init__(self, path: Path, stream: IO[bytes], encoding: str) -> None:
        self.path = path
        self.stream = stream
        self.encoding = encoding
        self.count = 0
        self.pending: list[str] = []
        self.undecodable = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            data = self.stream.readline()
        except READ_ERRORS as exc:
            raise InputError(f"{self.path}: cannot be read after line {self.count}: {exc}") from exc
        if not data:
            raise StopIteration
        self.count += 1
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError:
            text = data.decode(self.encoding, errors="replace")
            self.undecodable = True
        if self.count == 1 and text.startswith("\ufeff"):
            text = text[1:]
        self.pending.append(text)
        return text

    def take(self) -> tuple[str, bool]:
        """The raw text of the lines read since the last call, and whether any was undecodable."""
        text, bad = "".join(self.pending), self.undecodable
        self.pending, self.undecodable = [], False
        return text.rstrip("\r\n"), bad


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record: its first line number, its fields by column name, its raw text."""

    line: int
    values: dict[str, str]
    text: str


@dataclass
class CsvFile:
    """An open CSV file: its header and a stream of records or rejections."""

    path: Path
    header: list[str]
    records: Iterator[CsvRecord | Rejected]
    original_header: list[str]

    def raw_json(self, record: CsvRecord) -> str:
        """The record as JSON with the file's own column names (the ``raw`` column)."""
        return row_json(dict(zip(self.original_header, record.values.values(), strict=True)))


def open_csv(path: Path, encoding: str = "utf-8", *, fold_case: bool = True) -> CsvFile:
    """Open a CSV file for streaming; :class:`InputError` when it has no usable header."""
    stream = open_binary(path)
    lines = _Lines(path, stream, encoding)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        stream.close()
        raise InputError(f"{path}: empty file, expected a CSV header") from None
    except csv.Error as exc:
        stream.close()
        raise InputError(f"{path}: line 1: not a CSV header: {exc}") from exc
    lines.take()
    names = _unique([_column_name(name, fold_case) for name in header])
    original = [name.strip() for name in header]
    return CsvFile(path, names, _records(path, stream, lines, reader, names), original)


def _unique(names: list[str]) -> list[str]:
    unique: list[str] = []
    used: set[str] = set()
    for name in names:
        candidate, number = name, 1
        while candidate in used:
            number += 1
            candidate = f"{name}#{number}"
        unique.append(candidate)
        used.add(candidate)
    return unique


def _column_name(name: str, fold_case: bool) -> str:
    name = name.strip()
    return name.casefold() if fold_case else name


def _records(
    path: Path, stream: IO[bytes], lines: _Lines, reader: Iterator[list[str]], header: list[str]
) -> Iterator[CsvRecord | Rejected]:
    with stream:
        while True:
            start = lines.count + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                text, _ = lines.take()
                yield Rejected(str(path), start, text, f"not valid CSV: {exc}", "csv-syntax")
                continue
            text, undecodable = lines.take()
            if not fields:
                continue
            yield _record(path, start, fields, text, header, undecodable)


def _record(
    path: Path, line: int, fields: list[str], text: str, header: list[str], undecodable: bool
) -> CsvRecord | Rejected:
    if undecodable:
        reason = "bytes that are not valid in the file's encoding"
        return Rejected(str(path), line, text, reason, "encoding")
    if len(fields) < len(header):
        missing = header[len(fields)]
        reason = (
            f"field '{missing}': missing (the row has {len(fields)} fields, "
            f"the header {len(header)})"
        )
        return Rejected(str(path), line, text, reason, "missing-field", missing)
    if len(fields) > len(header):
        reason = f"the row has {len(fields)} fields, the header only {len(header)}"
        return Rejected(str(path), line, text, reason, "extra-fields")
    return CsvRecord(line, dict(zip(header, fields, strict=True)), text)


def require_columns(csv_file: CsvFile, required: Iterable[str], what: str) -> None:
    """:class:`InputError` naming the file and the columns it lacks, if any."""
    missing = [name for name in required if name not in csv_file.header]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise InputError(f"{csv_file.path}: not {what}: missing column(s) {names}")


def convert_records(
    csv_file: CsvFile, convert: Callable[[CsvRecord], Event]
) -> Iterator[Event | Rejected]:
    """Each record converted and checked; a row that fails becomes a :class:`Rejected`."""
    for record in csv_file.records:
        if isinstance(record, Rejected):
            yield record
        else:
            make = partial(convert, record)
            yield convert_one(str(csv_file.path), record.line, record.text, make)


def convert_one(file: str, row: int, raw: str, make: Callable[[], Event]) -> Event | Rejected:
    """``make()`` checked with :func:`check_event`, or the :class:`Rejected` it raised."""
    try:
        event = make()
        check_event(event)
    except FieldError as exc:
        return rejected_from(exc, file, row, raw)
    except (ValueError, ArithmeticError) as exc:
        return Rejected(file, row, raw, f"cannot be read: {exc}", "bad-value")
    return event


def chunked(items: Iterable[Event | Rejected], chunk_rows: int) -> Iterator[ReadResult]:
    """Pack one-item-per-input-row into results of ``chunk_rows`` rows each."""
    events: list[Event] = []
    rejected: list[Rejected] = []
    for item in items:
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            events.append(item)
        if len(events) + len(rejected) >= chunk_rows:
            yield _result(events, rejected)
            events, rejected = [], []
    if events or rejected:
        yield _result(events, rejected)


def _result(events: list[Event], rejected: list[Rejected]) -> ReadResult:
    batch = events_to_batch(events) if events else empty_batch()
    return ReadResult(batch, rejected, len(events) + len(rejected))


def text_field(values: dict[str, str], name: str) -> str:
    """The stripped text of a column ('' when the column is absent)."""
    return values.get(name, "").strip()


def parse_float(
    values: dict[str, str], name: str, low: float | None = None, high: float | None = None
) -> float | None:
    """A number from a column (None when empty), within ``[low, high]`` when given."""
    text = text_field(values, name)
    if not text:
        return None
    return check_float(name, text, low, high)


def check_float(name: str, text: str, low: float | None, high: float | None) -> float:
    """``text`` as a finite float within bounds, or :class:`FieldError` saying what was expected."""
    expected = _number_hint(low, high)
    try:
        number = float(text)
    except ValueError:
        raise FieldError(name, expected, text, "bad-number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FieldError(name, expected, text, "bad-number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise FieldError(name, expected, text, "bad-number")
    return number


def _number_hint(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a number between {low:g} and {high:g}"
    if low is not None:
        return f"a number of at least {low:g}"
    return "a number"


def parse_count(values: dict[str, str], name: str) -> int | None:
    """A non-negative whole number from a column (None when empty); '12.0' is accepted."""
    number = parse_float(values, name, 0, 2**31 - 1)
    if number is None:
        return None
    if number != int(number):
        raise FieldError(name, "a whole number", values[name].strip(), "bad-number")
    return int(number)


def require_text(values: dict[str, str], name: str) -> str:
    """The non-empty text of a column, or :class:`FieldError`."""
    text = text_field(values, name)
    if not text:
        raise FieldError(name, "a value", "<empty>", "missing-field")
    return text


@dataclass(frozen=True)
class ReadOptions:
    """What every reader is given besides the path."""

    chunk_rows: int = 65536
    mapping: str | Path | Mapping[str, Any] | None = None
    areas: AreaLayer | str | Path | None = None
