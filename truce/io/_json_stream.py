"""Stream the features of a GeoJSON FeatureCollection one at a time.

A small scanner walks the top-level object key by key; the ``features`` array is decoded one
element at a time with :meth:`json.JSONDecoder.raw_decode`, so only one feature (plus a read-ahead
buffer) is held in memory. Any other top-level value is decoded whole. A single feature may not
exceed :data:`MAX_FEATURE_CHARS`. A lone ``Feature`` object is accepted too (as feature 1).

JSON has no way to resynchronise after a syntax error, so broken JSON raises :class:`InputError`
(after the features before it have been yielded); a well-formed feature with bad content is the
reader's business, not this module's.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from truce.errors import InputError
from truce.io._source import READ_ERRORS

MAX_FEATURE_CHARS = 64 * 1024 * 1024
READ_BYTES = 1 << 20
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


@dataclass(frozen=True)
class RawFeature:
    """One element of the features array: its 1-based number, decoded value and source text."""

    number: int
    value: Any
    text: str


class _Scanner:
    """A growing text buffer over a byte stream, with just enough JSON to walk the top level."""

    def __init__(self, path: Path, stream: IO[bytes]) -> None:
        self.path = path
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buffer = ""
        self.pos = 0
        self.eof = False

    def fail(self, what: str) -> InputError:
        """An :class:`InputError` saying what was expected where."""
        return InputError(f"{self.path}: not a GeoJSON FeatureCollection: {what}")

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.stream.read(max(READ_BYTES, len(self.buffer) - self.pos))
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise self.fail(f"text is not UTF-8 ({exc})") from exc
        except READ_ERRORS as exc:
            raise InputError(f"{self.path}: cannot be read: {exc}") from exc
        if self.pos > READ_BYTES:
            self.buffer, self.pos = self.buffer[self.pos :], 0
        self.buffer += text
        self.eof = not data
        return True

    def peek(self) -> str:
        """The next non-blank character ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def expect(self, characters: str) -> str:
        """Consume the next non-blank character, which must be one of ``characters``."""
        found = self.peek()
        if not found or found not in characters:
            wanted = " or ".join(repr(c) for c in characters)
            raise self.fail(f"expected {wanted} at character {self.pos}, got {found!r}")
        self.pos += 1
        return found

    def value(self) -> tuple[Any, str]:
        """Decode the next JSON value; return it with its text."""
        self.peek()
        while True:
            start = self.pos
            try:
                value, end = _DECODER.raw_decode(self.buffer, start)
            except json.JSONDecodeError as exc:
                if self._grow(start):
                    continue
                raise self.fail(f"{exc.msg} at character {exc.pos}") from exc
            if end == len(self.buffer) and self._grow(start):
                continue
            self.pos = end
            return value, self.buffer[start:end]

    def _grow(self, start: int) -> bool:
        if len(self.buffer) - start > MAX_FEATURE_CHARS:
            raise self.fail(f"a value longer than {MAX_FEATURE_CHARS} characters")
        return self._more()


def iter_features(path: Path, stream: IO[bytes]) -> Iterator[RawFeature]:
    """The features of a FeatureCollection (or the one Feature) in ``stream``, in order."""
    scanner = _Scanner(path, stream)
    scanner.expect("{")
    others: dict[str, Any] = {}
    seen_features = False
    if scanner.peek() == "}":
        raise scanner.fail("an empty object")
    while True:
        name, _ = scanner.value()
        if not isinstance(name, str):
            raise scanner.fail("an object key that is not a string")
        scanner.expect(":")
        if name == "features":
            seen_features = True
            yield from _array(scanner)
        else:
            others[name] = scanner.value()
        if scanner.expect(",}") == "}":
            break
    if scanner.peek() != "":
        raise scanner.fail("text after the end of the top-level object")
    if not seen_features:
        yield _lone_feature(scanner, others)


def _array(scanner: _Scanner) -> Iterator[RawFeature]:
    scanner.expect("[")
    if scanner.peek() == "]":
        scanner.pos += 1
        return
    number = 0
    while True:
        number += 1
        value, text = scanner.value()
        yield RawFeature(number, value, text)
        if scanner.expect(",]") == "]":
            return


def _lone_feature(scanner: _Scanner, members: dict[str, tuple[Any, str]]) -> RawFeature:
    kind = members.get("type", (None, ""))[0]
    if kind != "Feature":
        raise scanner.fail("no 'features' array and not a single Feature")
    value = {name: decoded for name, (decoded, _) in members.items()}
    return RawFeature(1, value, json.dumps(value, ensure_ascii=False))
