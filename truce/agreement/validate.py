"""Validating agreement files: every problem at once, each with file, line, column and term.

Structure is checked by the pydantic model; items that fail are set aside and the rest is
checked again for meaning (references, dates, layer versions, geometry), so one bad term does
not hide the problems of another. Nothing here raises on bad input: problems are values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from truce.agreement.errors_text import message_for
from truce.agreement.geometry import LayerGeometry, load_version
from truce.agreement.model import Agreement
from truce.agreement.semantics import SemanticChecker
from truce.agreement.yamlsource import Path, PositionIndex, YamlSyntaxError, get_path, load_yaml
from truce.errors import AgreementInvalid, InputError
from truce.problems import Problem, Severity

_LISTS = ("sources", "parties", "approvals", "layers", "terms", "reciprocal_release")


@dataclass
class ValidationReport:
    """The outcome of validating one agreement file."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    agreement: Agreement | None = None

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings."""
        return [p for p in self.problems if not p.is_error]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "file": self.file,
            "valid": self.ok,
            "agreement": self.agreement.id if self.agreement else None,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


def validate_file(path: str | FilePath) -> ValidationReport:
    """Validate one agreement file; a file that cannot be read is reported as a problem."""
    file = FilePath(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return ValidationReport(
            str(path),
            [Problem("unreadable-file", f"cannot read file: {exc.strerror}", file=str(path))],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ValidationReport(
            str(path),
            [
                Problem(
                    "encoding", f"not UTF-8 text (byte {exc.start}): {exc.reason}", file=str(path)
                )
            ],
        )
    return validate_text(text, str(path), file.parent)


def load_agreement(path: str | FilePath) -> Agreement:
    """Load an agreement file, raising :class:`AgreementInvalid` with every error if it has any."""
    if not FilePath(path).exists():
        raise InputError(f"{path}: no such agreement file")
    report = validate_file(path)
    if not report.ok or report.agreement is None:
        raise AgreementInvalid(str(path), report.problems)
    return report.agreement


def validate_text(text: str, filename: str, base_dir: FilePath) -> ValidationReport:
    """Validate agreement text; layer files are resolved relative to ``base_dir``."""
    report = ValidationReport(filename)
    try:
        data, positions = load_yaml(text)
    except YamlSyntaxError as exc:
        report.problems.append(
            Problem("yaml-syntax", exc.message, file=filename, line=exc.line, column=exc.column)
        )
        return report
    locate = _Locator(filename, data, positions)
    if not isinstance(data, dict):
        report.problems.append(
            locate.problem(
                (), "wrong-type", "an agreement file must be a mapping of keys to values"
            )
        )
        return report
    agreement, salvage = _structure(data, locate, report.problems)
    if agreement is None:
        return report
    locate.remap = salvage.kept
    geometry = _load_geometry(agreement, base_dir, locate, report.problems)
    checker = SemanticChecker(agreement, geometry, salvage.dropped_ids)
    for path, kind, message, severity in checker.run():
        report.problems.append(locate.problem(path, kind, message, severity))
    if report.ok:
        agreement._path = filename
        agreement._geometry = geometry
        agreement._base_dir = str(base_dir)
        report.agreement = agreement
    report.problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return report


class _Locator:
    """Makes problems located in the file from paths in the parsed data."""

    def __init__(self, filename: str, data: Any, positions: PositionIndex) -> None:
        self.filename = filename
        self.data = data
        self.positions = positions
        self.remap: dict[str, list[int]] = {}

    def problem(
        self, path: Path, kind: str, message: str, severity: Severity = Severity.ERROR
    ) -> Problem:
        path = self._original(path)
        line, column = self.positions.locate(path, key=kind in ("unknown-key",))
        return Problem(
            kind, message, severity, self.filename, line, column, self._term_of(path), path
        )

    def _original(self, path: Path) -> Path:
        """Translate an index into a salvaged list back to the item's index in the file."""
        if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
            kept = self.remap.get(path[0])
            if kept is not None and path[1] < len(kept):
                return (path[0], kept[path[1]], *path[2:])
        return path

    def _term_of(self, path: Path) -> str | None:
        if len(path) >= 2 and path[0] == "terms" and isinstance(path[1], int):
            term_id = get_path(self.data, ("terms", path[1], "id"))
            return term_id if isinstance(term_id, str) else f"#{path[1] + 1}"
        return None


@dataclass
class _Salvage:
    """What was set aside to check the rest: ids dropped, and kept indices per list."""

    data: dict[str, Any]
    dropped_ids: set[str] = field(default_factory=set)
    kept: dict[str, list[int]] = field(default_factory=dict)


def _structure(
    data: dict[str, Any], locate: _Locator, problems: list[Problem]
) -> tuple[Agreement | None, _Salvage]:
    """Build the model; on failure report everything, drop bad list items and try again."""
    try:
        return Agreement.model_validate(data), _Salvage(data)
    except ValidationError as exc:
        errors = exc.errors()
    for error in errors:
        kind, message, path = message_for(error, data, Agreement)
        problems.append(locate.problem(path, kind, message))
    salvage = _drop_bad_items(data, errors)
    try:
        return Agreement.model_validate(salvage.data), salvage
    except ValidationError:
        return None, salvage


def _drop_bad_items(data: dict[str, Any], errors: Iterable[Any]) -> _Salvage:
    bad: dict[str, set[int]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if len(loc) >= 2 and loc[0] in _LISTS and isinstance(loc[1], int):
            bad.setdefault(str(loc[0]), set()).add(loc[1])
    salvage = _Salvage(dict(data))
    for key, indices in bad.items():
        items = data.get(key)
        if not isinstance(items, list):
            continue
        for i in indices:
            item_id = items[i].get("id") if i < len(items) and isinstance(items[i], dict) else None
            if isinstance(item_id, str):
                salvage.dropped_ids.add(item_id)
        salvage.kept[key] = [i for i in range(len(items)) if i not in indices]
        salvage.data[key] = [items[i] for i in salvage.kept[key]]
    return salvage


def _load_geometry(
    agreement: Agreement, base_dir: FilePath, locate: _Locator, problems: list[Problem]
) -> dict[str, list[LayerGeometry | None]]:
    geometry: dict[str, list[LayerGeometry | None]] = {}
    for i, layer in enumerate(agreement.layers):
        loaded: list[LayerGeometry | None] = []
        for j, version in enumerate(layer.versions):
            result, version_problems = load_version(layer, version, base_dir)
            loaded.append(result)
            for problem in version_problems:
                path = ("layers", i, "versions", j, *problem.path)
                problems.append(
                    locate.problem(path, problem.type, f"layer '{layer.id}': {problem.message}")
                )
        geometry[layer.id] = loaded
    return geometry
