"""Malformed CSV, GeoJSON and Parquet never crash an import: bad rows are quarantined, the good
rest goes in, and every row read is accounted for (accepted, duplicate or quarantined)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workspace.builders import firms_row, good_feature, write_features, write_firms
from truce.errors import InputError
from truce.workspace import ImportSummary, Workspace, import_file
from truce.workspace.schema import events, quarantine

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_serial = itertools.count()

garbage_line = st.text(
    alphabet=st.characters(exclude_characters='"\r\n', exclude_categories=["Cs"]),
    max_size=40,
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


def _counts(workspace: Workspace) -> tuple[int, int]:
    with workspace.store.read() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in (events, quarantine)
        )


def _import(workspace: Workspace, path: Path, fmt: str) -> ImportSummary | None:
    """Import and check the accounting; None when the file as a whole is refused."""
    before = _counts(workspace)
    try:
        summary = import_file(workspace, path, fmt, chunk_rows=7)
    except InputError:
        return None
    after = _counts(workspace)
    assert summary.rows_read == summary.accepted + summary.duplicates + summary.quarantined_total
    assert after[0] - before[0] == summary.accepted
    assert after[1] - before[1] <= summary.quarantined_total
    return summary


def _folder(root: Path) -> Path:
    folder = root / f"case{next(_serial)}"
    folder.mkdir()
    return folder


@FUZZ
@given(
    good=st.lists(st.integers(0, 10_000), max_size=15),
    bad=st.lists(garbage_line, max_size=15),
    order=st.randoms(use_true_random=False),
)
def test_csv_bad_rows_quarantined_good_rows_stored(
    workspace: Workspace, tmp_path: Path, good: list[int], bad: list[str], order: Any
) -> None:
    lines = [firms_row(n) for n in good] + bad
    order.shuffle(lines)
    folder = _folder(tmp_path)
    summary = _import(workspace, write_firms(folder / "fires.csv", lines), "firms")
    assert summary is not None
    again = import_file(
        workspace, write_firms(folder / "good.csv", [firms_row(n) for n in good]), "firms"
    )
    assert again.accepted == 0  # every good row went in the first time


# The FIRMS reader's bad-row callback can fail inside pyarrow on undecodable bytes (reported as
# an unraisable exception); the file is then refused as a whole with InputError, nothing is lost.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@FUZZ
@given(data=st.binary(max_size=300))
def test_csv_of_random_bytes(workspace: Workspace, tmp_path: Path, data: bytes) -> None:
    path = _folder(tmp_path) / "fires.csv"
    path.write_bytes(b"latitude,longitude,acq_date\n" + data)
    _import(workspace, path, "firms")


@FUZZ
@given(
    good=st.lists(st.integers(0, 10_000), max_size=10),
    bad=st.lists(json_value, max_size=10),
    order=st.randoms(use_true_random=False),
)
def test_geojson_bad_features_quarantined_good_features_stored(
    workspace: Workspace, tmp_path: Path, good: list[int], bad: list[Any], order: Any
) -> None:
    features: list[Any] = [good_feature(n) for n in good]
    features += [{"type": "Feature", "geometry": None, "properties": value} for value in bad[:4]]
    features += bad[4:]
    order.shuffle(features)
    folder = _folder(tmp_path)
    summary = _import(workspace, write_features(folder / "reports.geojson", features), "geojson")
    assert summary is not None
    (folder / "good").mkdir()
    only_good = write_features(folder / "good" / "reports.geojson", [good_feature(n) for n in good])
    assert import_file(workspace, only_good, "geojson").accepted == 0


@FUZZ
@given(data=st.binary(max_size=300))
def test_geojson_of_random_bytes(workspace: Workspace, tmp_path: Path, data: bytes) -> None:
    path = _folder(tmp_path) / "reports.geojson"
    path.write_bytes(b'{"type":"FeatureCollection","features":[' + data)
    _import(workspace, path, "geojson")


_row = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["artillery", "drone-strike", "bogus", "", None]),
        "time_start": st.integers(-(10**15), 10**15),
        "duration": st.integers(-(10**9), 10**10),
        "lat": st.floats(allow_nan=True, allow_infinity=True) | st.none(),
        "lon": st.floats(-200, 200) | st.none(),
        "deaths": st.integers(-5, 2**31 - 1) | st.none(),
        "text": st.text(max_size=10),
    }
)


def _parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    utc = pa.timestamp("us", tz="UTC")
    table = pa.table(
        {
            "kind": pa.array([r["kind"] for r in rows], pa.string()),
            "time_start": pa.array([r["time_start"] for r in rows], pa.int64()).cast(utc),
            "time_end": pa.array([r["time_start"] + r["duration"] for r in rows], pa.int64()).cast(
                utc
            ),
            "lat": pa.array([r["lat"] for r in rows], pa.float64()),
            "lon": pa.array([r["lon"] for r in rows], pa.float64()),
            "deaths": pa.array([r["deaths"] for r in rows], pa.int64()),
            "text": pa.array([r["text"] for r in rows], pa.string()),
        }
    )
    pq.write_table(table, path)
    return path


def _good_rows(numbers: list[int]) -> list[dict[str, Any]]:
    start = int(datetime(2025, 3, 19, tzinfo=UTC).timestamp() * 1_000_000)
    return [
        {
            "kind": "artillery",
            "time_start": start + n,
            "duration": 60_000_000,
            "lat": 48.0,
            "lon": 37.5,
            "deaths": n % 3,
            "text": f"report {n}",
        }
        for n in numbers
    ]


@FUZZ
@given(
    good=st.lists(st.integers(0, 10_000), max_size=10),
    bad=st.lists(_row, max_size=10),
    order=st.randoms(use_true_random=False),
)
def test_parquet_bad_rows_quarantined_good_rows_stored(
    workspace: Workspace, tmp_path: Path, good: list[int], bad: list[dict[str, Any]], order: Any
) -> None:
    rows = _good_rows(good) + bad
    order.shuffle(rows)
    folder = _folder(tmp_path)
    if not rows:
        return
    summary = _import(workspace, _parquet(folder / "events.parquet", rows), "geoparquet")
    if summary is None or not good:
        return
    (folder / "good").mkdir()
    only_good = _parquet(folder / "good" / "events.parquet", _good_rows(good))
    assert import_file(workspace, only_good, "geoparquet").accepted == 0


@FUZZ
@given(data=st.binary(max_size=300))
def test_parquet_of_random_bytes(workspace: Workspace, tmp_path: Path, data: bytes) -> None:
    path = _folder(tmp_path) / "events.parquet"
    path.write_bytes(b"PAR1" + data)
    assert _import(workspace, path, "geoparquet") is None


def test_json_value_strategy_is_json() -> None:
    assert json.loads(json.dumps({"a": [1, None]})) == {"a": [1, None]}
