"""Prohibited acts against protected objects (the 2025 energy moratorium's kind of term).

An event breaches the term when its kind is one of the prohibited acts (narrower kinds
included), it lies within ``radius`` of a selected object (distance less the object's extent),
and, if the report names its target's class, that class is protected. The report naming a
selected object (its name, or its class within the object's own precision) makes the event a
breach *as claimed*, wherever its reference point lies. An attempt (outcome ``attempt``) counts
only if the term counts attempts, within ``attempt_radius``. Events of a broader kind (such as
``use-of-force`` or an explosion of unknown origin) are at most possible. An event whose
outcome is not stated is taken as an impact, and its finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce import vocabulary
from truce.agreement.terms import ProhibitedAct
from truce.engine.batch import PreparedBatch
from truce.engine.checks.base import (
    ATTEMPT,
    VIOLATION,
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
from truce.engine.circles import BEYOND, STRADDLES, WITHIN, circle_status, disc_share
from truce.engine.explain import choose, distance_text, join, lookup, words_of
from truce.engine.fields import Field
from truce.engine.grid import FloatArray, IntArray
from truce.engine.layers import ObjectSet, normalised, object_set
from truce.geodesy import distance_m

_IMPACT, _ATTEMPT, _UNKNOWN = 0, 1, 2


@dataclass
class _Best:
    """Per row, the best match found so far among the object sets."""

    space: NDArray[np.int8]
    named: NDArray[np.bool_]
    f: FloatArray
    obj: IntArray
    share: FloatArray

    @classmethod
    def empty(cls, size: int) -> _Best:
        """No match yet for ``size`` rows."""
        return cls(
            np.zeros(size, dtype=np.int8),
            np.zeros(size, dtype=bool),
            np.full(size, np.inf),
            np.full(size, -1, dtype=np.int64),
            np.zeros(size),
        )

    def update(self, other: _Best) -> None:
        """Keep, per row, the better of this match and ``other``."""
        better = (other.space > self.space) | (
            (other.space == self.space)
            & ((other.named & ~self.named) | ((other.named == self.named) & (other.f < self.f)))
        )
        better &= other.space > BEYOND
        for name in ("space", "named", "f", "obj", "share"):
            mine = getattr(self, name)
            mine[better] = getattr(other, name)[better]


class ProhibitedActUnit(EventUnit):
    """A prohibited-act term over one span, against its object sets."""

    def __init__(self, context: UnitContext, term: ProhibitedAct, sets: list[ObjectSet]) -> None:
        super().__init__(context)
        self.term = term
        self.sets = sets
        self.kind_levels = act_levels(term.acts)
        self.bypass_targets = True
        self.radius = term.radius.metres
        attempts = term.attempt_radius if "attempt" in term.counts else None
        self.attempt_radius = attempts.metres if attempts is not None else None
        self.reach = max(self.radius, self.attempt_radius or 0.0)
        self.offsets = np.cumsum([0] + [len(s.names) for s in sets])
        self.ids = [i for s in sets for i in s.features.ids]
        self.names = [n for s in sets for n in s.features.names]
        self.layers = [s.features.layer for s in sets for _ in s.names]
        self.labels = [
            vocabulary.OBJECT_CLASSES[c].label if c in vocabulary.OBJECT_CLASSES else "object"
            for s in sets
            for c in s.features.classes
        ]
        self.extent = np.concatenate([s.field.extent for s in sets])
        self.descriptions = [
            f"{label} '{name}' ({ident}, layer {layer})"
            for label, name, ident, layer in zip(
                self.labels, self.names, self.ids, self.layers, strict=True
            )
        ]
        self.suffixes = [self._suffix(code) for code in range(16)]

    def _suffix(self, code: int) -> str:
        """The end of the 'where' sentence: how the event relates to the object."""
        named, straddles, attempt, unknown = (bool(code >> bit & 1) for bit in range(4))
        limit = (
            f"the {self.term.attempt_radius} attempt radius"
            if attempt
            else (f"the {self.term.radius} radius")
        )
        words = " (an attempt)" if attempt else ""
        if named:
            words += "; the report names it as the target (a breach as claimed)"
        elif straddles:
            words += f", at the edge of {limit}"
        else:
            words += f", within {limit}"
        if unknown:
            words += "; the outcome is not stated and is taken as an impact"
        return words

    def near(self) -> list[tuple[Field, float]]:
        """Every object set, within the larger of the radius and the attempt radius."""
        return [(s.field, self.reach) for s in self.sets]

    def evaluate(self, batch: PreparedBatch, rows: IntArray) -> Hits:
        """Findings among ``rows``."""
        screened = screen(batch, rows, self.context.span, kind_level(batch, rows, self.kind_levels))
        outcome = batch.outcome[screened.rows]
        attempt = outcome == _ATTEMPT
        counted = np.where(attempt, self.attempt_radius is not None, "impact" in self.term.counts)
        screened = screened.take(counted)
        attempt = attempt[counted]
        outcome = outcome[counted]
        limit = np.where(attempt, self.attempt_radius or 0.0, self.radius)
        # The first set's match is taken as it is rather than merged into an empty one: the
        # rows it leaves beyond keep other values than an update would give them, but have no
        # status and are dropped below, and later updates only read the space of such rows.
        best: _Best | None = None
        for index, objects in enumerate(self.sets):
            found = self._against(batch, screened.rows, limit, objects, index)
            if best is None:
                best = found
            else:
                best.update(found)
        if best is None:
            best = _Best.empty(len(screened.rows))
        certain = np.where(attempt, ATTEMPT, VIOLATION).astype(np.int8)
        status = final_status(best.space, screened, certain)
        keep = np.flatnonzero(status > 0)
        return Hits.of(
            screened,
            keep,
            status,
            best.space,
            best.f,
            limit,
            best.share,
            obj=best.obj,
            named=best.named,
            attempt=attempt,
            unknown=outcome == _UNKNOWN,
        )

    def _against(
        self,
        batch: PreparedBatch,
        rows: IntArray,
        limit: FloatArray,
        objects: ObjectSet,
        index: int,
    ) -> _Best:
        result = _Best.empty(len(rows))
        target_class = batch.target_class[rows]
        allowed = (target_class < 0) | objects.protected[np.maximum(target_class, 0)]
        named = np.where(allowed, self._named(batch, rows, target_class, objects), -1)
        precision = batch.precision[rows]
        field = objects.field
        local, lo, _ = field.cell_bounds(batch.ix, batch.iy, rows)
        todo = np.flatnonzero(allowed & (named < 0) & (lo - precision <= limit))
        if len(todo):
            exact = field.exact(batch.lon[rows[todo]], batch.lat[rows[todo]], local[todo])
            result.f[todo], result.obj[todo] = exact.f, exact.primitive
            result.space[todo] = circle_status(exact.f, precision[todo], limit[todo])
        claimed = np.flatnonzero(named >= 0)
        if len(claimed):
            obj = named[claimed]
            where = rows[claimed]
            away = distance_m(batch.lon[where], batch.lat[where], field.lon[obj], field.lat[obj])
            result.f[claimed] = np.maximum(away - field.extent[obj], 0.0)
            result.obj[claimed] = obj
            result.space[claimed] = WITHIN
            result.named[claimed] = True
        straddles = np.flatnonzero(result.space == STRADDLES)
        result.share[result.space == WITHIN] = 1.0
        if len(straddles):
            extent = field.extent[result.obj[straddles]]
            result.share[straddles] = disc_share(
                result.f[straddles] + extent, precision[straddles], limit[straddles] + extent
            )
        result.obj = np.where(result.obj >= 0, result.obj + self.offsets[index], -1)
        return result

    def _named(
        self,
        batch: PreparedBatch,
        rows: IntArray,
        target_class: NDArray[np.int16],
        objects: ObjectSet,
    ) -> IntArray:
        """The selected object the report names as target (by name, or by class within the
        object's own precision), -1 for none."""
        named = np.full(len(rows), -1, dtype=np.int64)
        with_target = np.flatnonzero(batch.has_target[rows])
        if len(with_target) == 0:
            return named
        column = batch.batch.column("target").take(pa.array(rows[with_target]))
        found = pc.index_in(normalised(column), value_set=pa.array(objects.names, pa.string()))
        by_name = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False))
        named[with_target] = by_name
        by_class = with_target[(by_name < 0) & (target_class[with_target] >= 0)]
        if len(by_class):
            named[by_class] = self._by_class(batch, rows[by_class], target_class[by_class], objects)
        return named

    @staticmethod
    def _by_class(
        batch: PreparedBatch, rows: IntArray, target_class: NDArray[np.int16], objects: ObjectSet
    ) -> IntArray:
        dated = np.flatnonzero(np.isfinite(objects.precision_m))
        row_index, obj_index = np.nonzero(target_class[:, None] == objects.classes[None, dated])
        obj = dated[obj_index]
        where = rows[row_index]
        away = distance_m(
            batch.lon[where], batch.lat[where], objects.field.lon[obj], objects.field.lat[obj]
        )
        matched = away <= objects.precision_m[obj]
        row_index, obj, away = row_index[matched], obj[matched], away[matched]
        order = np.lexsort((away, row_index))
        first = np.ones(len(order), dtype=bool)
        first[1:] = row_index[order][1:] != row_index[order][:-1]
        chosen = np.full(len(rows), -1, dtype=np.int64)
        chosen[row_index[order][first]] = obj[order][first]
        return chosen

    def words(self, batch: PreparedBatch, hits: Hits) -> Words:
        """The object (name, id, layer), the distance, how it relates to the radius."""
        obj = hits.detail["obj"].astype(np.int64)
        code = (
            hits.detail["named"].astype(np.int64)
            + 2 * (hits.space == STRADDLES)
            + 4 * hits.detail["attempt"]
            + 8 * hits.detail["unknown"]
        )
        where = join(
            distance_text(hits.distance_m),
            " from ",
            words_of(self.descriptions, obj, "an object"),
            words_of(self.suffixes, code),
        )
        return Words(
            feature_layer=lookup(self.layers, obj),
            feature_id=lookup(self.ids, obj),
            feature_name=lookup(self.names, obj),
            side=pa.nulls(len(hits), pa.string()),
            where=where,
            reasons=common_reasons(
                batch,
                hits,
                lambda index: join(
                    "within ",
                    distance_text(hits.limit_m[index]),
                    choose(hits.detail["attempt"][index].astype(bool), " (the attempt radius)"),
                    " of the object",
                ),
                "the acts the term prohibits",
            ),
        )


def compile_term(setup: TermSetup, term: ProhibitedAct) -> Compiled:
    """One unit per stretch of time with the same versions of the objects layers."""
    compiled = Compiled()
    reach = term.radius.metres
    if "attempt" in term.counts and term.attempt_radius is not None:
        reach = max(reach, term.attempt_radius.metres)
    layers = list(dict.fromkeys(selector.layer for selector in term.objects))
    for context, versions in setup.contexts(layers):
        found = [
            object_set(setup.agreement, selector, versions[selector.layer], reach, setup.cache)
            for selector in term.objects
        ]
        sets = [s for s in found if s is not None]
        if sets:
            compiled.units.append(ProhibitedActUnit(context, term, sets))
        else:
            compiled.notes.append(f"{term.id}: no selected object in the layers used")
    return compiled
