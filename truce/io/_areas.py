"""Named areas for area-level events: oblasts, macro-regions, the country, a few towns.

The oblast layer is ``data/layers/ukraine-oblasts.geojson`` (27 features with ``id`` such as
``UA-51``, ``name_en``, ``name_uk``, ``macro_region`` and ``aliases``). From it come:

* each oblast, under its id, English and Ukrainian names and aliases;
* the macro-regions ``UA-north``, ``UA-south``, ``UA-east``, ``UA-west``, ``UA-centre`` (the
  words of Air Force reports; 'center' is accepted), as the union of their oblasts;
* the whole country ``UA`` ("Ukraine"), Crimea and Sevastopol included.

Towns named by the Air Force reports are a small gazetteer (:data:`TOWNS`): a centre and a
radius covering the town, with the oblast they lie in as ``area_id``. Every area is reduced to a
reference point and a covering radius by :func:`truce.io._geometry.covering_circle`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod
from shapely.geometry import GeometryCollection, Polygon, shape

from truce.errors import InputError
from truce.io._geometry import covering_circle, radius_from

DEFAULT_AREAS = Path(__file__).resolve().parents[2] / "data" / "layers" / "ukraine-oblasts.geojson"
"""The bundled oblast layer (switch the default here)."""

MACRO_REGIONS: tuple[str, ...] = ("north", "south", "east", "west", "centre")
"""The macro-regions of the oblast layer; their area ids are ``UA-<name>``."""

COUNTRY_ID = "UA"

_MACRO_WORDS = {
    "north": ["north"],
    "south": ["south"],
    "east": ["east"],
    "west": ["west"],
    "centre": ["centre"],
    "center": ["centre"],
    "south-east": ["south", "east"],
    "north-east": ["north", "east"],
    "south-west": ["south", "west"],
    "north-west": ["north", "west"],
}

# Spellings met in UCDP, ACLED and the Air Force reports that the layer's aliases lack.
_EXTRA_ALIASES = {
    "kiev special republican city": "UA-30",
    "kyiv special republican city": "UA-30",
    "kiev city": "UA-30",
    "kyiv oblast": "UA-32",
    "kiev oblast": "UA-32",
    "zaporizhzhya oblast": "UA-23",
    "zaporozhye oblast": "UA-23",
    "mykolayiv oblast": "UA-48",
    "nikolaev oblast": "UA-48",
    "odessa oblast": "UA-51",
    "lutsk oblast": "UA-07",
    "kharkov oblast": "UA-63",
    "lugansk oblast": "UA-09",
    "dnepropetrovsk oblast": "UA-12",
    "khmelnytskyy oblast": "UA-68",
    "khmelnitsky oblast": "UA-68",
    "ivano-frankivs'k oblast": "UA-26",
    "autonomous republic of crimea": "UA-43",
    "sevastopol city": "UA-40",
    "sevastopol' city": "UA-40",
}

_CITY_IDS = ("UA-30", "UA-40")  # Kyiv and Sevastopol: cities with the rank of an oblast
_FRONT_LINE = ("UA-63", "UA-09", "UA-14", "UA-23", "UA-65")


@dataclass(frozen=True)
class Town:
    """A town as a circle: centre, radius covering it, and the oblast it lies in."""

    name: str
    lat: float
    lon: float
    radius_m: float
    oblast: str


TOWNS: tuple[Town, ...] = (
    Town("Dnipro", 48.4647, 35.0462, 15_000, "UA-12"),
    Town("Kryvyi Rih", 47.9105, 33.3918, 30_000, "UA-12"),
    Town("Zaporizhzhia", 47.8388, 35.1396, 15_000, "UA-23"),
    Town("Odesa", 46.4825, 30.7233, 15_000, "UA-51"),
    Town("Kharkiv", 49.9935, 36.2304, 15_000, "UA-63"),
    Town("Sumy", 50.9077, 34.7981, 10_000, "UA-59"),
    Town("Kherson", 46.6354, 32.6169, 12_000, "UA-65"),
    Town("Kramatorsk", 48.7389, 37.5844, 10_000, "UA-14"),
    Town("Starokostiantyniv", 49.7574, 27.2039, 12_000, "UA-68"),
    Town("Kolomyia", 48.5312, 25.0365, 8_000, "UA-26"),
    Town("Ochakiv", 46.6127, 31.5486, 8_000, "UA-48"),
    Town("Snake Island", 45.2550, 30.2040, 2_000, "UA-51"),
    Town("Kremenchuk", 49.0659, 33.4204, 12_000, "UA-53"),
)
"""Towns named as targets in the Air Force reports (centres from OpenStreetMap, rounded)."""

OUTSIDE: dict[str, tuple[str, float, float, float]] = {
    "kursk oblast": ("RU-KRS", 51.66, 36.20, 190_000),
    "belgorod oblast": ("RU-BEL", 50.75, 37.45, 170_000),
    "bryansk oblast": ("RU-BRY", 52.90, 33.40, 200_000),
}
"""Russian regions named in the reports: (ISO 3166-2 id, lat, lon, covering radius in m)."""


@dataclass(frozen=True)
class Area:
    """A place an event is located at: an id, a reference point and a covering radius."""

    id: str
    name: str
    precision: str
    lon: float
    lat: float
    radius_m: float
    geometry: Any = field(compare=False, repr=False)


def key(name: str) -> str:
    """The lookup form of a place name: case-folded, quotes dropped, spaces collapsed."""
    cleaned = name.replace("’", "'").replace("`", "'").casefold()
    return " ".join(cleaned.strip(" .;").split())


class AreaLayer:
    """The oblast layer with every way of naming an area in it."""

    def __init__(self, path: Path, features: list[dict[str, Any]]) -> None:
        self.path = path
        self.oblasts: dict[str, Area] = {}
        self.names: dict[str, str] = {}
        self.macro: dict[str, list[str]] = {m: [] for m in MACRO_REGIONS}
        for feature in features:
            self._add_oblast(feature)
        for name, area_id in _EXTRA_ALIASES.items():
            self.names.setdefault(name, area_id)
        self._combined: dict[tuple[str, ...], Area] = {}
        self._targets: dict[str, tuple[list[Area], list[str]]] = {}
        self._radii: dict[tuple[str, str, float, float], float] = {}

    def _add_oblast(self, feature: dict[str, Any]) -> None:
        props = feature.get("properties") or {}
        area_id = str(props["id"])
        geometry = shape(feature["geometry"])
        lon, lat, radius = covering_circle(geometry)
        precision = "settlement" if area_id in _CITY_IDS else "oblast"
        name = str(props["name_en"])
        self.oblasts[area_id] = Area(area_id, name, precision, lon, lat, radius, geometry)
        for name in [
            area_id,
            props["name_en"],
            props.get("name_uk", ""),
            *props.get("aliases", []),
        ]:
            if name:
                self.names.setdefault(key(str(name)), area_id)
        region = props.get("macro_region")
        if region in self.macro:
            self.macro[region].append(area_id)

    def area(self, area_id: str) -> Area | None:
        """An oblast, macro-region (``UA-south``) or the country (``UA``) by id."""
        if area_id in self.oblasts:
            return self.oblasts[area_id]
        if area_id == COUNTRY_ID:
            return self._union((COUNTRY_ID,), list(self.oblasts), "Ukraine", "country")
        region = area_id.removeprefix("UA-")
        if region in self.macro:
            return self._union(
                (area_id,), self.macro[region], f"{region} of Ukraine", "macro-region"
            )
        return None

    def lookup(self, name: str) -> list[Area]:
        """The areas one place name stands for ([] when unknown); 'south-east' gives two."""
        word = key(name)
        if word in ("ukraine", "ua", "all of ukraine"):
            return [self._need(COUNTRY_ID)]
        if word in _MACRO_WORDS:
            return [self._need(f"UA-{region}") for region in _MACRO_WORDS[word]]
        if word == "front line":
            return [
                self._union(("UA-front-line",), list(_FRONT_LINE), "front line", "macro-region")
            ]
        town = _town(word)
        if town is not None:
            return [self._town_area(town)]
        found = self.oblast_named(word)
        if found is not None:
            return [found]
        if word in OUTSIDE:
            return [_outside_area(name, *OUTSIDE[word])]
        return []

    def oblast_named(self, name: str) -> Area | None:
        """The oblast (or Kyiv, Sevastopol, Crimea) of that name, id or alias, if any."""
        word = key(name)
        for candidate in (word, re.sub(r"\s+(oblast|region|province)$", "", word)):
            area_id = self.names.get(candidate) or self.names.get(candidate + " oblast")
            if area_id is not None:
                return self.oblasts[area_id]
        return None

    def _town_area(self, town: Town) -> Area:
        circle = _circle_polygon(town.lon, town.lat, town.radius_m)
        return Area(town.oblast, town.name, "settlement", town.lon, town.lat, town.radius_m, circle)

    def _need(self, area_id: str) -> Area:
        area = self.area(area_id)
        if area is None:
            raise KeyError(area_id)
        return area

    def _union(self, ids: tuple[str, ...], members: list[str], name: str, precision: str) -> Area:
        if ids not in self._combined:
            parts = [self.oblasts[m].geometry for m in members]
            geometry = GeometryCollection(parts)
            lon, lat, radius = covering_circle(geometry)
            area_id = "+".join(ids)
            self._combined[ids] = Area(area_id, name, precision, lon, lat, radius, geometry)
        return self._combined[ids]

    def combine(self, areas: list[Area]) -> Area:
        """One area covering several (ids joined with '+', the coarsest precision)."""
        unique = list({a.id + "|" + a.name: a for a in areas}.values())
        if len(unique) == 1:
            return unique[0]
        ids = tuple(dict.fromkeys(a.id for a in unique))
        cache_key = tuple(a.id + "|" + a.name for a in unique)
        if cache_key not in self._combined:
            geometry = GeometryCollection([a.geometry for a in unique])
            lon, lat, radius = covering_circle(geometry)
            name = " + ".join(a.name for a in unique)
            precision = _coarsest([a.precision for a in unique], several=len(ids) > 1)
            self._combined[cache_key] = Area(
                "+".join(ids), name, precision, lon, lat, radius, geometry
            )
        return self._combined[cache_key]

    def resolve(self, text: str) -> tuple[list[Area], list[str]]:
        """The areas a free-text target names, and the pieces that named no known area.

        Parts are separated by 'and' or ';'; within a part, comma-separated pieces are each
        looked up ('Odesa oblast, Black Sea' gives Odesa oblast and leaves 'Black Sea');
        parenthesised qualifiers ('Kyiv oblast (south)') are left over too.
        """
        if text not in self._targets:
            self._targets[text] = self._resolve(text)
        return self._targets[text]

    def _resolve(self, text: str) -> tuple[list[Area], list[str]]:
        found: list[Area] = []
        left: list[str] = []
        for part in re.split(r"\s+and\s+|;", text):
            bare = re.sub(r"\(([^)]*)\)", "", part)
            left.extend(q.strip() for q in re.findall(r"\(([^)]*)\)", part) if q.strip())
            for piece in (p.strip() for p in bare.split(",")):
                if not piece:
                    continue
                areas = self.lookup(piece)
                found.extend(areas)
                if not areas:
                    left.append(piece)
        return found, left

    def radius_around(self, area: Area, lon: float, lat: float) -> float:
        """The radius of the circle around (lon, lat) that covers ``area`` (cached)."""
        cache_key = (area.id, area.name, lon, lat)
        if cache_key not in self._radii:
            self._radii[cache_key] = radius_from(area.geometry, lon, lat)
        return self._radii[cache_key]


_PRECISION_ORDER = ("point", "settlement", "district", "oblast", "macro-region", "country")


def _coarsest(precisions: list[str], several: bool) -> str:
    rank = max(_PRECISION_ORDER.index(p) for p in precisions if p in _PRECISION_ORDER)
    if several and rank < _PRECISION_ORDER.index("macro-region"):
        rank = _PRECISION_ORDER.index("macro-region")
    return _PRECISION_ORDER[rank]


def _town(word: str) -> Town | None:
    for town in TOWNS:
        if key(town.name) == word or key(town.name) + " city" == word:
            return town
    return None


def _outside_area(name: str, area_id: str, lat: float, lon: float, radius: float) -> Area:
    return Area(area_id, name, "oblast", lon, lat, radius, _circle_polygon(lon, lat, radius))


def _circle_polygon(lon: float, lat: float, radius_m: float, sides: int = 32) -> Polygon:
    azimuths = np.linspace(0.0, 360.0, sides, endpoint=False)
    geod = Geod(ellps="WGS84")
    lons, lats, _ = geod.fwd(
        np.full(sides, lon), np.full(sides, lat), azimuths, np.full(sides, radius_m)
    )
    return Polygon(zip(lons, lats, strict=True))


@cache
def _load(path: str) -> AreaLayer:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = [f for f in data["features"] if (f.get("properties") or {}).get("id")]
        return AreaLayer(Path(path), features)
    except FileNotFoundError:
        raise InputError(f"{path}: area layer not found") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not an area layer: {exc}") from exc


def load_areas(areas: AreaLayer | str | Path | None = None) -> AreaLayer:
    """The area layer given, or the one at a path, or the bundled oblast layer (cached)."""
    if isinstance(areas, AreaLayer):
        return areas
    return _load(str(Path(areas or DEFAULT_AREAS).resolve()))
