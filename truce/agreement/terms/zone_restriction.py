"""Prohibited presence or use of force in a zone (disengagement areas, a maritime area)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce import vocabulary
from truce.agreement.base import ZoneSelector
from truce.agreement.fields import EventKind, WeaponClass
from truce.agreement.terms.base import LayerRef, TermBase, TermContext
from truce.agreement.terms.zones import check_zone, zone_layer_ref


class ZoneRestriction(TermBase):
    """In the zone: none of the listed acts, and no presence of the listed weapon classes."""

    type: Literal["zone-restriction"]
    zone: ZoneSelector = Field(description="the zone")
    acts: list[EventKind] = Field(
        default_factory=list, description="event kinds prohibited in the zone"
    )
    weapons: list[WeaponClass] = Field(
        default_factory=list, description="weapon classes whose presence in the zone is prohibited"
    )
    forces: bool = Field(
        default=False, description="whether any presence of armed forces is prohibited"
    )

    def describe(self) -> str:
        """Plain words."""
        parts = []
        if self.acts:
            parts.append("no " + ", ".join(vocabulary.EVENT_KINDS[a].label for a in self.acts))
        if self.weapons:
            parts.append(
                "no presence of "
                + ", ".join(vocabulary.WEAPON_CLASSES[w].label for w in self.weapons)
            )
        if self.forces:
            parts.append("no presence of armed forces")
        return f"In {self.zone.describe()}: " + "; ".join(parts) + "."

    def layer_refs(self) -> list[LayerRef]:
        """The zone's layer."""
        return [zone_layer_ref(self.zone)]

    def check(self, context: TermContext) -> None:
        """Something must be prohibited; the zone's features must exist."""
        if not (self.acts or self.weapons or self.forces):
            context.problem(
                ("acts",),
                "never-applies",
                "the term prohibits nothing: give 'acts', 'weapons' or 'forces: true'",
            )
        check_zone(context, self.zone)
