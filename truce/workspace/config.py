"""The workspace's configuration file, ``truce-workspace.toml``, and its settings as data.

Every setting is declared once in :data:`SETTINGS` (name, default, help); the file holds only
what differs from a default plus the database URL and the ledger origin, which ``truce init``
writes. A relative SQLite path in the URL is relative to the workspace folder.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truce.errors import InputError, StorageError, WorkspaceNotFound

CONFIG_NAME = "truce-workspace.toml"
"""The file whose presence makes a folder a workspace."""

FORMAT = 1
"""Version of the workspace layout and configuration file."""


@dataclass(frozen=True)
class Setting:
    """One configurable value: its dotted name, default and what it does."""

    name: str
    default: int | str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database",
        "sqlite:///record.sqlite",
        "SQLAlchemy URL of the record: SQLite (relative paths are inside the workspace) "
        "or postgresql://user@host/db",
    ),
    Setting("origin", "", "ledger origin line of every checkpoint (set by truce init)"),
    Setting("key_name", "", "signed-note key name of checkpoints (default: the origin)"),
    Setting("evidence.max_bytes", 512 * 1024 * 1024, "largest evidence file accepted, in bytes"),
    Setting(
        "evidence.max_pixels",
        150_000_000,
        "largest image accepted, in pixels (width x height); guards against decompression bombs",
    ),
    Setting("evidence.thumbnail_pixels", 320, "longest side of evidence thumbnails, in pixels"),
    Setting("import.chunk_rows", 20_000, "input rows committed per transaction by truce import"),
)
"""Every setting of a workspace."""

_DEFAULTS: dict[str, int | str] = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class WorkspaceConfig:
    """The parsed configuration: every setting, defaults filled in."""

    values: dict[str, int | str] = field(default_factory=lambda: dict(_DEFAULTS))

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def integer(self, name: str) -> int:
        """An integer setting."""
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InputError(f"{CONFIG_NAME}: {name} must be a positive whole number")
        return value

    @property
    def origin(self) -> str:
        """The ledger origin."""
        return str(self.values["origin"])

    @property
    def key_name(self) -> str:
        """The checkpoint signing key's name."""
        return str(self.values["key_name"] or self.values["origin"])

    def database_url(self, root: Path) -> str:
        """The database URL, a relative SQLite path resolved inside ``root``."""
        url = str(self.values["database"])
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/"):
            relative = url[len(prefix) :]
            if relative and not relative.startswith(":"):
                return prefix + str((root / relative).resolve())
        return url


def read_config(root: Path) -> WorkspaceConfig:
    """The configuration of the workspace at ``root``."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise WorkspaceNotFound(f"{root}: not a truce workspace (no {CONFIG_NAME}); run truce init")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StorageError(f"{path}: cannot be read: {exc}") from exc
    if document.get("format") != FORMAT:
        raise StorageError(
            f"{path}: workspace format {document.get('format')!r}, expected {FORMAT}"
        )
    values = dict(_DEFAULTS)
    for name, value in _flatten(document).items():
        if name == "format":
            continue
        if name not in _DEFAULTS:
            raise StorageError(f"{path}: unknown setting {name!r}")
        if type(value) is not type(_DEFAULTS[name]):
            raise StorageError(f"{path}: setting {name!r} must be {type(_DEFAULTS[name]).__name__}")
        values[name] = value
    return WorkspaceConfig(values)


def write_config(root: Path, values: dict[str, int | str]) -> None:
    """Write the configuration file with ``values`` (the others stay at their defaults)."""
    unknown = set(values) - set(_DEFAULTS)
    if unknown:
        raise InputError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    top = [f"format = {FORMAT}"]
    sections: dict[str, list[str]] = {}
    for name, value in values.items():
        section, dot, key = name.rpartition(".")
        line = f"{key if dot else name} = {json.dumps(value, ensure_ascii=False)}"
        (sections.setdefault(section, []) if dot else top).append(line)
    lines = ["# truce workspace; settings: see docs/record.md", *top]
    for section, entries in sections.items():
        lines.extend(["", f"[{section}]", *entries])
    (root / CONFIG_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat
