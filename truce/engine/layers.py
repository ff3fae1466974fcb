"""From an agreement's layers to the engine's fields: which version applies when, which features
a selector picks, what each feature is called, and what proxy notes findings must repeat."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

from truce import vocabulary
from truce.agreement import Agreement
from truce.agreement.base import ObjectSelector, ZoneSelector
from truce.agreement.geometry import LayerFeature, LayerGeometry
from truce.engine.batch import OBJECT_SLUGS
from truce.engine.fields import Field, LinesField, PointsField
from truce.engine.timing import Span, micros
from truce.engine.zone_field import ZoneField
from truce.errors import LayerError
from truce.geodesy import distance_m


@dataclass(frozen=True)
class Features:
    """The features a field was built from: layer, ids, names, classes."""

    layer: str
    ids: list[str]
    names: list[str]
    classes: list[str | None]
    properties: list[dict[str, Any]]

    @classmethod
    def of(cls, layer: str, features: Sequence[LayerFeature]) -> Features:
        """Describe some features of a layer."""
        names = [_name(f) for f in features]
        return cls(
            layer,
            [f.id for f in features],
            names,
            [f.object_class for f in features],
            [f.properties for f in features],
        )


def _name(feature: LayerFeature) -> str:
    for key in ("name", "name_en", "title"):
        value = feature.properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return feature.id


def source_key(agreement: Agreement, layer_id: str, version: int) -> tuple[Any, ...]:
    """What identifies a layer version's geometry: its file, or the agreement and layer."""
    layer = agreement.layer(layer_id)
    file = layer.versions[version].file if layer is not None else None
    if file is not None and agreement.path is not None:
        return ("file", str((Path(agreement.path).parent / file).resolve()))
    return ("inline", agreement.path, agreement.id, layer_id, version)


class FieldCache:
    """Fields built once per (agreement file, layer, version, selection, reach)."""

    def __init__(self) -> None:
        self._fields: dict[tuple[Any, ...], Any] = {}
        self.reach: dict[tuple[Any, ...], float] = {}
        """Per line geometry (its source key), the largest distance any term measures from it:
        one field of that reach serves every term."""

    def widen(self, source: tuple[Any, ...], reach: float) -> None:
        """Note that some term measures up to ``reach`` from the line ``source``."""
        self.reach[source] = max(self.reach.get(source, 0.0), reach)

    def get(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """The cached value for ``key``, built on first use."""
        if key not in self._fields:
            self._fields[key] = build()
        return self._fields[key]


def geometry(agreement: Agreement, layer_id: str, version: int) -> LayerGeometry:
    """The loaded geometry of one version of a layer."""
    versions = agreement.layer_versions(layer_id)
    if version >= len(versions):
        raise LayerError(f"{agreement.id}: layer '{layer_id}' has no loaded version {version}")
    return versions[version][1]


def version_spans(
    agreement: Agreement, layers: Sequence[str], span: Span
) -> list[tuple[Span, dict[str, int]]]:
    """Stretches of ``span`` in which each layer has one valid version, with those versions."""
    cuts = {span.start, span.end}
    for layer_id in layers:
        layer = agreement.layer(layer_id)
        for version in layer.versions if layer else []:
            for moment in (version.valid_from, version.valid_until):
                if moment is not None and span.start < micros(moment) < span.end:
                    cuts.add(micros(moment))
    edges = sorted(cuts)
    out: list[tuple[Span, dict[str, int]]] = []
    for start, end in itertools.pairwise(edges):
        chosen = {layer_id: _version_at(agreement, layer_id, start) for layer_id in layers}
        if any(index is None for index in chosen.values()):
            continue
        versions = {k: v for k, v in chosen.items() if v is not None}
        if out and out[-1][1] == versions and out[-1][0].end == start:
            out[-1] = (Span(out[-1][0].start, end), versions)
        else:
            out.append((Span(start, end), versions))
    return out


def _version_at(agreement: Agreement, layer_id: str, at: int) -> int | None:
    layer = agreement.layer(layer_id)
    if layer is None:
        return None
    for index, version in enumerate(layer.versions):
        after_start = version.valid_from is None or at >= micros(version.valid_from)
        before_end = version.valid_until is None or at < micros(version.valid_until)
        if after_start and before_end:
            return index
    return None


def versions_words(agreement: Agreement, chosen: dict[str, int]) -> str:
    """'layer (file, valid from .. until ..)' for every layer version used."""
    parts = []
    for layer_id, index in sorted(chosen.items()):
        layer = agreement.layer(layer_id)
        if layer is None:
            continue
        version = layer.versions[index]
        source = version.file or "inline geometry"
        if version.valid_from is None and version.valid_until is None:
            parts.append(f"{layer_id} ({source}, valid at all times)")
            continue
        start = version.valid_from.describe() if version.valid_from else "the beginning"
        end = version.valid_until.describe() if version.valid_until else "further notice"
        parts.append(f"{layer_id} ({source}, valid from {start} until {end})")
    return "; ".join(parts)


def proxy_words(agreement: Agreement, chosen: dict[str, int]) -> str:
    """The proxy notes of the layer versions used, each naming its layer."""
    notes = []
    for layer_id, index in sorted(chosen.items()):
        layer = agreement.layer(layer_id)
        if layer is None:
            continue
        note = layer.versions[index].proxy or geometry(agreement, layer_id, index).proxy
        if note:
            notes.append(f"{layer_id} is a PROXY: {note}")
    return " ".join(notes)


@dataclass
class ObjectSet:
    """Protected objects of one selector in one layer version, as a points field."""

    field: PointsField
    features: Features
    protected: NDArray[np.bool_]
    classes: NDArray[np.int16]
    precision_m: NDArray[np.float64]
    names: list[str]


def object_set(
    agreement: Agreement, selector: ObjectSelector, version: int, reach: float, cache: FieldCache
) -> ObjectSet | None:
    """The selected objects as a field (None if the selection is empty)."""
    key = ("objects", source_key(agreement, selector.layer, version), repr(selector), reach)
    return cache.get(key, lambda: _build_objects(agreement, selector, version, reach))  # type: ignore[no-any-return]


def _build_objects(
    agreement: Agreement, selector: ObjectSelector, version: int, reach: float
) -> ObjectSet | None:
    wanted = vocabulary.descendants(vocabulary.OBJECT_CLASSES, selector.classes or [])
    chosen = [
        f
        for f in geometry(agreement, selector.layer, version).features
        if (not selector.classes or f.object_class in wanted)
        and (not selector.ids or f.id in selector.ids)
    ]
    if not chosen:
        return None
    lon, lat, extent = _points_of(chosen)
    protected = np.array(
        [not selector.classes or slug in wanted for slug in OBJECT_SLUGS], dtype=bool
    )
    classes = np.array(
        [
            OBJECT_SLUGS.index(f.object_class) if f.object_class in OBJECT_SLUGS else -1
            for f in chosen
        ],
        dtype=np.int16,
    )
    precision = np.array(
        [float(f.properties.get("precision_km") or np.nan) * 1000.0 for f in chosen]
    )
    names = normalised(pa.array([_name(f) for f in chosen], pa.string())).to_pylist()
    return ObjectSet(
        PointsField(lon, lat, extent, reach),
        Features.of(selector.layer, chosen),
        protected,
        classes,
        precision,
        names,
    )


def normalised(texts: pa.Array) -> pa.Array:
    """Texts lower-cased with runs of white space made one space, for matching names."""
    lowered = pc.utf8_lower(texts)
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(lowered, r"\s+", " "))


def _points_of(features: list[LayerFeature]) -> tuple[NDArray[np.float64], ...]:
    """A point and an extent per object (non-point objects: a point inside, half the diagonal
    of their bounding box)."""
    lon, lat, extent = [], [], []
    for feature in features:
        shape = feature.geometry
        if shape.geom_type == "Point":
            lon.append(shape.x)
            lat.append(shape.y)
            extent.append(float(feature.properties.get("extent_m") or 0.0))
            continue
        point = shapely.point_on_surface(shape)
        west, south, east, north = shape.bounds
        half = float(distance_m(west, south, east, north)) / 2.0
        lon.append(point.x)
        lat.append(point.y)
        extent.append(max(half, float(feature.properties.get("extent_m") or 0.0)))
    return np.array(lon), np.array(lat), np.array(extent)


@dataclass
class AreaSet:
    """A zone (areas of a zone layer, or a corridor along a line layer) as a field."""

    field: Field
    features: Features
    corridor_m: float | None


def area_set(agreement: Agreement, zone: ZoneSelector, version: int, cache: FieldCache) -> AreaSet:
    """The selected zone as a field."""
    if zone.within is not None and zone.features is None:
        field, features = line_set(agreement, zone.layer, version, zone.within.metres, cache)
        return AreaSet(field, features, zone.within.metres)
    key = ("zone", source_key(agreement, zone.layer, version), repr(zone))
    return cache.get(key, lambda: _build_area(agreement, zone, version))  # type: ignore[no-any-return]


def _build_area(agreement: Agreement, zone: ZoneSelector, version: int) -> AreaSet:
    chosen = [
        f
        for f in geometry(agreement, zone.layer, version).features
        if zone.features is None or f.id in zone.features
    ]
    if not chosen:
        raise LayerError(f"{agreement.id}: zone {zone.describe()} selects no feature")
    features = Features.of(zone.layer, chosen)
    shapes = [f.geometry for f in chosen]
    if zone.within is not None:
        return AreaSet(LinesField(shapes, zone.within.metres), features, zone.within.metres)
    return AreaSet(ZoneField(shapes), features, None)


def line_set(
    agreement: Agreement, layer_id: str, version: int, reach: float, cache: FieldCache
) -> tuple[LinesField, Features]:
    """A whole line layer as a field (of at least ``reach``: the widest any term needs)."""
    source = source_key(agreement, layer_id, version)
    reach = max(reach, cache.reach.get(source, 0.0))
    key = ("line", source, reach)

    def build() -> tuple[LinesField, Features]:
        chosen = geometry(agreement, layer_id, version).features
        return LinesField([f.geometry for f in chosen], reach), Features.of(layer_id, chosen)

    return cache.get(key, build)  # type: ignore[no-any-return]


def zone_of_layer(
    agreement: Agreement, layer_id: str, version: int, cache: FieldCache
) -> tuple[ZoneField, Features]:
    """A whole zone layer as a field."""
    key = ("sides", source_key(agreement, layer_id, version))

    def build() -> tuple[ZoneField, Features]:
        chosen = geometry(agreement, layer_id, version).features
        return ZoneField([f.geometry for f in chosen]), Features.of(layer_id, chosen)

    return cache.get(key, build)  # type: ignore[no-any-return]
