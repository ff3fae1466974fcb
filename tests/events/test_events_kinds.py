"""The source-to-vocabulary mapping tables point at real slugs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from truce.events.kinds import (
    ACLED_SUB_EVENT_TYPES,
    AIRFORCE_WEAPON_MODELS,
    PLOVER_EVENT_TYPES,
    UCDP_VIOLENCE_TYPES,
    KindMapping,
    acled_kind,
    airforce_kind,
    all_mappings,
    nearest_common_kind,
)
from truce.events.model import OUTCOMES
from truce.vocabulary import EVENT_KINDS, WEAPON_CLASSES

AIRFORCE_EXTRACT = (
    Path(__file__).resolve().parents[2] / "data" / "events" / "airforce-2025-03-01_2025-05-31.csv"
)
AIRFORCE_FULL = Path("/work/shared/data/missile_attacks_daily/missile_attacks_daily.csv")


@pytest.mark.parametrize(("label", "mapping"), all_mappings())
def test_every_mapped_value_is_a_vocabulary_slug(label: str, mapping: KindMapping) -> None:
    assert mapping.kind is None or mapping.kind in EVENT_KINDS, label
    assert mapping.weapon_class is None or mapping.weapon_class in WEAPON_CLASSES, label
    assert mapping.outcome in OUTCOMES, label
    if mapping.kind is None:
        assert mapping.note, f"{label}: an out-of-scope type should say why"


def test_acled_table_has_all_25_sub_event_types() -> None:
    assert len(ACLED_SUB_EVENT_TYPES) == 25
    assert ACLED_SUB_EVENT_TYPES["Shelling/artillery/missile attack"].kind == "indirect-fire"
    assert ACLED_SUB_EVENT_TYPES["Air/drone strike"].kind == "strike"
    assert ACLED_SUB_EVENT_TYPES["Armed clash"].kind == "ground-assault"
    assert ACLED_SUB_EVENT_TYPES["Remote explosive/landmine/IED"].kind == "sabotage"
    assert ACLED_SUB_EVENT_TYPES["Disrupted weapons use"].outcome == "attempt"
    assert ACLED_SUB_EVENT_TYPES["Peaceful protest"].kind is None


def test_acled_shelling_is_narrowed_only_by_one_weapon_family() -> None:
    shelling = "Shelling/artillery/missile attack"
    assert acled_kind(shelling, "a cruise missile hit the port").kind == "missile-strike"  # type: ignore[union-attr]
    assert acled_kind(shelling, "Grad MLRS fire on the town").kind == "rocket-artillery"  # type: ignore[union-attr]
    assert acled_kind(shelling, "missiles and MLRS fire").kind == "indirect-fire"  # type: ignore[union-attr]
    assert acled_kind(shelling, "shelling of the village").kind == "indirect-fire"  # type: ignore[union-attr]
    assert acled_kind("No such type") is None


def test_ucdp_and_plover_tables() -> None:
    assert {m.kind for m in UCDP_VIOLENCE_TYPES.values()} == {"use-of-force"}
    assert "one-sided" in UCDP_VIOLENCE_TYPES[3].note
    assert PLOVER_EVENT_TYPES["ASSAULT"].kind == "use-of-force"
    assert PLOVER_EVENT_TYPES["FIGHT"].kind == "use-of-force"
    assert PLOVER_EVENT_TYPES["MOBILIZE"].kind == "military-presence"
    assert PLOVER_EVENT_TYPES["AGREE"].kind is None


@pytest.mark.parametrize(
    ("model", "kind", "weapon"),
    [
        ("Shahed-136/131", "drone-strike", "uav"),
        ("X-101/X-555", "missile-strike", "missile"),
        ("Kh-101", "missile-strike", "missile"),
        ("Kalibr", "missile-strike", "missile"),
        ("Iskander-M", "missile-strike", "missile"),
        ("Kh-22", "missile-strike", "missile"),
        ("X-47 Kinzhal", "missile-strike", "missile"),
        ("KAB", "air-strike", "combat-aircraft"),
        ("Orlan-10", "military-presence", "uav"),
        ("X-101/X-555 and Kalibr and Iskander-K", "missile-strike", "missile"),
        ("Shahed-136/131 and Lancet", "drone-strike", "uav"),
        ("Iskander-M and Shahed-136/131", "strike", None),
        ("shahed-136/131", "drone-strike", "uav"),
    ],
)
def test_airforce_models(model: str, kind: str, weapon: str | None) -> None:
    mapping = airforce_kind(model)
    assert mapping is not None
    assert (mapping.kind, mapping.weapon_class) == (kind, weapon)


def test_unknown_airforce_model_is_none() -> None:
    assert airforce_kind("Wunderwaffe-9") is None
    assert airforce_kind("Kalibr and Wunderwaffe-9") is None
    assert airforce_kind("") is None


def test_every_model_in_the_air_force_data_is_mapped() -> None:
    path = AIRFORCE_FULL if AIRFORCE_FULL.exists() else AIRFORCE_EXTRACT
    if not path.exists():
        pytest.skip("neither the shared air force file nor the bundled extract is present")
    with path.open(encoding="utf-8", newline="") as stream:
        models = {row["model"] for row in csv.DictReader(stream)}
    unmapped = sorted(m for m in models if airforce_kind(m) is None)
    assert unmapped == []
    assert {m for m in AIRFORCE_WEAPON_MODELS if m.startswith("Shahed")}


def test_nearest_common_kind() -> None:
    assert nearest_common_kind(["missile-strike", "drone-strike"]) == "strike"
    assert nearest_common_kind(["artillery", "mortar"]) == "indirect-fire"
    assert nearest_common_kind(["artillery", "drone-strike"]) == "use-of-force"
    assert nearest_common_kind(["fire", "strike"]) == "use-of-force"
