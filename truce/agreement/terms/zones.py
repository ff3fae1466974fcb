"""Checks shared by the term kinds that refer to a zone."""

from __future__ import annotations

from truce.agreement.base import ZoneSelector
from truce.agreement.terms.base import LayerRef, TermContext


def zone_layer_ref(zone: ZoneSelector, path: tuple[str | int, ...] = ("zone",)) -> LayerRef:
    """The layer reference of a zone selector: a zone layer, or a line layer with 'within'."""
    kinds = ("line",) if zone.within is not None else ("zone",)
    return LayerRef((*path, "layer"), zone.layer, kinds)


def check_zone(
    context: TermContext, zone: ZoneSelector, path: tuple[str | int, ...] = ("zone",)
) -> None:
    """The selected features must exist in the layer."""
    if zone.features is None:
        return
    present = context.feature_ids(zone.layer)
    if present is None:
        return
    for i, feature in enumerate(zone.features):
        if feature not in present:
            context.problem(
                (*path, "features", i),
                "unknown-reference",
                f"layer '{zone.layer}' has no feature with id '{feature}'"
                + (f" (it has: {', '.join(sorted(present))})" if len(present) <= 12 else ""),
            )
