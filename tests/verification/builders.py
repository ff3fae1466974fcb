"""Reports for the verification tests, built as event batches with defaults for every field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from truce.events.model import EVENT_SCHEMA

T0 = datetime(2025, 3, 18, 22, 0, tzinfo=UTC)
"""A reference instant for hand-made reports."""

KM_PER_DEG_LAT = 111.195
"""Kilometres per degree of latitude on the mean sphere."""


def report(
    event_id: str,
    *,
    lon: float | None = 37.6,
    lat: float | None = 48.85,
    precision_m: float | None = 500.0,
    source: str = "media-a",
    kind: str = "strike",
    start: datetime = T0,
    hours: float = 1.0,
    outcome: str = "impact",
    claims: Sequence[tuple[str, str]] = (),
    text: str = "",
    link: str = "",
    area_precision: str = "point",
) -> dict[str, Any]:
    """One report as a row of the event schema."""
    return {
        "event_id": event_id,
        "source": source,
        "source_record": event_id.split(":")[-1],
        "time_start": start,
        "time_end": start + timedelta(hours=hours),
        "time_zone": "UTC",
        "time_precision": "hour",
        "lon": lon,
        "lat": lat,
        "precision_m": precision_m,
        "area_id": None,
        "area_precision": area_precision,
        "kind": kind,
        "weapon_class": None,
        "target": None,
        "target_class": None,
        "outcome": outcome,
        "claims": [{"claimant": c, "perpetrator": p, "note": ""} for c, p in claims],
        "deaths": None,
        "injured": None,
        "quantity": None,
        "text": text or event_id,
        "link": link,
        "raw": "",
    }


def table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows as a table in the event schema."""
    return pa.Table.from_pylist(list(rows), schema=EVENT_SCHEMA)


def north_of(lat: float, km: float) -> float:
    """The latitude ``km`` kilometres north of ``lat``."""
    return lat + km / KM_PER_DEG_LAT


def random_table(seed: int, count: int, *, spread_km: float = 30.0) -> pa.Table:
    """``count`` random reports around one town: mixed precisions, kinds, sources, times."""
    rng = np.random.default_rng(seed)
    kinds = ["strike", "drone-strike", "artillery", "fire", "explosion", "ground-assault",
             "air-alert", "military-presence"]  # fmt: skip
    sources = ["media-a", "media-b", "osce-smm", "cir-bellingcat", "ucdp-ged", "firms-modis"]
    precisions = [50.0, 300.0, 1_000.0, 5_000.0, 20_000.0, 60_000.0, 150_000.0]
    rows = []
    for i in range(count):
        lat = 48.5 + rng.normal(0, spread_km / 111.0)
        lon = 37.5 + rng.normal(0, spread_km / 74.0)
        start = T0 + timedelta(hours=float(rng.integers(0, 96)))
        rows.append(
            report(
                f"r:{i:05d}",
                lon=round(float(lon), 3),
                lat=round(float(lat), 3),
                precision_m=float(rng.choice(precisions)),
                source=str(rng.choice(sources)),
                kind=str(rng.choice(kinds)),
                start=start,
                hours=float(rng.choice([0.0, 1.0, 24.0])),
                outcome=str(rng.choice(["impact", "attempt", "unknown"])),
                text=f"t{int(rng.integers(0, 3))}",
            )
        )
    return table(rows)
