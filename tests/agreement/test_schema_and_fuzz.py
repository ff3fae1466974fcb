"""The published JSON Schema, and the validator's promise never to crash on any input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.agreement.builders import MINIMAL, TERM_PROHIBITED
from truce.agreement import agreement_schema, validate_text
from truce.agreement.yamlsource import load_yaml

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "agreements").glob("*.yaml"))


def test_schema_is_a_valid_json_schema() -> None:
    schema = agreement_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["required"]) >= {"truce", "id", "parties", "entry_into_force", "terms"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_conform_to_the_schema(path: Path) -> None:
    data, _ = load_yaml(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(agreement_schema()).validate(data)


def test_schema_rejects_a_bad_distance() -> None:
    data, _ = load_yaml(MINIMAL + TERM_PROHIBITED.replace("500 m", "close"))
    errors = list(jsonschema.Draft202012Validator(agreement_schema()).iter_errors(data))
    assert any("close" in e.message for e in errors)


YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_validator_never_crashes_on_any_text(text: str) -> None:
    report = validate_text(text, "fuzz.yaml", Path("."))
    assert report.agreement is None or report.ok
    for problem in report.problems:
        assert problem.file == "fuzz.yaml"
        assert problem.message


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(YAML_VALUES)
def test_validator_never_crashes_on_any_yaml_structure(value: object) -> None:
    text = yaml.safe_dump(value)
    report = validate_text(text, "fuzz.yaml", Path("."))
    assert not report.ok


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_validator_never_crashes_on_mutated_agreements(data: st.DataObject) -> None:
    document, _ = load_yaml(MINIMAL + TERM_PROHIBITED)
    path: list[object] = []
    node: object = document
    while isinstance(node, dict | list) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        path.append(key)
        if data.draw(st.booleans()):
            node[key] = data.draw(YAML_VALUES)
            break
        node = node[key]
    report = validate_text(json.dumps(document), "mutated.yaml", Path("."))
    for problem in report.problems:
        assert problem.where().startswith("mutated.yaml")
