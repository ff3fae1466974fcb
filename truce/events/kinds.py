"""How the event types of each source map to truce's vocabulary slugs.

The tables are data: a source's label on the left, a :class:`KindMapping` on the right naming an
event-kind slug of :data:`truce.vocabulary.EVENT_KINDS`, optionally a weapon-class slug of
:data:`truce.vocabulary.WEAPON_CLASSES`, and an outcome. ``kind=None`` marks a type that is not a
use of force or a military observation (a protest, an agreement, an arrest): readers reject such
rows as ``out-of-scope`` rather than force them into a wrong slug. A test checks every slug.

Sources:

* ACLED sub-event types, from the ACLED codebook (2023 column set, 25 sub-event types).
  "Shelling/artillery/missile attack" is ``indirect-fire``; because ACLED puts missile strikes
  under it too, :func:`acled_kind` refines it from the event's notes when they name exactly one
  family of weapons (see :data:`ACLED_SHELLING_KEYWORDS`).
* UCDP GED ``type_of_violence``: 1 state-based, 2 non-state, 3 one-sided. All three are
  ``use-of-force``; UCDP does not code the means, so no weapon class is given.
* PLOVER event types (the neutral event ontology of the Open Event Data Alliance) and the modes
  of its FIGHT type. The mode names follow the PLOVER draft codebook; check them against the
  version of the codebook your data uses.
* Ukrainian Air Force daily reports: the weapon model named in the ``model`` column (Latin "X-"
  stands for the Cyrillic "Х-", i.e. Kh-; "C-" for "С-", i.e. S-). Reconnaissance drones map to
  ``military-presence``: they were observed, not used to strike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from truce.vocabulary import EVENT_KINDS, ancestors


@dataclass(frozen=True)
class KindMapping:
    """What a source's event label means in truce's vocabulary."""

    kind: str | None
    weapon_class: str | None = None
    outcome: str = "unknown"
    note: str = ""


def _m(
    kind: str | None, weapon: str | None = None, outcome: str = "unknown", note: str = ""
) -> KindMapping:
    return KindMapping(kind, weapon, outcome, note)


_OUT = "not a use of force or military observation"

ACLED_SUB_EVENT_TYPES: dict[str, KindMapping] = {
    # Battles
    "Armed clash": _m("ground-assault", outcome="impact"),
    "Government regains territory": _m("ground-assault", outcome="impact"),
    "Non-state actor overtakes territory": _m("ground-assault", outcome="impact"),
    # Explosions/Remote violence
    "Chemical weapon": _m("use-of-force", outcome="impact", note="chemical weapon"),
    "Air/drone strike": _m("strike", outcome="impact"),
    "Suicide bomb": _m("explosion", outcome="impact", note="suicide bombing"),
    "Shelling/artillery/missile attack": _m("indirect-fire", outcome="impact"),
    "Remote explosive/landmine/IED": _m("sabotage", outcome="impact"),
    "Grenade": _m("use-of-force", outcome="impact", note="grenade attack"),
    # Violence against civilians
    "Sexual violence": _m("use-of-force", outcome="impact", note="sexual violence"),
    "Attack": _m("use-of-force", outcome="impact", note="attack on civilians"),
    "Abduction/forced disappearance": _m("use-of-force", outcome="impact", note="abduction"),
    # Protests and riots
    "Peaceful protest": _m(None, note=_OUT),
    "Protest with intervention": _m(None, note=_OUT),
    "Excessive force against protesters": _m(
        "use-of-force", outcome="impact", note="force against protesters"
    ),
    "Violent demonstration": _m(None, note=_OUT),
    "Mob violence": _m(None, note=_OUT),
    # Strategic developments
    "Agreement": _m(None, note=_OUT),
    "Arrests": _m(None, note=_OUT),
    "Change to group/activity": _m(None, note=_OUT),
    "Disrupted weapons use": _m("strike", outcome="attempt", note="weapon intercepted or defused"),
    "Headquarters or base established": _m("military-presence", note="base established"),
    "Looting/property destruction": _m("use-of-force", outcome="impact", note="property destroyed"),
    "Non-violent transfer of territory": _m("movement", note="territory changed hands"),
    "Other": _m(None, note=_OUT),
}
"""ACLED ``sub_event_type`` to truce slugs (all 25 types of the current codebook)."""

ACLED_SHELLING_KEYWORDS: tuple[tuple[str, KindMapping], ...] = (
    (r"\b(cruise|ballistic|missiles?|iskander|kalibr|kinzhal|kh-\d+|s-300|tochka)\b",
     _m("missile-strike", "missile", "impact")),
    (r"\b(mlrs|grad|uragan|smerch|tornado|himars|rocket launchers?)\b",
     _m("rocket-artillery", "mlrs", "impact")),
    (r"\b(mortars?)\b", _m("mortar", "mortar-up-to-120mm", "impact")),
)  # fmt: skip
"""Note keywords that narrow ACLED's shelling type when exactly one family is named."""

UCDP_VIOLENCE_TYPES: dict[int, KindMapping] = {
    1: _m("use-of-force", outcome="impact", note="UCDP state-based conflict"),
    2: _m("use-of-force", outcome="impact", note="UCDP non-state conflict"),
    3: _m("use-of-force", outcome="impact", note="UCDP one-sided violence against civilians"),
}
"""UCDP GED ``type_of_violence`` to truce slugs."""

PLOVER_EVENT_TYPES: dict[str, KindMapping] = {
    "AGREE": _m(None, note=_OUT),
    "CONSULT": _m(None, note=_OUT),
    "SUPPORT": _m(None, note=_OUT),
    "CONCEDE": _m(None, note=_OUT),
    "COOPERATE": _m(None, note=_OUT),
    "AID": _m(None, note=_OUT),
    "RETREAT": _m("movement", note="withdrawal or retreat"),
    "REQUEST": _m(None, note=_OUT),
    "ACCUSE": _m(None, note=_OUT),
    "REJECT": _m(None, note=_OUT),
    "THREATEN": _m(None, note=_OUT),
    "PROTEST": _m(None, note=_OUT),
    "SANCTION": _m(None, note=_OUT),
    "MOBILIZE": _m("military-presence", note="mobilisation or alert of forces"),
    "COERCE": _m(None, note=_OUT),
    "ASSAULT": _m("use-of-force", outcome="impact", note="violence outside combat"),
    "FIGHT": _m("use-of-force", outcome="impact", note="armed combat"),
}
"""PLOVER event types to truce slugs."""

PLOVER_FIGHT_MODES: dict[str, KindMapping] = {
    "small-arms": _m("small-arms", "small-arms", "impact"),
    "artillery": _m("artillery", "heavy-weapon", "impact"),
    "aerial": _m("air-strike", "combat-aircraft", "impact"),
    "drone": _m("drone-strike", "uav", "impact"),
    "missile": _m("missile-strike", "missile", "impact"),
    "naval": _m("naval-attack", "warship", "impact"),
    "unconventional": _m("sabotage", None, "impact"),
}
"""PLOVER FIGHT modes to truce slugs (a FIGHT with a known mode is narrower than use-of-force)."""

_DRONE = _m("drone-strike", "uav")
_RECON = _m("military-presence", "uav", note="reconnaissance drone")
_MISSILE = _m("missile-strike", "missile")
_BOMB = _m("air-strike", "combat-aircraft", note="aerial bomb")

AIRFORCE_WEAPON_MODELS: dict[str, KindMapping] = {
    **dict.fromkeys(
        ["Shahed-136/131", "Shahed-136", "Shahed-131", "Geran-2", "Shahed-238", "Unknown UAV",
         "Lancet", "Молнія", "Molniya", "Привет-82", "Privet-82"],
        _DRONE,
    ),
    **dict.fromkeys(
        ["Mohajer-6", "Orion", "Forpost"],
        _m("drone-strike", "uav", note="strike-capable reconnaissance drone"),
    ),
    **dict.fromkeys(
        ["Reconnaissance UAV", "Orlan-10", "Orlan-30", "Supercam", "ZALA", "Merlin-VR", "Eleron",
         "Granat-4", "Картограф", "Kartograf", "Фенікс", "Feniks"],
        _RECON,
    ),
    **dict.fromkeys(
        ["Iskander-M", "Iskander-K", "Iskander-M/KN-23", "KN-23", "X-101/X-555", "X-101", "X-555",
         "Kh-101", "Kh-555", "Kalibr", "X-22", "Kh-22", "X-32", "Kh-32", "X-47 Kinzhal",
         "Kinzhal", "Kh-47M2", "X-59", "X-69", "X-59/X-69", "X-59MK2", "Kh-59", "Kh-69", "X-31",
         "X-31P", "X-31PD", "Kh-31", "X-35", "Kh-35", "3M22 Zircon", "Zircon", "P-800 Oniks",
         "Oniks", "C-300", "C-400", "C-300/C-400", "S-300", "S-400", "Kub", "Banderol",
         "Unknown Missile", "Ballistic Missile", "Intercontinental Ballistic Missile"],
        _MISSILE,
    ),
    **dict.fromkeys(["Tochka-U", "Tochka"], _m("missile-strike", "tactical-missile")),
    **dict.fromkeys(["KAB", "UMPK", "GBU", "Aerial Bomb", "Guided Aerial Bomb"], _BOMB),
}  # fmt: skip
"""Air Force ``model`` names to truce slugs (matched without regard to case)."""

_AIRFORCE_KEYS = {name.casefold(): mapping for name, mapping in AIRFORCE_WEAPON_MODELS.items()}


def nearest_common_kind(kinds: list[str]) -> str:
    """The narrowest event kind that covers all of ``kinds`` (``use-of-force`` at worst)."""
    chains = [ancestors(EVENT_KINDS, kind) for kind in kinds]
    for candidate in chains[0]:
        if all(candidate in chain for chain in chains[1:]):
            return candidate
    return "use-of-force"


def airforce_kind(model: str) -> KindMapping | None:
    """The mapping of an Air Force ``model`` value; several joined by 'and' are combined."""
    parts = [p.strip() for p in re.split(r"\s+and\s+|\s*\+\s*", model.strip()) if p.strip()]
    mappings = [_AIRFORCE_KEYS.get(" ".join(p.split()).casefold()) for p in parts]
    found = [m for m in mappings if m is not None]
    if not parts or len(found) != len(parts):
        return None
    return combine(found)


def combine(mappings: list[KindMapping]) -> KindMapping:
    """One mapping covering several: the common kind, the weapon class if all agree."""
    if len(mappings) == 1:
        return mappings[0]
    kinds = [m.kind for m in mappings if m.kind is not None]
    kind = nearest_common_kind(kinds) if kinds else None
    weapons = {m.weapon_class for m in mappings}
    weapon = weapons.pop() if len(weapons) == 1 else None
    notes = "; ".join(dict.fromkeys(m.note for m in mappings if m.note))
    return KindMapping(kind, weapon, "unknown", notes)


def acled_kind(sub_event_type: str, notes: str = "") -> KindMapping | None:
    """The mapping of an ACLED sub-event type, narrowed by the notes for shelling events."""
    mapping = ACLED_SUB_EVENT_TYPES.get(" ".join(sub_event_type.split()))
    if mapping is None or mapping.kind != "indirect-fire" or not notes:
        return mapping
    hits = [m for pattern, m in ACLED_SHELLING_KEYWORDS if re.search(pattern, notes, re.I)]
    return hits[0] if len(hits) == 1 else mapping


def all_mappings() -> list[tuple[str, KindMapping]]:
    """Every mapping of every table, labelled with its table and key (for tests and docs)."""
    tables: dict[str, dict[str, KindMapping]] = {
        "ACLED": ACLED_SUB_EVENT_TYPES,
        "ACLED keywords": dict(ACLED_SHELLING_KEYWORDS),
        "UCDP": {str(k): m for k, m in UCDP_VIOLENCE_TYPES.items()},
        "PLOVER": PLOVER_EVENT_TYPES,
        "PLOVER FIGHT modes": PLOVER_FIGHT_MODES,
        "Air Force": AIRFORCE_WEAPON_MODELS,
    }
    return [(f"{table}: {key}", m) for table, rows in tables.items() for key, m in rows.items()]
