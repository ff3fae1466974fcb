"""Weapons kept a distance back from the line, each party measuring from its own line.

An observation (kind ``military-presence`` or narrower) of a weapon class in the term's table
breaches the term when it lies on a party's side of the line (the sides layer: inside the zone
for the ``inside`` parties, outside it for the others) closer to that party's reference line than
the class's per-side distance. A weapon class broader than a listed one (``heavy-weapon``) is at
most possible. When the precision circle straddles the sides' boundary, both sides are tried:
the finding is certain only if it holds on both.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from truce import vocabulary
from truce.agreement.terms import WithdrawalDistance
from truce.engine.batch import WEAPON_SLUGS, PreparedBatch
from truce.engine.checks.base import (
    BROADER,
    FULL,
    Compiled,
    EventUnit,
    Hits,
    TermSetup,
    UnitContext,
    Words,
    act_levels,
    common_reasons,
    final_status,
    kind_level,
    screen,
)
from truce.engine.circles import BEYOND, STRADDLES, WITHIN, circle_status, half_plane_share
from truce.engine.explain import Text, distance_text, join, lookup, words_of
from truce.engine.fields import Field, LinesField
from truce.engine.grid import FloatArray, IntArray
from truce.engine.layers import Features, line_set, zone_of_layer
from truce.engine.zone_field import ZoneField

INSIDE_SIDE, OUTSIDE_SIDE = 0, 1


def weapon_table(term: WithdrawalDistance) -> tuple[NDArray[np.uint8], FloatArray]:
    """Per weapon class: its level (FULL if a listed class covers it, BROADER if it may be one)
    and its per-side distance (for a broader class, the largest it may have)."""
    distances = {w: d.metres for w, d in term.per_side_distances().items()}
    levels = np.zeros(len(WEAPON_SLUGS), dtype=np.uint8)
    limits = np.zeros(len(WEAPON_SLUGS))
    for i, slug in enumerate(WEAPON_SLUGS):
        chain = vocabulary.ancestors(vocabulary.WEAPON_CLASSES, slug)
        covering = [w for w in chain if w in distances]
        below = [w for w in distances if slug in vocabulary.ancestors(vocabulary.WEAPON_CLASSES, w)]
        if covering:
            levels[i], limits[i] = FULL, distances[covering[0]]
        elif below:
            levels[i], limits[i] = BROADER, max(distances[w] for w in below)
    return levels, limits


class WithdrawalUnit(EventUnit):
    """A withdrawal-distance term over one span."""

    def __init__(
        self,
        context: UnitContext,
        term: WithdrawalDistance,
        sides: tuple[ZoneField, Features],
        lines: dict[str, tuple[LinesField, Features, str]],
    ) -> None:
        super().__init__(context)
        self.term = term
        self.sides, self.side_features = sides
        self.lines = lines
        self.kind_levels = act_levels(["military-presence"])
        self.weapon_levels, self.limits = weapon_table(term)
        self.reach = float(self.limits.max()) if len(self.limits) else 0.0
        self.parties = (list(term.sides.inside), list(term.sides.outside))

    def near(self) -> list[tuple[Field, float]]:
        """Every reference line, within the largest distance."""
        seen: dict[int, LinesField] = {id(f): f for f, _, _ in self.lines.values()}
        return [(f, self.reach) for f in seen.values()]

    def evaluate(self, batch: PreparedBatch, rows: IntArray) -> Hits:
        """Findings among ``rows``."""
        weapon = batch.weapon[rows]
        by_weapon = np.where(weapon >= 0, self.weapon_levels[np.maximum(weapon, 0)], 0)
        level = np.minimum(kind_level(batch, rows, self.kind_levels), by_weapon).astype(np.uint8)
        screened = screen(batch, rows, self.context.span, level)
        rows = screened.rows
        weapon = batch.weapon[rows]
        limit = self.limits[np.maximum(weapon, 0)]
        precision = batch.precision[rows]
        side = self._side(batch, rows, precision)
        bounds: dict[int, tuple[IntArray, FloatArray, FloatArray]] = {}
        results = [self._on_side(batch, rows, limit, precision, s, side, bounds) for s in (0, 1)]
        space, f, line = _combine(side, results)
        status = final_status(space, screened)
        keep = np.flatnonzero(status > 0)
        share = np.where(space == STRADDLES, half_plane_share(limit - f, precision), 1.0)
        return Hits.of(screened, keep, status, space, f, limit, share, side=side, line=line)

    def words(self, batch: PreparedBatch, hits: Hits) -> Words:
        """The weapon, the line and the distance to it, the side it was on."""
        line = hits.detail["line"].astype(np.int64)
        side = hits.detail["side"].astype(np.int64)
        parties = self._line_parties()
        return Words(
            feature_layer=lookup(self._line_layers(), line),
            feature_id=lookup([self.lines[p][1].ids[0] for p in parties], line),
            feature_name=lookup([self.lines[p][2] for p in parties], line),
            side=lookup(self._side_words(), side),
            where=self._where(batch, hits.rows, hits.distance_m, hits.limit_m, side, line),
            reasons=common_reasons(
                batch,
                hits,
                lambda index: join(
                    "within ",
                    distance_text(hits.limit_m[index]),
                    " of ",
                    words_of([self.lines[p][2] for p in parties], line[index], "the line"),
                ),
                "an observation of a weapon",
            ),
        )

    def _side(self, batch: PreparedBatch, rows: IntArray, precision: FloatArray) -> IntArray:
        """0 inside, 1 outside, 2 when the circle straddles the boundary."""
        local, lo, hi = self.sides.cell_bounds(batch.ix, batch.iy, rows)
        side = np.where(hi + precision <= 0, 0, np.where(lo - precision > 0, 1, 2))
        todo = np.flatnonzero(side == 2)
        if len(todo):
            exact = self.sides.exact(batch.lon[rows[todo]], batch.lat[rows[todo]], local[todo])
            status = circle_status(exact.f, precision[todo], np.zeros(len(todo)))
            side[todo] = np.where(status == WITHIN, 0, np.where(status == BEYOND, 1, 2))
        return side.astype(np.int64)

    def _line_parties(self) -> list[str]:
        """One party per distinct reference line, in order."""
        seen: dict[str, str] = {}
        for party in self.parties[0] + self.parties[1]:
            layer = self.lines[party][1].layer
            seen.setdefault(layer, party)
        return list(seen.values())

    def _line_layers(self) -> list[str]:
        return [self.lines[p][1].layer for p in self._line_parties()]

    def _on_side(
        self,
        batch: PreparedBatch,
        rows: IntArray,
        limit: FloatArray,
        precision: FloatArray,
        which: int,
        side: IntArray,
        bounds: dict[int, tuple[IntArray, FloatArray, FloatArray]],
    ) -> tuple[NDArray[np.int8], FloatArray, IntArray]:
        """Status, distance and line index of each row measured from this side's line(s).
        ``bounds`` keeps each line field's cell bounds of the rows, for the other side (both
        sides often measure from the same line)."""
        space = np.zeros(len(rows), dtype=np.int8)
        distance = np.full(len(rows), np.inf)
        line = np.full(len(rows), -1, dtype=np.int64)
        relevant = side != (1 - which)
        layers = self._line_layers()
        done: set[str] = set()
        for party in self.parties[which]:
            field, features, _ = self.lines[party]
            if features.layer in done:
                continue
            done.add(features.layer)
            index = layers.index(features.layer)
            if id(field) not in bounds:
                bounds[id(field)] = field.cell_bounds(batch.ix, batch.iy, rows)
            local, lo, _ = bounds[id(field)]
            todo = np.flatnonzero(relevant & (lo - precision <= limit))
            if len(todo) == 0:
                continue
            exact = field.exact(batch.lon[rows[todo]], batch.lat[rows[todo]], local[todo])
            status = circle_status(exact.f, precision[todo], limit[todo])
            better = (status > space[todo]) | ((status == space[todo]) & (exact.f < distance[todo]))
            chosen = todo[better]
            space[chosen] = status[better]
            distance[chosen] = exact.f[better]
            line[chosen] = index
        return space, distance, line

    def _side_words(self) -> list[str]:
        layer = self.side_features.layer
        inside, outside = ", ".join(self.parties[0]), ", ".join(self.parties[1])
        return [
            f"{inside} (inside {layer})",
            f"{outside} (outside {layer})",
            f"uncertain: the precision circle straddles the edge of {layer}",
        ]

    def _where(
        self,
        batch: PreparedBatch,
        rows: IntArray,
        f: FloatArray,
        limit: FloatArray,
        side: IntArray,
        line: IntArray,
    ) -> Text:
        labels = [vocabulary.WEAPON_CLASSES[w].label for w in WEAPON_SLUGS]
        weapon = words_of(labels, batch.weapon[rows].astype(np.int64), "weapon")
        names = [self.lines[p][2] for p in self._line_parties()]
        return join(
            weapon,
            " observed ",
            distance_text(f),
            " from ",
            words_of(names, line, "the line"),
            " (layer ",
            words_of(self._line_layers(), line, ""),
            "), on the side of ",
            words_of(self._side_words(), side, ""),
            "; each side keeps it ",
            distance_text(limit),
            " back",
        )


def _combine(
    side: IntArray, results: list[tuple[NDArray[np.int8], FloatArray, IntArray]]
) -> tuple[NDArray[np.int8], FloatArray, IntArray]:
    """The result of the side each row is on; for a straddling circle, certain only if certain
    on both sides."""
    (in_space, in_f, in_line), (out_space, out_f, out_line) = results
    space = np.where(side == 0, in_space, out_space)
    f = np.where(side == 0, in_f, out_f)
    line = np.where(side == 0, in_line, out_line)
    both = side == 2
    agree = np.minimum(in_space, out_space)
    straddle_space = np.where(agree == WITHIN, WITHIN, np.maximum(in_space, out_space).clip(0, 1))
    space = np.where(both, straddle_space, space).astype(np.int8)
    nearer = in_f <= out_f
    f = np.where(both, np.where(nearer, in_f, out_f), f)
    line = np.where(both, np.where(nearer, in_line, out_line), line)
    return space, f, line


def compile_term(setup: TermSetup, term: WithdrawalDistance) -> Compiled:
    """One unit per stretch of time with the same versions of the lines and the sides layer."""
    compiled = Compiled()
    reach = max((d.metres for d in term.per_side_distances().values()), default=0.0)
    layers = list(dict.fromkeys([*term.reference_lines.values(), term.sides.layer]))
    agreement = setup.agreement
    for context, versions in setup.contexts(layers):
        sides = zone_of_layer(agreement, term.sides.layer, versions[term.sides.layer], setup.cache)
        lines = {}
        for party, layer_id in term.reference_lines.items():
            field, features = line_set(agreement, layer_id, versions[layer_id], reach, setup.cache)
            layer = agreement.layer(layer_id)
            lines[party] = (field, features, layer.title if layer else layer_id)
        compiled.units.append(WithdrawalUnit(context, term, sides, lines))
    return compiled
