"""Validation problems as values: a stable ``type`` slug, a message, and where it came from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a problem is: an error makes the input unusable, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) with an input, located as precisely as known."""

    type: str
    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    column: int | None = None
    term: str | None = None
    path: tuple[str | int, ...] = ()

    @property
    def is_error(self) -> bool:
        """True for an error, false for a warning."""
        return self.severity is Severity.ERROR

    def where(self) -> str:
        """``file:line:column`` as far as known."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        label = "" if self.is_error else "warning: "
        term = f"term '{self.term}': " if self.term else ""
        return f"{self.where()}: {label}{term}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "type": self.type,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "term": self.term,
            "path": list(self.path),
        }


@dataclass
class ProblemList:
    """An ordered collection of problems with convenience views."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Append one problem."""
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Append several problems."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings."""
        return [p for p in self.items if not p.is_error]

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
