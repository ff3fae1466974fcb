"""Prohibited acts against protected objects (the 2025 energy moratorium's kind of term)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce import vocabulary
from truce.agreement.base import ObjectSelector
from truce.agreement.fields import DistanceValue, EventKind
from truce.agreement.terms.base import LayerRef, TermBase, TermContext
from truce.problems import Severity
from truce.units import Distance

Outcome = Literal["impact", "attempt"]


class ProhibitedAct(TermBase):
    """Acts of the listed kinds against the selected protected objects are prohibited."""

    type: Literal["prohibited-act"]
    acts: list[EventKind] = Field(
        min_length=1, description="event kinds prohibited (narrower kinds included)"
    )
    objects: list[ObjectSelector] = Field(min_length=1, description="the protected objects")
    radius: DistanceValue = Field(
        default=Distance(0.0, "0 m"),
        description="an impact within this distance of an object counts as an act against it",
    )
    counts: list[Outcome] = Field(
        default=["impact"],
        min_length=1,
        description="'impact' only, or also 'attempt' (e.g. a drone downed before reaching it)",
    )
    attempt_radius: DistanceValue | None = Field(
        default=None,
        description="an attempt (interception) within this distance of an object counts",
    )

    def describe(self) -> str:
        """Plain words."""
        acts = vocabulary.labels(vocabulary.EVENT_KINDS, self.acts)
        objects = "; ".join(s.describe() for s in self.objects)
        where = "on" if self.radius.metres == 0 else f"within {self.radius} of"
        text = f"No {acts} {where} protected objects ({objects})."
        if "attempt" in self.counts:
            reach = f" within {self.attempt_radius}" if self.attempt_radius else ""
            text += f" Attempts count too (an act intercepted{reach} before impact)."
        else:
            text += " Only impacts count; intercepted attempts do not."
        return text

    def layer_refs(self) -> list[LayerRef]:
        """The objects layers."""
        return [
            LayerRef(("objects", i, "layer"), sel.layer, ("objects",))
            for i, sel in enumerate(self.objects)
        ]

    def check(self, context: TermContext) -> None:
        """Selected classes and ids must exist in the layers; attempts need their radius."""
        if "attempt" in self.counts and self.attempt_radius is None:
            context.problem(
                ("attempt_radius",),
                "missing-field",
                "counts includes 'attempt', so attempt_radius must say how far from an object "
                "an interception still counts (such as '10 km')",
            )
        if self.attempt_radius is not None and "attempt" not in self.counts:
            context.problem(
                ("attempt_radius",),
                "unused-field",
                "attempt_radius is set but counts does not include 'attempt'",
                Severity.WARNING,
            )
        for i, selector in enumerate(self.objects):
            self._check_selector(context, i, selector)

    def _check_selector(self, context: TermContext, i: int, selector: ObjectSelector) -> None:
        classes_present = context.feature_classes(selector.layer)
        ids_present = context.feature_ids(selector.layer)
        if classes_present is None or ids_present is None:
            return
        if selector.classes:
            wanted = vocabulary.descendants(vocabulary.OBJECT_CLASSES, selector.classes)
            if not wanted & classes_present:
                context.problem(
                    ("objects", i, "classes"),
                    "never-applies",
                    f"no object of layer '{selector.layer}' has any of the classes "
                    f"{', '.join(selector.classes)}: the selection is empty, so the term "
                    "can never apply to it",
                    Severity.WARNING,
                )
        for j, object_id in enumerate(selector.ids or []):
            if object_id not in ids_present:
                context.problem(
                    ("objects", i, "ids", j),
                    "unknown-reference",
                    f"layer '{selector.layer}' has no object with id '{object_id}'",
                )
