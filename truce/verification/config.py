"""Settings of corroboration, as data: source types and their windows, sources and their lineage.

A *source type* says how far apart in space and time two reports may be and still describe one
incident (``distance_m`` beyond both reports' own precision radii; ``time_s`` between the middles
of their time intervals, when the intervals do not overlap), and whether a report of that type is
a monitor's own observation (``confirms``).

A *source declaration* gives a source (the ``source`` column of the events) its type and its
*origin*: the party whose statement it carries. Two outlets repeating one agency's statement
declare that agency as their origin, and count as one independent source. Sources not declared
are of :attr:`CorroborationConfig.default_type` and are their own origin.

Every setting has a default and a line of help in :data:`SETTINGS`, and
:func:`config_from_mapping` builds a configuration from plain data (YAML or JSON).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from truce.errors import InputError
from truce.verification.compatibility import DEFAULT_KIND_RULES, KindRule

DAY_S = 86_400.0
HOUR_S = 3_600.0


@dataclass(frozen=True)
class SourceType:
    """How reports of one type of source are matched, and whether they confirm an incident."""

    name: str
    distance_m: float
    time_s: float
    confirms: bool = False
    help: str = ""


@dataclass(frozen=True)
class SourceDeclaration:
    """One source: its type, its origin (lineage) and whether its claims are attributions."""

    source: str
    type: str
    origin: str | None = None
    attributes: bool = True

    @property
    def origin_name(self) -> str:
        """The origin this source's reports count as (the source itself unless declared)."""
        return self.origin or self.source


DEFAULT_SOURCE_TYPES: tuple[SourceType, ...] = (
    SourceType("monitor", 1_000, HOUR_S, True, "a monitoring mission's own observation"),
    SourceType("satellite", 1_000, DAY_S, False, "satellite detections (e.g. FIRMS fire pixels)"),
    SourceType("osint", 2_000, 2 * HOUR_S, False, "geolocated open-source reports (e.g. CIR)"),
    SourceType("official", 5_000, 2 * HOUR_S, False, "a party's official statements"),
    SourceType("media", 5_000, 2 * HOUR_S, False, "news media and compilations of press reports"),
    SourceType("dataset", 5_000, 2 * HOUR_S, False, "coded event datasets (UCDP, ACLED)"),
    SourceType("report", 5_000, 2 * HOUR_S, False, "any other report (the default type)"),
)
"""The source types known out of the box. Time windows are short because they are a tolerance on
precise times only: reports dated to a day match when their days overlap (a window of a day
would also match the next day, which on UCDP and CIR added mostly wrong matches: see
``docs/verification.md``). A satellite sees a fire at its next pass, up to a day later."""

DEFAULT_SOURCES: tuple[SourceDeclaration, ...] = (
    SourceDeclaration("ucdp-ged", "dataset", attributes=False),
    SourceDeclaration("acled", "dataset", attributes=False),
    SourceDeclaration("firms-modis", "satellite"),
    SourceDeclaration("firms-viirs", "satellite"),
    SourceDeclaration("cir-bellingcat", "osint"),
    SourceDeclaration("airforce-daily", "official"),
    SourceDeclaration("moratorium-2025-incidents", "media"),
)
"""The sources truce's readers produce, with their types. UCDP and ACLED code the sides of an
event themselves: their ``claims`` are not a party's attribution, so they never make an
attribution contested."""

DEFAULT_PARTY_ALIASES: Mapping[str, str] = {
    "russia": "Russia",
    "russian federation": "Russia",
    "government of russia": "Russia",
    "russian armed forces": "Russia",
    "russian mod": "Russia",
    "ukraine": "Ukraine",
    "government of ukraine": "Ukraine",
    "armed forces of ukraine": "Ukraine",
    "ukrainian armed forces": "Ukraine",
}
"""Names sources use for the parties (case-folded, any parenthesis removed) -> one party name."""


@dataclass(frozen=True)
class CorroborationConfig:
    """Everything corroboration can be told; every field has a default (see :data:`SETTINGS`)."""

    source_types: tuple[SourceType, ...] = DEFAULT_SOURCE_TYPES
    sources: tuple[SourceDeclaration, ...] = DEFAULT_SOURCES
    default_type: str = "report"
    anchor_precision_m: float = 25_000.0
    join_precision_m: float = 200_000.0
    anchor_span_s: float = 2 * DAY_S
    join_span_s: float = 8 * DAY_S
    default_precision_m: float = 1_000.0
    kind_rules: tuple[KindRule, ...] = DEFAULT_KIND_RULES
    party_aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PARTY_ALIASES))

    def __post_init__(self) -> None:
        check_config(self)

    def type_named(self, name: str) -> SourceType:
        """The source type called ``name``."""
        for source_type in self.source_types:
            if source_type.name == name:
                return source_type
        raise InputError(f"unknown source type {name!r}")

    def declaration(self, source: str) -> SourceDeclaration:
        """How ``source`` is declared (an undeclared source is of the default type)."""
        for declared in self.sources:
            if declared.source == source:
                return declared
        return SourceDeclaration(source, self.default_type)

    def with_sources(self, *declarations: SourceDeclaration) -> CorroborationConfig:
        """A copy where ``declarations`` replace any earlier declaration of the same sources."""
        named = {d.source for d in declarations}
        kept = tuple(d for d in self.sources if d.source not in named)
        return replace(self, sources=kept + tuple(declarations))

    def with_windows(
        self, distance_m: float | None = None, time_s: float | None = None
    ) -> CorroborationConfig:
        """A copy where every source type has the given distance and/or time window."""
        types = tuple(
            replace(
                t,
                distance_m=t.distance_m if distance_m is None else distance_m,
                time_s=t.time_s if time_s is None else time_s,
            )
            for t in self.source_types
        )
        return replace(self, source_types=types)


def check_config(config: CorroborationConfig) -> None:
    """:class:`InputError` naming the first setting that cannot be used."""
    names = [t.name for t in config.source_types]
    if len(set(names)) != len(names):
        raise InputError("source types must have distinct names")
    for source_type in config.source_types:
        for value, what in ((source_type.distance_m, "distance_m"), (source_type.time_s, "time_s")):
            if not (math.isfinite(value) and value >= 0):
                raise InputError(
                    f"source type {source_type.name!r}: {what} must be a number >= 0, got {value!r}"
                )
    if config.default_type not in names:
        raise InputError(f"default_type {config.default_type!r} is not a declared source type")
    sources = [d.source for d in config.sources]
    if len(set(sources)) != len(sources):
        raise InputError("each source may be declared only once")
    for declared in config.sources:
        if declared.type not in names:
            raise InputError(
                f"source {declared.source!r}: unknown source type {declared.type!r} "
                f"(known: {', '.join(names)})"
            )
    for value, what in (
        (config.anchor_precision_m, "anchor_precision_m"),
        (config.join_precision_m, "join_precision_m"),
        (config.default_precision_m, "default_precision_m"),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{what} must be a distance >= 0 in metres, got {value!r}")
    if config.join_precision_m < config.anchor_precision_m:
        raise InputError("join_precision_m must be at least anchor_precision_m")
    for value, what in (
        (config.anchor_span_s, "anchor_span_s"),
        (config.join_span_s, "join_span_s"),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{what} must be a duration >= 0 in seconds, got {value!r}")
    if config.join_span_s < config.anchor_span_s:
        raise InputError("join_span_s must be at least anchor_span_s")


SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("source_types", "monitor, satellite, osint, official, media, dataset, report",
     "source types: name, distance_m and time_s windows, confirms"),
    ("sources", "ucdp-ged, acled, firms-*, cir-bellingcat, airforce-daily, moratorium-2025-...",
     "source declarations: source, type, origin (lineage), attributes"),
    ("default_type", "report", "the type of a source that is not declared"),
    ("anchor_precision_m", "25000",
     "a report at least this precise may lead an incident; a vaguer one may only join one"),
    ("join_precision_m", "200000",
     "a report vaguer than this (a macro-region, a country) joins nothing: it places nothing"),
    ("anchor_span_s", "172800",
     "a report whose time interval is at most this long (2 days) may lead an incident"),
    ("join_span_s", "691200",
     "a report whose time interval is longer than this (8 days: a month, a year) joins nothing"),
    ("default_precision_m", "1000", "the radius taken when a report has a point but no precision"),
    ("kind_rules", "see truce.verification.compatibility",
     "pairs of event kinds that may describe one incident, consistent or conflicting"),
    ("party_aliases", "Russia, Ukraine and their usual long names",
     "names sources use for a party -> the party, to compare attributions"),
)  # fmt: skip
"""Every setting of :class:`CorroborationConfig`: name, default, help."""


def config_from_mapping(data: Mapping[str, Any]) -> CorroborationConfig:
    """A configuration from plain data (as loaded from YAML or JSON); unknown keys are refused."""
    known = {name for name, _, _ in SETTINGS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"unknown corroboration setting(s): {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    try:
        if "source_types" in data:
            kwargs["source_types"] = tuple(SourceType(**t) for t in data["source_types"])
        if "sources" in data:
            kwargs["sources"] = tuple(SourceDeclaration(**s) for s in data["sources"])
        if "kind_rules" in data:
            kwargs["kind_rules"] = tuple(KindRule(**r) for r in data["kind_rules"])
    except TypeError as exc:
        raise InputError(f"corroboration settings: {exc}") from exc
    for name in (
        "default_type",
        "anchor_precision_m",
        "join_precision_m",
        "anchor_span_s",
        "join_span_s",
        "default_precision_m",
        "party_aliases",
    ):
        if name in data:
            kwargs[name] = data[name]
    return CorroborationConfig(**kwargs)
