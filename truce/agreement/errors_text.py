"""Turning pydantic's structural errors into drafter-facing problems with positions."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from truce.agreement.yamlsource import Path, get_path, step_into

_TYPE_WORDS = {
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
}


def data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """The part of pydantic's ``loc`` that exists in the data (drops union tags and the like)."""
    path: list[str | int] = []
    current = data
    for step in loc:
        key = "from" if step == "from_" else step  # the one field aliased to a keyword
        found, child = step_into(current, key)
        if found:
            current = child
            path.append(key)
    return tuple(path)


def message_for(error: ErrorDetails, data: Any, root: type[BaseModel]) -> tuple[str, str, Path]:
    """(type slug, message, path) for one pydantic error."""
    loc = tuple(error["loc"])
    path = data_path(data, loc)
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = allowed_keys(root, data, path[:-1] if path and path[-1] == key else path)
        hint = ""
        if allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = (
                f" (did you mean '{close[0]}'?)"
                if close
                else f" (expected one of: {', '.join(allowed)})"
            )
        return "unknown-key", f"unknown key '{key}'{hint}", path
    if kind == "missing":
        return "missing-field", f"missing required key '{loc[-1]}'", path
    if kind in ("value_error", "assertion_error"):
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return "invalid-value", f"{_field(loc)}{message}", path
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return "invalid-value", f"{_field(loc)}must be {expected}, got {value!r}", path
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag")
        expected = str(error.get("ctx", {}).get("expected_tags", ""))
        options = [t.strip().strip("'") for t in expected.split(",")]
        close = difflib.get_close_matches(str(tag), options, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {expected}"
        return "unknown-term-type", f"unknown type {tag!r}: {hint}", path
    if kind == "union_tag_not_found":
        return "missing-field", "missing required key 'type' (the kind of term)", path
    if kind == "too_short":
        least = error.get("ctx", {}).get("min_length", 1)
        return "too-few", f"{_field(loc)}must have at least {least} item(s)", path
    if kind in _TYPE_WORDS:
        return "wrong-type", f"{_field(loc)}must be {_TYPE_WORDS[kind]}, got {value!r}", path
    return kind.replace("_", "-"), f"{_field(loc)}{error['msg']}", path


def _field(loc: tuple[int | str, ...]) -> str:
    names = [
        str(step)
        for step in loc
        if isinstance(step, str) and not step.startswith(("function-", "tagged-"))
    ]
    if not names:
        return ""
    name = names[-1].removesuffix("_")
    return f"{name} "


def allowed_keys(root: type[BaseModel], data: Any, path: Path) -> list[str]:
    """The keys a mapping at ``path`` may have, found by walking the model types."""
    model = _model_at(root, data, path)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_at(root: type[BaseModel], data: Any, path: Path) -> type[BaseModel] | None:
    annotation: Any = root
    for depth, step in enumerate(path):
        model = _pick_model(annotation, get_path(data, path[:depth]))
        if model is not None and isinstance(step, str):
            fields = {f.alias or n: f for n, f in model.model_fields.items()}
            if step not in fields:
                return None
            annotation = fields[step].annotation
            continue
        annotation = _element_type(annotation, step)
        if annotation is None:
            return None
    return _pick_model(annotation, get_path(data, path))


def _element_type(annotation: Any, step: str | int) -> Any:
    for candidate in _flatten(annotation):
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if origin is list and isinstance(step, int) and args:
            return args[0]
        if origin is dict and isinstance(step, str) and len(args) == 2:
            return args[1]
    return None


def _pick_model(annotation: Any, value: Any) -> type[BaseModel] | None:
    models = [c for c in _flatten(annotation) if isinstance(c, type) and issubclass(c, BaseModel)]
    if not models:
        return None
    if len(models) > 1 and isinstance(value, Mapping):
        for model in models:
            field = model.model_fields.get("type")
            if field is not None and value.get("type") in typing.get_args(field.annotation):
                return model
    return models[0]


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        result: list[Any] = []
        for arg in typing.get_args(annotation):
            result.extend(_flatten(arg))
        return result
    return [annotation]
