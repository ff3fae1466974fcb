"""Settings of corroboration and the kind compatibility table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.verification.builders import report, table
from truce.errors import InputError
from truce.verification import (
    DEFAULT_KIND_RULES,
    SETTINGS,
    CorroborationConfig,
    KindRule,
    SourceDeclaration,
    SourceType,
    config_from_mapping,
    corroborate,
    kind_table,
)
from truce.vocabulary import EVENT_KINDS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "verification.md"


@pytest.mark.parametrize(
    ("first", "second", "relation"),
    [
        ("strike", "drone-strike", "agree"),
        ("use-of-force", "artillery", "agree"),
        ("artillery", "fire", "consistent"),
        ("missile-strike", "drone-strike", "consistent"),
        ("drone-strike", "artillery", "conflicting"),
        ("sabotage", "missile-strike", "conflicting"),
        ("ground-assault", "air-alert", "incompatible"),
        ("military-presence", "strike", "incompatible"),
        ("air-alert", "air-alert", "agree"),
    ],
)
def test_default_kind_relations(first: str, second: str, relation: str) -> None:
    kinds = kind_table()
    assert kinds.relation(first, second) == relation
    assert kinds.relation(second, first) == relation


def test_every_kind_agrees_with_itself_and_the_table_is_symmetric() -> None:
    kinds = kind_table(DEFAULT_KIND_RULES)
    assert kinds.slugs == tuple(EVENT_KINDS)
    assert (kinds.matrix == kinds.matrix.T).all()
    assert all(kinds.relation(s, s) == "agree" for s in EVENT_KINDS)


def test_rules_are_configurable() -> None:
    rules = (*DEFAULT_KIND_RULES, KindRule("air-alert", "strike", "consistent", "alerts precede"))
    config = CorroborationConfig(kind_rules=rules)
    rows = [report("a:1", kind="air-alert"), report("b:1", kind="drone-strike", source="m-b")]
    assert corroborate(table(rows), config).incidents.num_rows == 1
    assert corroborate(table(rows)).incidents.num_rows == 2


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (KindRule("strike", "nonsense", "consistent"), "unknown event kind"),
        (KindRule("strike", "fire", "maybe"), "relation must be"),
    ],
)
def test_bad_kind_rules_are_refused(rule: KindRule, message: str) -> None:
    with pytest.raises(InputError, match=message):
        kind_table([rule])


def test_windows_are_per_source_type() -> None:
    near = [
        report("a:1", source="osce-smm", precision_m=0.0),
        report("b:1", source="media-b", precision_m=0.0, lon=37.6 + 3.0 / 73.0),
    ]
    monitors = CorroborationConfig().with_sources(
        SourceDeclaration("osce-smm", "monitor"), SourceDeclaration("media-b", "monitor")
    )
    assert corroborate(table(near)).incidents.num_rows == 1  # 3 km: within 5 km of media
    assert corroborate(table(near), monitors).incidents.num_rows == 2  # not within 1 km


def test_undeclared_sources_take_the_default_type() -> None:
    config = CorroborationConfig()
    assert config.declaration("somebody").type == "report"
    assert config.declaration("ucdp-ged").attributes is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"default_type": "rumour"}, "default_type"),
        ({"anchor_precision_m": -1.0}, "anchor_precision_m"),
        ({"join_precision_m": 10.0}, "join_precision_m must be at least"),
        ({"join_span_s": 60.0}, "join_span_s must be at least"),
        ({"sources": (SourceDeclaration("x", "rumour"),)}, "unknown source type"),
        ({"sources": (SourceDeclaration("x", "media"),) * 2}, "only once"),
        ({"source_types": (SourceType("report", -5, 0),)}, "distance_m"),
        ({"source_types": (SourceType("report", 1, 1), SourceType("report", 1, 1))}, "distinct"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        dataclasses.replace(CorroborationConfig(), **changes)  # type: ignore[arg-type]


def test_settings_from_plain_data() -> None:
    config = config_from_mapping(
        {
            "anchor_precision_m": 10_000,
            "sources": [{"source": "wire-a", "type": "report", "origin": "agency-x"}],
            "source_types": [{"name": "report", "distance_m": 3000, "time_s": 600}],
            "kind_rules": [{"first": "fire", "second": "use-of-force", "relation": "consistent"}],
        }
    )
    assert config.anchor_precision_m == 10_000
    assert config.declaration("wire-a").origin_name == "agency-x"
    with pytest.raises(InputError, match="unknown corroboration setting"):
        config_from_mapping({"anchor": 1})
    with pytest.raises(InputError, match="corroboration settings"):
        config_from_mapping({"sources": [{"name": "x"}]})


def test_every_setting_is_listed_and_documented() -> None:
    fields = {f.name for f in dataclasses.fields(CorroborationConfig)}
    assert {name for name, _, _ in SETTINGS} == fields
    text = DOCS.read_text(encoding="utf-8")
    for name, _, _ in SETTINGS:
        assert f"`{name}`" in text, name
