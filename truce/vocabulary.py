"""The controlled vocabularies that agreements and events share.

Each entry has a slug (used in agreement files and event records), a plain-English label, and
where it sits in a small hierarchy (``broader``), so that a term prohibiting ``strike`` covers a
``missile-strike`` and an event recorded only as ``strike`` may or may not be a ``drone-strike``.
The mappings from ACLED sub-event types, UCDP violence types and PLOVER event codes live with the
event readers and point at these slugs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One slug of a vocabulary."""

    slug: str
    label: str
    broader: str | None = None


def _table(*entries: Entry) -> dict[str, Entry]:
    return {entry.slug: entry for entry in entries}


PARTY_KINDS: dict[str, Entry] = _table(
    Entry("state", "state"),
    Entry("armed-formation", "armed formation"),
    Entry("mediator", "mediator"),
    Entry("monitor", "monitoring mission"),
)

EVENT_KINDS: dict[str, Entry] = _table(
    Entry("use-of-force", "any use of force"),
    Entry("strike", "strike (missile, drone, aircraft or unspecified)", "use-of-force"),
    Entry("missile-strike", "missile strike (cruise or ballistic)", "strike"),
    Entry("drone-strike", "drone strike", "strike"),
    Entry("air-strike", "air strike by aircraft (bombs, glide bombs)", "strike"),
    Entry("indirect-fire", "shelling (artillery, rockets, mortars or unspecified)", "use-of-force"),
    Entry("artillery", "artillery fire", "indirect-fire"),
    Entry("rocket-artillery", "multiple-rocket-launcher fire", "indirect-fire"),
    Entry("mortar", "mortar fire", "indirect-fire"),
    Entry("direct-fire", "direct fire: small arms, heavy machine guns, tank guns", "use-of-force"),
    Entry("small-arms", "small-arms fire (bursts and shots)", "direct-fire"),
    Entry("ground-assault", "ground assault or armed clash", "use-of-force"),
    Entry("naval-attack", "attack by or on a vessel", "use-of-force"),
    Entry("explosion", "explosion of unknown origin", "use-of-force"),
    Entry("sabotage", "sabotage or remote explosive", "use-of-force"),
    Entry("fire", "fire or thermal anomaly (e.g. a satellite detection)"),
    Entry("military-presence", "military presence: weapons, units or vessels observed"),
    Entry("movement", "military movement", "military-presence"),
    Entry("air-alert", "air-raid alert"),
    Entry("freedom-of-movement-restriction", "restriction of monitors' freedom of movement"),
)

WEAPON_CLASSES: dict[str, Entry] = _table(
    Entry("heavy-weapon", "heavy weapon of any class"),
    Entry("artillery-100mm-plus", "artillery of 100 mm calibre and more", "heavy-weapon"),
    Entry("artillery-under-100mm", "artillery under 100 mm calibre", "heavy-weapon"),
    Entry("mortar-up-to-120mm", "mortars up to 120 mm calibre", "heavy-weapon"),
    Entry("tank", "tanks", "heavy-weapon"),
    Entry("mlrs", "multiple rocket launchers (e.g. BM-21 Grad)", "heavy-weapon"),
    Entry("mlrs-heavy", "heavy rocket launchers: Tornado-S, Uragan, Smerch", "heavy-weapon"),
    Entry("tactical-missile", "tactical missile systems: Tochka, Tochka-U", "heavy-weapon"),
    Entry("armoured-vehicle", "armoured combat vehicles"),
    Entry("missile", "cruise or ballistic missiles (e.g. Kalibr, Kh-101, Iskander)"),
    Entry("uav", "unmanned aerial vehicles (e.g. Shahed)"),
    Entry("combat-aircraft", "combat aircraft and helicopters"),
    Entry("small-arms", "small arms and light weapons"),
    Entry("warship", "warships and naval vessels"),
)

OBJECT_CLASSES: dict[str, Entry] = _table(
    Entry("energy-infrastructure", "energy infrastructure"),
    Entry("oil-infrastructure", "oil and oil-product infrastructure", "energy-infrastructure"),
    Entry("oil-refinery", "oil refinery", "oil-infrastructure"),
    Entry("oil-pipeline", "oil pipeline", "oil-infrastructure"),
    Entry("oil-storage", "oil storage facility", "oil-infrastructure"),
    Entry("oil-pumping-station", "oil pumping station", "oil-infrastructure"),
    Entry("gas-infrastructure", "gas infrastructure", "energy-infrastructure"),
    Entry("gas-pipeline", "gas pipeline", "gas-infrastructure"),
    Entry("gas-storage", "gas storage facility", "gas-infrastructure"),
    Entry("gas-pumping-station", "gas compressor or pumping station", "gas-infrastructure"),
    Entry("gas-metering-station", "gas metering station", "gas-infrastructure"),
    Entry("gas-distribution-station", "gas distribution station", "gas-infrastructure"),
    Entry("electricity-generation", "electricity generation", "energy-infrastructure"),
    Entry("power-plant", "power plant (thermal, gas, coal, solar, wind)", "electricity-generation"),
    Entry("nuclear-power-plant", "nuclear power plant", "electricity-generation"),
    Entry("hydroelectric-dam", "hydroelectric dam or plant", "electricity-generation"),
    Entry(
        "electricity-transmission",
        "electricity transmission and distribution",
        "energy-infrastructure",
    ),
    Entry("substation", "electrical substation", "electricity-transmission"),
    Entry("transformer", "transformer", "electricity-transmission"),
    Entry("distribution-unit", "electricity distribution unit", "electricity-transmission"),
    Entry("civilian-object", "civilian object (not energy infrastructure)"),
    Entry("port", "sea or river port", "civilian-object"),
    Entry("commercial-vessel", "commercial vessel", "civilian-object"),
)

MOVEMENT_KINDS: dict[str, Entry] = _table(
    Entry("rotation", "rotation of personnel"),
    Entry("resupply", "resupply or logistics convoy"),
    Entry("repair", "repair works on civilian infrastructure"),
    Entry("withdrawal", "withdrawal of weapons or units"),
    Entry("demining", "demining"),
    Entry("vessel-transit", "transit of a vessel"),
)


def ancestors(table: Mapping[str, Entry], slug: str) -> list[str]:
    """The slug itself and every broader slug above it, nearest first."""
    chain: list[str] = []
    current: str | None = slug
    while current is not None and current in table and current not in chain:
        chain.append(current)
        current = table[current].broader
    return chain


def descendants(table: Mapping[str, Entry], slugs: Iterable[str]) -> set[str]:
    """Every slug covered by any of ``slugs`` (the slugs themselves and all narrower ones)."""
    wanted = set(slugs)
    return {slug for slug in table if wanted.intersection(ancestors(table, slug))}


def covers(table: Mapping[str, Entry], general: Iterable[str], specific: str) -> bool:
    """Whether ``specific`` is one of ``general`` or narrower than one of them."""
    return bool(set(general).intersection(ancestors(table, specific)))


def suggest(table: Mapping[str, Entry], word: str) -> str:
    """A 'did you mean' hint for an unknown slug, or the list of known slugs."""
    close = difflib.get_close_matches(word, list(table), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "expected one of: " + ", ".join(sorted(table))


def collapse(table: Mapping[str, Entry], slugs: Iterable[str]) -> list[str]:
    """The fewest slugs covering exactly the same set: a parent replaces all its children."""
    chosen = set(slugs)
    covered = descendants(table, chosen)
    changed = True
    while changed:
        changed = False
        for slug in table:
            if slug in covered:
                continue
            below = descendants(table, [slug])
            if len(below) > 1 and below - {slug} <= covered:
                chosen = {s for s in chosen if s not in below} | {slug}
                covered = descendants(table, chosen)
                changed = True
    return sorted(chosen)


def labels(table: Mapping[str, Entry], slugs: Iterable[str]) -> str:
    """Plain-English labels of the slugs, collapsed to their broadest groups."""
    return ", ".join(table[slug].label for slug in collapse(table, slugs))
