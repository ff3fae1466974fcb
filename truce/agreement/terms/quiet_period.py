"""Quiet-period precondition: a step may begin only after N consecutive days with no violation.

The Framework Decision of 21 September 2016 let disengagement in each area begin only after
seven consecutive days of no violations there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce import vocabulary
from truce.agreement.base import ZoneSelector
from truce.agreement.fields import DurationValue, EventKind, Identifier
from truce.agreement.terms.base import IdRef, LayerRef, TermBase, TermContext
from truce.agreement.terms.zones import check_zone, zone_layer_ref
from truce.problems import Severity


class QuietPeriod(TermBase):
    """The gated steps may begin only after ``period`` with no counted act in the zone."""

    type: Literal["quiet-period"]
    zone: ZoneSelector = Field(description="where the quiet must hold")
    period: DurationValue = Field(description="how long, consecutively (e.g. '7 days')")
    acts: list[EventKind] = Field(
        default_factory=lambda: ["use-of-force"],
        description="event kinds that break the quiet (narrower kinds included)",
    )
    gates: list[Identifier] = Field(
        min_length=1, description="ids of the terms (steps) that may begin only after it"
    )

    def describe(self) -> str:
        """Plain words."""
        acts = ", ".join(vocabulary.EVENT_KINDS[a].label for a in self.acts)
        return (
            f"{', '.join(self.gates)} may begin only after {self.period} in a row with no "
            f"{acts} in {self.zone.describe()}."
        )

    def layer_refs(self) -> list[LayerRef]:
        """The zone's layer."""
        return [zone_layer_ref(self.zone)]

    def term_refs(self) -> list[IdRef]:
        """The gated terms."""
        return [IdRef(("gates", i), term) for i, term in enumerate(self.gates)]

    def check(self, context: TermContext) -> None:
        """The zone's features must exist; gating itself or nothing is suspicious."""
        check_zone(context, self.zone)
        if self.period.seconds == 0:
            context.problem(
                ("period",),
                "never-applies",
                "a quiet period of zero length gates nothing",
                Severity.WARNING,
            )
        for i, gated in enumerate(self.gates):
            if gated == self.id:
                context.problem(("gates", i), "self-reference", "a quiet period cannot gate itself")
