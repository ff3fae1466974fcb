"""Loading and checking the geometry of layer versions (inline GeoJSON, GeoJSON, GeoParquet)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from truce.agreement.model import Layer, LayerVersion

ACCEPTED_TYPES: dict[str, tuple[str, ...]] = {
    "line": ("LineString", "MultiLineString"),
    "zone": ("Polygon", "MultiPolygon"),
    "objects": ("Point", "MultiPoint", "Polygon", "MultiPolygon", "LineString", "MultiLineString"),
}
KIND_WORDS = {"line": "a line", "zone": "an area (Polygon or MultiPolygon)", "objects": "objects"}


@dataclass(frozen=True)
class LayerFeature:
    """One feature of a layer version."""

    id: str
    geometry: BaseGeometry
    object_class: str | None
    properties: dict[str, Any]


@dataclass
class LayerGeometry:
    """The features of one layer version, with the proxy note of the file, if any."""

    features: list[LayerFeature]
    proxy: str | None = None
    file: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def ids(self) -> set[str]:
        """All feature ids."""
        return {f.id for f in self.features}

    def classes(self) -> set[str]:
        """All object classes present."""
        return {f.object_class for f in self.features if f.object_class}


@dataclass(frozen=True)
class GeometryProblem:
    """A problem with a layer version's geometry (path relative to the version)."""

    path: tuple[str | int, ...]
    type: str
    message: str


def load_version(
    layer: Layer, version: LayerVersion, base_dir: Path
) -> tuple[LayerGeometry | None, list[GeometryProblem]]:
    """Load and check one layer version; problems are values, never exceptions."""
    if (version.file is None) == (version.geometry is None):
        return None, [
            GeometryProblem(
                ("file",),
                "conflicting-fields",
                "a layer version needs exactly one of 'file' and 'geometry'",
            )
        ]
    if version.file is not None:
        resolved = (base_dir / version.file).resolve()
        try:
            stat = resolved.stat()
        except OSError:
            return None, [
                GeometryProblem(("file",), "missing-file", f"layer file not found: {resolved}")
            ]
        try:
            raw_features, metadata = _read_file(str(resolved), stat.st_mtime_ns, stat.st_size)
        except (ValueError, OSError) as exc:
            return None, [
                GeometryProblem(("file",), "unreadable-file", f"cannot read {version.file}: {exc}")
            ]
        where = version.file
    else:
        raw_features, metadata = _features_of(version.geometry or {}), {}
        where = "inline geometry"
    problems: list[GeometryProblem] = []
    features = list(_check_features(layer, raw_features, where, problems))
    if not features and not problems:
        problems.append(
            GeometryProblem(_geom_path(version), "empty-layer", f"{where}: no features")
        )
    proxy = version.proxy or _proxy_of(metadata)
    return LayerGeometry(features, proxy, version.file, metadata), problems


def _geom_path(version: LayerVersion) -> tuple[str | int, ...]:
    return ("file",) if version.file is not None else ("geometry",)


def _proxy_of(metadata: dict[str, Any]) -> str | None:
    proxy = metadata.get("proxy") if isinstance(metadata, dict) else None
    return str(proxy) if proxy else None


@lru_cache(maxsize=64)
def _read_file(
    path: str, mtime_ns: int, size: int
) -> tuple[list[tuple[dict[str, Any], Any]], dict[str, Any]]:
    """(properties, geometry mapping or shapely geometry) pairs of a file; cached by identity."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".parquet", ".geoparquet"):
        return _read_geoparquet(path), {}
    with open(path, encoding="utf-8") as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from exc
    metadata = document.get("truce", {}) if isinstance(document, dict) else {}
    return _features_of(document), metadata if isinstance(metadata, dict) else {}


def _read_geoparquet(path: str) -> list[tuple[dict[str, Any], Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    geo = json.loads((table.schema.metadata or {}).get(b"geo", b"{}"))
    column = geo.get("primary_column", "geometry")
    if column not in table.column_names:
        raise ValueError(f"no geometry column {column!r}")
    geometries = shapely.from_wkb(table.column(column).to_numpy(zero_copy_only=False))
    rows = table.drop_columns([column]).to_pylist()
    return list(zip(rows, geometries, strict=True))


def _features_of(document: Any) -> list[tuple[dict[str, Any], Any]]:
    if not isinstance(document, dict):
        raise ValueError("a GeoJSON object (FeatureCollection, Feature or geometry) was expected")
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ValueError("FeatureCollection without a 'features' list")
        return [_feature_pair(f) for f in features]
    if kind == "Feature":
        return [_feature_pair(document)]
    return [({}, document)]


def _feature_pair(feature: Any) -> tuple[dict[str, Any], Any]:
    if not isinstance(feature, dict):
        return {}, None
    properties = feature.get("properties") or {}
    if "id" in feature and "id" not in properties:
        properties = {**properties, "id": feature["id"]}
    return (properties if isinstance(properties, dict) else {}), feature.get("geometry")


def _check_features(
    layer: Layer,
    raw: list[tuple[dict[str, Any], Any]],
    where: str,
    problems: list[GeometryProblem],
) -> Iterator[LayerFeature]:
    seen: set[str] = set()
    accepted = ACCEPTED_TYPES[layer.kind]
    for index, (properties, geometry_in) in enumerate(raw):
        feature_id = str(properties.get(layer.id_property, index))
        label = f"{where}: feature {index} (id '{feature_id}')"
        geometry = _to_shape(geometry_in, label, problems)
        if geometry is None:
            continue
        if geometry.geom_type not in accepted:
            problems.append(
                GeometryProblem(
                    ("file",),
                    "wrong-geometry-type",
                    f"{label}: a {layer.kind} layer needs {KIND_WORDS[layer.kind]}, "
                    f"got a {geometry.geom_type}",
                )
            )
            continue
        reason = shapely.is_valid_reason(geometry)
        if reason != "Valid Geometry":
            problems.append(
                GeometryProblem(
                    ("file",), "invalid-geometry", f"{label}: invalid geometry: {reason}"
                )
            )
            continue
        if feature_id in seen:
            problems.append(
                GeometryProblem(("file",), "duplicate-id", f"{label}: id '{feature_id}' repeats")
            )
            continue
        seen.add(feature_id)
        raw_class = properties.get(layer.class_property)
        yield LayerFeature(feature_id, geometry, str(raw_class) if raw_class else None, properties)


def _to_shape(geometry: Any, label: str, problems: list[GeometryProblem]) -> BaseGeometry | None:
    if isinstance(geometry, BaseGeometry):
        shape = geometry
    elif geometry is None:
        problems.append(GeometryProblem(("file",), "invalid-geometry", f"{label}: no geometry"))
        return None
    else:
        try:
            shape = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            problems.append(
                GeometryProblem(("file",), "invalid-geometry", f"{label}: not a geometry: {exc}")
            )
            return None
    if shape.is_empty:
        problems.append(GeometryProblem(("file",), "invalid-geometry", f"{label}: empty geometry"))
        return None
    coords = shapely.get_coordinates(shape)
    if coords.size and ((abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any()):
        problems.append(
            GeometryProblem(
                ("file",),
                "invalid-geometry",
                f"{label}: coordinates outside longitude/latitude range (WGS84 expected)",
            )
        )
        return None
    return shape
