"""Which event kinds may describe one incident, and which of those disagree on what happened.

Two kinds are in one of four relations:

* ``agree``: the same kind, or one is broader than the other in
  :data:`truce.vocabulary.EVENT_KINDS` (``strike`` and ``drone-strike``; ``use-of-force`` and
  anything that is a use of force). Always so, whatever the rules say.
* ``consistent``: different, but both may be true of one incident (an artillery strike and the
  fire a satellite saw afterwards; a missile and a drone in one combined attack).
* ``conflicting``: reports may be of one incident but disagree on what it was (a drone strike
  against shelling; sabotage against a strike). They are grouped, and the incident is
  ``disputed``.
* ``incompatible``: never grouped (a ground assault and an air-raid alert).

A :class:`KindRule` names two kinds and a relation; it covers every narrower kind of each side
(a rule on ``strike`` covers ``missile-strike``). Where rules overlap, ``conflicting`` wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from truce.errors import InputError
from truce.vocabulary import EVENT_KINDS, ancestors, descendants, suggest

INCOMPATIBLE = 0
AGREE = 1
CONSISTENT = 2
CONFLICTING = 3
RELATIONS: tuple[str, ...] = ("incompatible", "agree", "consistent", "conflicting")
"""Relation names by code."""


@dataclass(frozen=True)
class KindRule:
    """Two event kinds (and everything narrower) that are ``consistent`` or ``conflicting``."""

    first: str
    second: str
    relation: str
    why: str = ""


def _rule(first: str, second: str, relation: str, why: str) -> KindRule:
    return KindRule(first, second, relation, why)


DEFAULT_KIND_RULES: tuple[KindRule, ...] = (
    _rule("fire", "use-of-force", "consistent", "a strike or shelling can start a fire"),
    _rule("explosion", "use-of-force", "consistent", "an explosion is heard or seen in attacks"),
    _rule("strike", "strike", "consistent", "missiles, drones and aircraft attack together"),
    _rule("indirect-fire", "indirect-fire", "consistent", "guns, rockets and mortars are confused"),
    _rule("ground-assault", "direct-fire", "consistent", "a clash involves direct fire"),
    _rule("ground-assault", "indirect-fire", "consistent", "a clash involves shelling"),
    _rule("naval-attack", "strike", "consistent", "vessels are struck by missiles and drones"),
    _rule("strike", "indirect-fire", "conflicting", "an air or missile strike, or shelling?"),
    _rule("sabotage", "strike", "conflicting", "blown up from inside, or struck?"),
    _rule("sabotage", "indirect-fire", "conflicting", "blown up from inside, or shelled?"),
)
"""The rules used unless configured otherwise."""


@dataclass(frozen=True)
class KindTable:
    """The relation of every pair of event kinds, as a matrix indexed by kind code."""

    slugs: tuple[str, ...]
    matrix: np.ndarray

    def code(self, slug: str) -> int:
        """The code of an event kind slug."""
        try:
            return self.slugs.index(slug)
        except ValueError:
            raise InputError(f"unknown event kind {slug!r}: {suggest(EVENT_KINDS, slug)}") from None

    def relation(self, first: str, second: str) -> str:
        """The relation of two kinds, by name."""
        return RELATIONS[int(self.matrix[self.code(first), self.code(second)])]

    def codes(self, slugs: Sequence[str]) -> np.ndarray:
        """The codes of several slugs (an unknown slug raises :class:`InputError`)."""
        return np.array([self.code(slug) for slug in slugs], dtype=np.int16)


def kind_table(rules: Iterable[KindRule] = DEFAULT_KIND_RULES) -> KindTable:
    """The relation matrix over the vocabulary's event kinds, built from ``rules``."""
    slugs = tuple(EVENT_KINDS)
    index = {slug: i for i, slug in enumerate(slugs)}
    matrix = np.full((len(slugs), len(slugs)), INCOMPATIBLE, dtype=np.int8)
    for rule in rules:
        relation = _relation_code(rule)
        for side in (rule.first, rule.second):
            if side not in EVENT_KINDS:
                raise InputError(f"kind rule: unknown event kind {side!r}")
        for a in descendants(EVENT_KINDS, [rule.first]):
            for b in descendants(EVENT_KINDS, [rule.second]):
                for i, j in ((index[a], index[b]), (index[b], index[a])):
                    matrix[i, j] = max(int(matrix[i, j]), relation)
    for slug in slugs:
        for broader in ancestors(EVENT_KINDS, slug):
            matrix[index[slug], index[broader]] = AGREE
            matrix[index[broader], index[slug]] = AGREE
    return KindTable(slugs, matrix)


def _relation_code(rule: KindRule) -> int:
    if rule.relation == "consistent":
        return CONSISTENT
    if rule.relation == "conflicting":
        return CONFLICTING
    raise InputError(
        f"kind rule {rule.first} / {rule.second}: relation must be 'consistent' or "
        f"'conflicting', got {rule.relation!r}"
    )
