"""Prohibited presence of weapons within a distance of a line, on a party's own side.

Under the Minsk Package each side withdrew its heavy weapons by equal distances, each measured
from its own reference line (Ukraine from the actual contact line, the armed formations of
certain areas from the line of the 19 September 2014 Memorandum), to create security zones of a
given width per weapon class. A term states either the per-side ``distances`` directly or the
``security_zone_widths`` with ``split: equal``, which gives each side half the width.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce import vocabulary
from truce.agreement.base import StrictModel
from truce.agreement.fields import DistanceValue, Identifier, WeaponClass
from truce.agreement.terms.base import IdRef, LayerRef, TermBase, TermContext
from truce.units import Distance


class Sides(StrictModel):
    """Which side of the line is whose: a zone layer, and the parties whose side lies inside it."""

    layer: Identifier = Field(description="id of a zone layer (e.g. the areas a party holds)")
    inside: list[Identifier] = Field(
        min_length=1, description="parties whose side is inside the zone"
    )
    outside: list[Identifier] = Field(min_length=1, description="parties whose side is outside it")


class WithdrawalDistance(TermBase):
    """No weapon of a listed class within its distance of the party's reference line."""

    type: Literal["withdrawal-distance"]
    distances: dict[WeaponClass, DistanceValue] | None = Field(
        default=None, description="per weapon class, the distance each side keeps from its line"
    )
    security_zone_widths: dict[WeaponClass, DistanceValue] | None = Field(
        default=None, description="per weapon class, the total width of the security zone"
    )
    split: Literal["equal"] | None = Field(
        default=None, description="how a zone width is shared between the sides ('equal')"
    )
    reference_lines: dict[Identifier, Identifier] = Field(
        description="for each bound party, the id of the line layer it measures from"
    )
    sides: Sides = Field(description="which side of the line belongs to which party")

    def per_side_distances(self) -> dict[str, Distance]:
        """The distance each side keeps, per weapon class."""
        if self.distances is not None:
            return dict(self.distances)
        widths = self.security_zone_widths or {}
        return {
            weapon: Distance(width.metres / 2.0, f"{width.metres / 2000.0:g} km")
            for weapon, width in widths.items()
        }

    def describe(self) -> str:
        """Plain words."""
        rows = []
        for weapon, distance in self.per_side_distances().items():
            label = vocabulary.WEAPON_CLASSES[weapon].label
            if self.security_zone_widths is not None:
                width = self.security_zone_widths[weapon]
                rows.append(f"{label}: a {width} security zone, {distance} on each side")
            else:
                rows.append(f"{label}: {distance}")
        lines = "; ".join(
            f"{party} from line '{layer}'" for party, layer in self.reference_lines.items()
        )
        return (
            "Weapons withdrawn from the line on each party's own side, at least: "
            + "; ".join(rows)
            + f". Measured by {lines}."
        )

    def layer_refs(self) -> list[LayerRef]:
        """The reference lines and the sides layer."""
        refs = [
            LayerRef(("reference_lines", party), layer, ("line",))
            for party, layer in self.reference_lines.items()
        ]
        refs.append(LayerRef(("sides", "layer"), self.sides.layer, ("zone",)))
        return refs

    def party_refs(self) -> list[IdRef]:
        """Parties named in the reference lines and sides."""
        refs = [IdRef(("reference_lines", party), party) for party in self.reference_lines]
        refs += [IdRef(("sides", "inside", i), p) for i, p in enumerate(self.sides.inside)]
        refs += [IdRef(("sides", "outside", i), p) for i, p in enumerate(self.sides.outside)]
        return refs

    def check(self, context: TermContext) -> None:
        """Exactly one way of giving distances; a line and a side for every bound party."""
        if (self.distances is None) == (self.security_zone_widths is None):
            context.problem(
                ("distances",),
                "conflicting-fields",
                "give either 'distances' (per side) or 'security_zone_widths' with "
                "'split: equal', not both and not neither",
            )
        if self.security_zone_widths is not None and self.split is None:
            context.problem(
                ("split",),
                "missing-field",
                "security_zone_widths needs 'split: equal' to say how each side's distance "
                "follows from the width",
            )
        for party in self.binds:
            if party not in self.reference_lines:
                context.problem(
                    ("reference_lines",),
                    "missing-reference-line",
                    f"bound party '{party}' has no reference line: each party bound by a "
                    "withdrawal term measures from its own line",
                )
            if party not in self.sides.inside and party not in self.sides.outside:
                context.problem(
                    ("sides",),
                    "missing-side",
                    f"bound party '{party}' is neither inside nor outside the sides layer",
                )
        both = set(self.sides.inside) & set(self.sides.outside)
        for party in sorted(both):
            context.problem(
                ("sides",),
                "conflicting-fields",
                f"party '{party}' is listed both inside and outside",
            )
