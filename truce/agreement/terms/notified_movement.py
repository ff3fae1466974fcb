"""Movements permitted only when notified a set time in advance."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce import vocabulary
from truce.agreement.base import ZoneSelector
from truce.agreement.fields import DurationValue, Identifier, MovementKind, WeaponClass
from truce.agreement.terms.base import IdRef, LayerRef, TermBase, TermContext
from truce.agreement.terms.zones import check_zone, zone_layer_ref


class NotifiedMovement(TermBase):
    """The listed movements (in the zone, if given) are permitted only with prior notice."""

    type: Literal["notified-movement"]
    movements: list[MovementKind] = Field(min_length=1, description="kinds of movement")
    weapons: list[WeaponClass] = Field(
        default_factory=list, description="weapon classes moved, if the rule is limited to them"
    )
    zone: ZoneSelector | None = Field(default=None, description="where (anywhere when absent)")
    notice: DurationValue = Field(description="how long in advance notice must be given")
    notify: list[Identifier] = Field(
        min_length=1, description="parties to notify (e.g. the monitoring mission)"
    )

    def describe(self) -> str:
        """Plain words."""
        moves = ", ".join(vocabulary.MOVEMENT_KINDS[m].label for m in self.movements)
        weapons = (
            " of " + ", ".join(vocabulary.WEAPON_CLASSES[w].label for w in self.weapons)
            if self.weapons
            else ""
        )
        where = f" in {self.zone.describe()}" if self.zone else ""
        return (
            f"{moves}{weapons}{where} only when notified to {', '.join(self.notify)} "
            f"at least {self.notice} in advance."
        )

    def layer_refs(self) -> list[LayerRef]:
        """The zone's layer, if any."""
        return [zone_layer_ref(self.zone)] if self.zone else []

    def party_refs(self) -> list[IdRef]:
        """The parties to notify."""
        return [IdRef(("notify", i), party) for i, party in enumerate(self.notify)]

    def check(self, context: TermContext) -> None:
        """The zone's features must exist."""
        if self.zone is not None:
            check_zone(context, self.zone)
