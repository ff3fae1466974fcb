"""A slow, obviously correct reference for the event-level checks: one event at a time, every
object and segment measured, shapely for containment, no raster and no prefilter.

It implements the same rules as the engine (see ``docs/engine.md``) in plain Python, so tests and
the bench can compare the fast findings with it. It covers prohibited-act, withdrawal-distance
and zone-restriction terms without quiet-period gates or releases, and takes the layer versions
valid at each event's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import shapely
from numpy.typing import NDArray
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from truce import vocabulary
from truce.agreement import Agreement
from truce.agreement.geometry import LayerFeature
from truce.agreement.in_force import effective_window, term_window
from truce.agreement.terms import ProhibitedAct, WithdrawalDistance, ZoneRestriction
from truce.engine.fields import line_parts
from truce.engine.layers import geometry, normalised
from truce.events.model import Event
from truce.geodesy import LCC, distance_m, segment_distance_m
from truce.instant import Instant


@dataclass(frozen=True)
class Verdict:
    """The reference's answer for one event and one term."""

    status: str
    feature: str | None
    distance_m: float | None


def _kind_level(acts: list[str], kind: str) -> int:
    if vocabulary.covers(vocabulary.EVENT_KINDS, acts, kind):
        return 2
    for act in acts:
        if kind in vocabulary.ancestors(vocabulary.EVENT_KINDS, act):
            return 1
    if kind == "explosion" and any(
        vocabulary.covers(vocabulary.EVENT_KINDS, ["use-of-force"], act) for act in acts
    ):
        return 1
    return 0


def _weapon_level(weapons: list[str], weapon: str | None) -> int:
    if weapon is None:
        return 0
    if vocabulary.covers(vocabulary.WEAPON_CLASSES, weapons, weapon):
        return 2
    if any(weapon in vocabulary.ancestors(vocabulary.WEAPON_CLASSES, w) for w in weapons):
        return 1
    return 0


def _time(event: Event, start: datetime, end: datetime | None) -> tuple[str, float]:
    s, e = event.time_start, event.time_end
    if e <= s:
        inside = s >= start and (end is None or s < end)
        return ("inside" if inside else "outside"), float(inside)
    if (end is not None and s >= end) or e <= start:
        return "outside", 0.0
    if s >= start and (end is None or e <= end):
        return "inside", 1.0
    common = (min(e, end) if end else e) - max(s, start)
    return "straddles", common / (e - s)


def _circle(f: float, precision: float, limit: float) -> str:
    if f + precision <= limit:
        return "within"
    if f - precision > limit:
        return "beyond"
    return "straddles"


_PARTS: dict[int, tuple[BaseGeometry, list[tuple[NDArray[np.float64], ...]]]] = {}
_UNIONS: dict[tuple[int, ...], tuple[list[BaseGeometry], BaseGeometry]] = {}
# Both caches keep the shapes they are keyed by alive, so that their ids cannot be reused.


def _projected_parts(shape: BaseGeometry) -> list[tuple[NDArray[np.float64], ...]]:
    """The shape's lines and rings, projected (remembered per shape)."""
    if id(shape) not in _PARTS:
        parts: list[tuple[NDArray[np.float64], ...]] = []
        for coords in line_parts(shape):
            x, y = LCC.forward(coords[:, 0], coords[:, 1])
            parts.append((x, y, coords[:, 1]))
        _PARTS[id(shape)] = (shape, parts)
    return _PARTS[id(shape)][1]


def _union(shapes: list[BaseGeometry]) -> BaseGeometry:
    """The union of some shapes (remembered per set of shapes)."""
    key = tuple(id(s) for s in shapes)
    if key not in _UNIONS:
        _UNIONS[key] = (list(shapes), shapely.union_all(shapes))
    return _UNIONS[key][1]


def _segment_distance(lon: float, lat: float, shape: BaseGeometry) -> float:
    """Distance from a point to every segment of a shape's lines or rings; the smallest."""
    best = np.inf
    x, y = LCC.forward(np.array([lon]), np.array([lat]))
    for sx, sy, slat in _projected_parts(shape):
        n = len(sx) - 1
        d = segment_distance_m(
            np.full(n, x[0]),
            np.full(n, y[0]),
            np.full(n, lat),
            sx[:-1],
            sy[:-1],
            slat[:-1],
            sx[1:],
            sy[1:],
            slat[1:],
        )
        best = min(best, float(d.min()))
    return best


def _combine(space: str, time: str, level: int, certain: str) -> str | None:
    if space == "beyond" or time == "outside" or level == 0:
        return None
    if space == "within" and time == "inside" and level == 2:
        return certain
    return "possible"


class Reference:
    """The reference checker of one agreement (stated start only)."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.window, _ = effective_window(agreement)

    def check(self, event: Event) -> dict[str, Verdict]:
        """Verdicts of the event against every event-level term (absent: no finding)."""
        out: dict[str, Verdict] = {}
        if self.window is None or event.lon is None or event.lat is None:
            return out
        for term in self.agreement.terms:
            own = term_window(term, self.window)
            start, end = own.start.utc, own.end.utc if own.end else None
            time, _ = _time(event, start, end)
            if time == "outside":
                continue
            at = Instant.from_utc(max(event.time_start, start))
            place = (event.lon, event.lat)
            verdict: Verdict | None = None
            if isinstance(term, ProhibitedAct):
                verdict = self._prohibited(term, event, place, time, at)
            elif isinstance(term, WithdrawalDistance):
                verdict = self._withdrawal(term, event, place, time, at)
            elif isinstance(term, ZoneRestriction):
                verdict = self._zone(term, event, place, time, at)
            if verdict is not None:
                out[term.id] = verdict
        return out

    def _version(self, layer: str, at: Instant) -> int:
        found = self.agreement.layer(layer)
        assert found is not None
        for index, version in enumerate(found.versions):
            if version.covers(at.utc):
                return index
        return -1

    def _prohibited(
        self, term: ProhibitedAct, event: Event, place: tuple[float, float], time: str, at: Instant
    ) -> Verdict | None:
        level = _kind_level(list(term.acts), event.kind)
        attempt = event.outcome == "attempt"
        if attempt and ("attempt" not in term.counts or term.attempt_radius is None):
            return None
        if not attempt and "impact" not in term.counts:
            return None
        limit = (
            term.attempt_radius.metres if attempt and term.attempt_radius else term.radius.metres
        )
        precision = event.precision_m or 0.0
        best: tuple[int, int, float, str] | None = None
        for selector in term.objects:
            version = self._version(selector.layer, at)
            if version < 0:
                continue
            wanted = vocabulary.descendants(vocabulary.OBJECT_CLASSES, selector.classes or [])
            if (
                event.target_class is not None
                and selector.classes
                and (event.target_class not in wanted)
            ):
                continue
            for feature in geometry(self.agreement, selector.layer, version).features:
                if selector.classes and feature.object_class not in wanted:
                    continue
                if selector.ids and feature.id not in selector.ids:
                    continue
                point = feature.geometry
                if point.geom_type != "Point":
                    point = shapely.point_on_surface(point)
                extent = float(feature.properties.get("extent_m") or 0.0)
                d = float(distance_m(*place, point.x, point.y))
                f = max(d - extent, 0.0)
                named = self._names(event, feature, d)
                space = "within" if named else _circle(f, precision, limit)
                rank = {"within": 2, "straddles": 1, "beyond": 0}[space]
                key = (rank, int(named), -f, feature.id)
                if rank and (best is None or key[:3] > best[:3]):
                    best = key
        if best is None:
            return None
        space = "within" if best[0] == 2 else "straddles"
        status = _combine(space, time, level, "attempt" if attempt else "violation")
        return Verdict(status, best[3], -best[2]) if status else None

    def _names(self, event: Event, feature: LayerFeature, d: float) -> bool:
        properties = feature.properties
        name = str(properties.get("name") or properties.get("name_en") or feature.id)
        if event.target is not None:
            texts = normalised(pa.array([event.target, name], pa.string())).to_pylist()
            if texts[0] == texts[1]:
                return True
        precision = properties.get("precision_km")
        if event.target_class is not None and precision is not None:
            return event.target_class == feature.object_class and d <= float(precision) * 1000.0
        return False

    def _withdrawal(
        self,
        term: WithdrawalDistance,
        event: Event,
        place: tuple[float, float],
        time: str,
        at: Instant,
    ) -> Verdict | None:
        kind = (
            2 if vocabulary.covers(vocabulary.EVENT_KINDS, ["military-presence"], event.kind) else 0
        )
        table = {w: d.metres for w, d in term.per_side_distances().items()}
        weapon = _weapon_level(list(table), event.weapon_class)
        if not kind or not weapon or event.weapon_class is None:
            return None
        chain = vocabulary.ancestors(vocabulary.WEAPON_CLASSES, event.weapon_class)
        covering = [w for w in chain if w in table]
        limit = (
            table[covering[0]]
            if covering
            else max(
                d
                for w, d in table.items()
                if event.weapon_class in vocabulary.ancestors(vocabulary.WEAPON_CLASSES, w)
            )
        )
        precision = event.precision_m or 0.0
        sides_version = self._version(term.sides.layer, at)
        shapes = [
            f.geometry for f in geometry(self.agreement, term.sides.layer, sides_version).features
        ]
        union = _union(shapes)
        inside = union.contains(Point(*place))
        edge = _segment_distance(*place, union)
        side_f = -edge if inside else edge
        side = _circle(side_f, precision, 0.0)
        results = []
        for which, parties in (("within", term.sides.inside), ("beyond", term.sides.outside)):
            if side != "straddles" and side != which:
                continue
            best = ("beyond", np.inf)
            for party in parties:
                layer = term.reference_lines[party]
                version = self._version(layer, at)
                lines = geometry(self.agreement, layer, version).features
                d = min(_segment_distance(*place, f.geometry) for f in lines)
                space = _circle(d, precision, limit)
                rank = {"within": 2, "straddles": 1, "beyond": 0}
                if (rank[space], -d) > (rank[best[0]], -best[1]):
                    best = (space, d)
            results.append(best)
        if side == "straddles":
            spaces = [r[0] for r in results]
            space = (
                "within"
                if all(s == "within" for s in spaces)
                else ("beyond" if all(s == "beyond" for s in spaces) else "straddles")
            )
            distance = min(r[1] for r in results)
        else:
            space, distance = results[0]
        status = _combine(space, time, min(kind, weapon), "violation")
        return Verdict(status, term.id, distance) if status else None

    def _zone(
        self,
        term: ZoneRestriction,
        event: Event,
        place: tuple[float, float],
        time: str,
        at: Instant,
    ) -> Verdict | None:
        acts = list(term.acts) + (["military-presence"] if term.forces else [])
        level = max(
            _kind_level(acts, event.kind) if acts else 0,
            _weapon_level(list(term.weapons), event.weapon_class),
        )
        if level == 0:
            return None
        version = self._version(term.zone.layer, at)
        features = [
            f
            for f in geometry(self.agreement, term.zone.layer, version).features
            if term.zone.features is None or f.id in term.zone.features
        ]
        precision = event.precision_m or 0.0
        if term.zone.within is not None:
            d = min(_segment_distance(*place, f.geometry) for f in features)
            space = _circle(d, precision, term.zone.within.metres)
            nearest = min(features, key=lambda f: _segment_distance(*place, f.geometry))
            status = _combine(space, time, level, "violation")
            return Verdict(status, nearest.id, d) if status else None
        union = _union([f.geometry for f in features])
        point = Point(*place)
        edge = _segment_distance(*place, union)
        f_value = -edge if union.contains(point) else edge
        space = _circle(f_value, precision, 0.0)
        status = _combine(space, time, level, "violation")
        if status is None:
            return None
        holder = next((f.id for f in features if f.geometry.contains(point)), None)
        if holder is None:
            holder = min(features, key=lambda f: _segment_distance(*place, f.geometry)).id
        return Verdict(status, holder, abs(f_value))
