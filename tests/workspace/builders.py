"""Small input files for import tests: FIRMS CSV rows, GeoJSON features."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

FIRMS_HEADER = "latitude,longitude,acq_date"


def firms_row(number: int) -> str:
    """A valid FIRMS detection, different for every ``number``."""
    lat = 45.0 + (number % 1000) / 200
    lon = 23.0 + (number // 1000 % 1000) / 60
    day = 1 + number % 28
    return f"{lat:.4f},{lon:.4f},2023-0{1 + number % 9}-{day:02d}"


def write_firms(path: Path, rows: Sequence[str]) -> Path:
    """A FIRMS CSV file with the minimal header and ``rows``."""
    path.write_text("\n".join([FIRMS_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def good_feature(number: int) -> dict[str, object]:
    """A valid GeoJSON event feature, different for every ``number``."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [30 + number / 1000, 48.5]},
        "properties": {
            "kind": "artillery",
            "time_start": f"2025-03-{1 + number % 28:02d}T10:00:00Z",
            "text": f"shelling report {number}",
            "claims": [{"claimant": "UA", "perpetrator": "RU", "note": "said so"}],
        },
    }


def write_features(path: Path, features: Sequence[object]) -> Path:
    """A GeoJSON FeatureCollection of ``features`` (any JSON values)."""
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": list(features)}), encoding="utf-8"
    )
    return path
