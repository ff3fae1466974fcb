"""Reading YAML while remembering where every value stood (line and column).

Scalars stay strings unless YAML's core schema says int, float, bool or null: a timestamp is
kept as written, so that instants are parsed by :mod:`truce.instant` with their zone rules and
not silently by PyYAML. Positions are keyed by the path of keys and indices from the root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


class YamlSyntaxError(Exception):
    """The text is not YAML (or not the YAML we accept); carries a position."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class PositionIndex:
    """Where each value of a parsed document stood in its file (1-based line and column)."""

    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]


def load_yaml(text: str) -> tuple[Any, PositionIndex]:
    """Parse one YAML document into plain Python values and their positions."""
    index = PositionIndex()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"not valid YAML: {problem}", line, column) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"not valid YAML: {exc}", None, None) from exc
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - defensive
        raise YamlSyntaxError(f"not valid YAML: {exc}", None, None) from exc
    if node is None:
        return None, index
    return _construct(node, (), index, depth=0), index


_MAX_DEPTH = 200


def _construct(node: yaml.Node, path: Path, index: PositionIndex, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise YamlSyntaxError("not valid YAML: nested too deeply", _line(node), _col(node))
    index.positions[path] = (_line(node), _col(node))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(
                    "not valid here: a mapping key must be a plain word",
                    _line(key_node),
                    _col(key_node),
                )
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlSyntaxError(
                    "merge keys ('<<') are not supported in agreement files",
                    _line(key_node),
                    _col(key_node),
                )
            key = str(key_node.value)
            if key in result:
                raise YamlSyntaxError(
                    f"key '{key}' appears twice in the same mapping",
                    _line(key_node),
                    _col(key_node),
                )
            child = (*path, key)
            index.key_positions[child] = (_line(key_node), _col(key_node))
            result[key] = _construct(value_node, child, index, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), index, depth + 1) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = str(node.value)
    if node.style in ("'", '"', "|", ">"):
        return value
    try:
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return value.lower() in ("true", "yes", "on")
        if node.tag == _INT:
            return int(value.replace("_", ""), 0)
        if node.tag == _FLOAT:
            return float(value.replace("_", ""))
    except ValueError:
        return value
    return value


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _col(node: yaml.Node) -> int:
    return int(node.start_mark.column) + 1


def get_path(data: Any, path: Path) -> Any:
    """The value at ``path`` in parsed data, or None when the path does not exist."""
    current = data
    for step in path:
        found, current = step_into(current, step)
        if not found:
            return None
    return current


def step_into(current: Any, step: str | int) -> tuple[bool, Any]:
    """(True, child) when ``step`` is a key or index of ``current``, else (False, None)."""
    if isinstance(current, Mapping) and isinstance(step, str) and step in current:
        return True, current[step]
    if isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
        return True, current[step]
    return False, None
