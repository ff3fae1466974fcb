"""Prohibited acts, weapons or forces in a zone (disengagement areas, a maritime area).

An event breaches the term when its place (its precision circle) lies in the zone, or within a
line corridor's half-width, and it is one of the prohibited acts, or shows a prohibited weapon
class, or (``forces: true``) any military presence. A circle straddling the zone's edge makes the
finding possible, with the share of the circle inside stated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from truce.agreement.terms import ZoneRestriction
from truce.engine.batch import PreparedBatch
from truce.engine.checks.base import (
    Compiled,
    EventUnit,
    Hits,
    Screen,
    TermSetup,
    UnitContext,
    Words,
    act_levels,
    common_reasons,
    final_status,
    kind_level,
    screen,
    weapon_level,
    weapon_levels,
)
from truce.engine.circles import BEYOND, STRADDLES, WITHIN, circle_status, strip_share, zone_share
from truce.engine.explain import choose, constant, distance_text, join, lookup, words_of
from truce.engine.fields import Field
from truce.engine.grid import FloatArray, IntArray
from truce.engine.layers import AreaSet, area_set
from truce.engine.zone_field import ZoneField

PRESENCE = "military-presence"


@dataclass
class AreaMatch:
    """Where rows stand against an area: status, field value, owning feature, share inside."""

    space: NDArray[np.int8]
    f: FloatArray
    feature: IntArray
    share: FloatArray


def against_area(batch: PreparedBatch, rows: IntArray, area: AreaSet) -> AreaMatch:
    """Whether each row's circle lies in the area (or its corridor), exactly where it matters."""
    limit = area.corridor_m or 0.0
    precision = batch.precision[rows]
    local, lo, hi = area.field.cell_bounds(batch.ix, batch.iy, rows)
    space = np.full(len(rows), BEYOND, dtype=np.int8)
    f = np.full(len(rows), np.nan)
    feature = np.full(len(rows), -1, dtype=np.int64)
    certain = (hi + precision <= limit) & isinstance(area.field, ZoneField)
    space[certain] = WITHIN
    todo = np.flatnonzero(~certain & (lo - precision <= limit))
    if len(todo):
        exact = area.field.exact(batch.lon[rows[todo]], batch.lat[rows[todo]], local[todo])
        f[todo] = exact.f
        space[todo] = circle_status(exact.f, precision[todo], limit)
        feature[todo] = area.field.feature_of(exact.primitive)
    if isinstance(area.field, ZoneField):
        found = np.flatnonzero(space > BEYOND)
        feature[found] = area.field.owners(
            batch.lon[rows[found]], batch.lat[rows[found]], local[found]
        )
    share = np.where(space == WITHIN, 1.0, 0.0)
    straddles = np.flatnonzero(space == STRADDLES)
    if len(straddles):
        if area.corridor_m is None:
            share[straddles] = zone_share(f[straddles], precision[straddles])
        else:
            share[straddles] = strip_share(f[straddles], precision[straddles], limit)
    return AreaMatch(space, f, feature, share)


def area_words(batch: PreparedBatch, hits: Hits, area: AreaSet, what_kind: str) -> Words:
    """'inside 'Donetsk oblast' (UA-14, layer donbas-oblasts)' or a corridor's distance."""
    feature = hits.detail["feature"].astype(np.int64)
    within = hits.space == WITHIN
    labels = [
        f"'{name}' ({ident}, layer {area.features.layer})"
        for name, ident in zip(area.features.names, area.features.ids, strict=True)
    ]
    label = words_of(labels, feature, f"layer {area.features.layer}")
    if area.corridor_m is None:
        where = join(choose(within, "inside ", "at the edge of "), label)
    else:
        corridor = f"{area.corridor_m / 1000.0:g} km corridor"
        where = join(
            distance_text(hits.distance_m),
            " from line ",
            label,
            choose(within, f", within the {corridor}", f", at the edge of the {corridor}"),
        )
    return Words(
        feature_layer=constant(area.features.layer, len(hits)),
        feature_id=lookup(area.features.ids, feature),
        feature_name=lookup(area.features.names, feature),
        side=pa.nulls(len(hits), pa.string()),
        where=where,
        reasons=common_reasons(batch, hits, area_reach_words(area), what_kind),
    )


def area_reach_words(area: AreaSet) -> str:
    """What the share of a straddling circle is the share of."""
    if area.corridor_m is None:
        return "inside the zone"
    return f"within {area.corridor_m / 1000.0:g} km of the line"


class ZoneRestrictionUnit(EventUnit):
    """A zone-restriction term over one span."""

    def __init__(self, context: UnitContext, term: ZoneRestriction, area: AreaSet) -> None:
        super().__init__(context)
        self.term = term
        self.area = area
        acts = list(term.acts) + ([PRESENCE] if term.forces else [])
        self.kind_levels = act_levels(acts) if acts else self.kind_levels
        self.weapon_levels = (
            weapon_levels(list(term.weapons)) if term.weapons else self.weapon_levels
        )

    def near(self) -> list[tuple[Field, float]]:
        """The zone (or corridor)."""
        return [(self.area.field, self.area.corridor_m or 0.0)]

    def levels(self, batch: PreparedBatch, rows: IntArray) -> NDArray[np.uint8]:
        """The better of the kind level and the weapon level of each row."""
        return np.maximum(
            kind_level(batch, rows, self.kind_levels), weapon_level(batch, rows, self.weapon_levels)
        )

    def evaluate(self, batch: PreparedBatch, rows: IntArray) -> Hits:
        """Findings among ``rows``."""
        screened = screen(batch, rows, self.context.span, self.levels(batch, rows))
        match = against_area(batch, screened.rows, self.area)
        status = final_status(match.space, screened)
        keep = np.flatnonzero(status > 0)
        return area_hits(screened, keep, status, match, self.area)

    def words(self, batch: PreparedBatch, hits: Hits) -> Words:
        """The area (or the corridor and the distance to its line)."""
        return area_words(batch, hits, self.area, "the acts it prohibits")


def area_hits(
    screened: Screen, keep: IntArray, status: NDArray[np.int8], match: AreaMatch, area: AreaSet
) -> Hits:
    """Hits of an area check."""
    return Hits.of(
        screened,
        keep,
        status,
        match.space,
        np.abs(match.f),
        area.corridor_m if area.corridor_m is not None else 0.0,
        match.share,
        feature=match.feature,
    )


def compile_term(setup: TermSetup, term: ZoneRestriction) -> Compiled:
    """One unit per stretch of time with the same version of the zone's layer."""
    compiled = Compiled()
    for context, versions in setup.contexts([term.zone.layer]):
        area = area_set(setup.agreement, term.zone, versions[term.zone.layer], setup.cache)
        compiled.units.append(ZoneRestrictionUnit(context, term, area))
    return compiled
