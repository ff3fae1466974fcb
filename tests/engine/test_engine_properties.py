"""Properties that must hold whatever the input: chunking and order do not matter, a point
moved across a boundary flips its finding, precision circles are possible exactly when they
straddle, and the fast engine agrees with the slow reference."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyproj
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.builders import (
    CORRIDOR,
    PROHIBITED,
    START,
    WITHDRAWAL,
    ZONE,
    agreement_text,
    event,
)
from truce.agreement import Agreement, load_agreement
from truce.engine import CheckResult, check
from truce.engine.layers import FieldCache
from truce.engine.reference import Reference
from truce.events.model import Claim, Event, events_to_batch
from truce.geodesy import distance_m

GEOD = pyproj.Geod(ellps="WGS84")
CACHE = FieldCache()
KINDS = ["strike", "artillery", "use-of-force", "explosion", "military-presence", "fire"]
WEAPONS = [None, "artillery-100mm-plus", "mlrs", "heavy-weapon", "tank"]
OUTCOMES = ["impact", "attempt", "unknown"]


@pytest.fixture(scope="module")
def agreement(tmp_path_factory: pytest.TempPathFactory) -> Agreement:
    """The test agreement with every event-level term kind."""
    path: Path = tmp_path_factory.mktemp("agreement") / "agreement.yaml"
    path.write_text(agreement_text(PROHIBITED, WITHDRAWAL, ZONE, CORRIDOR), encoding="utf-8")
    return load_agreement(path)


def random_events(seed: int, count: int) -> list[Event]:
    """Events scattered over the test geometry, of every kind, precision and time."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind = rng.choice(KINDS)
        out.append(
            event(
                rng.uniform(35.5, 38.5),
                rng.uniform(47.5, 50.5),
                kind=kind,
                weapon_class=rng.choice(WEAPONS),
                outcome=rng.choice(OUTCOMES),
                precision_m=rng.choice([0.0, 500.0, 3_000.0, 20_000.0]),
                when=START + timedelta(hours=rng.uniform(-48, 24 * 62)),
                span=timedelta(hours=rng.choice([0, 0, 6, 24])),
                claims=tuple(
                    Claim(rng.choice(["North", "South"]), rng.choice(["Northern forces", "X"]))
                    for _ in range(rng.randint(0, 2))
                ),
                event_id=f"r{seed}-{i}",
            )
        )
    return out


def keys(result: CheckResult) -> set[tuple[object, ...]]:
    table = result.findings
    columns = ["event_id", "term", "status", "feature_id", "party_bound", "explanation"]
    rows = table.select(columns).to_pylist()
    distance = table.column("distance_m").to_pylist()
    return {
        (*row.values(), None if d is None else round(d, 3))
        for row, d in zip(rows, distance, strict=True)
    }


def chunks(events: list[Event], size: int) -> Iterator[pa.RecordBatch]:
    for i in range(0, len(events), size):
        yield events_to_batch(events[i : i + size])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10_000), st.integers(1, 40), st.randoms())
def test_findings_do_not_depend_on_chunks_or_order(
    agreement: Agreement, seed: int, size: int, shuffler: random.Random
) -> None:
    events = random_events(seed, 120)
    whole = check([agreement], [events_to_batch(events)], cache=CACHE)
    shuffled = list(events)
    shuffler.shuffle(shuffled)
    pieces = check([agreement], chunks(shuffled, size), cache=CACHE)
    assert keys(whole) == keys(pieces)
    assert whole.summary.to_dict()["per_term"] == pieces.summary.to_dict()["per_term"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(0.0, 360.0), st.floats(5.0, 300.0))
def test_moving_across_the_radius_flips_the_finding(
    agreement: Agreement, bearing: float, margin: float
) -> None:
    """The plant: radius 2 km plus its 500 m extent. ``margin`` metres inside: a violation;
    ``margin`` metres outside: nothing."""
    results = {}
    for name, metres in (("in", 2_500.0 - margin), ("out", 2_500.0 + margin)):
        lon, lat, _ = GEOD.fwd(36.0, 49.0, bearing, metres)
        results[name] = check(
            [agreement], [events_to_batch([event(lon, lat, event_id=name)])], cache=CACHE
        )
    inside = [f.status for f in results["in"].finding_list() if f.term == "no-strikes"]
    outside = [f.status for f in results["out"].finding_list() if f.term == "no-strikes"]
    assert inside == ["violation"]
    assert outside == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(0.0, 360.0), st.floats(0.0, 8_000.0), st.floats(0.0, 6_000.0))
def test_possible_exactly_when_the_circle_straddles(
    agreement: Agreement, bearing: float, metres: float, precision: float
) -> None:
    lon, lat, _ = GEOD.fwd(36.0, 49.0, bearing, metres)
    result = check(
        [agreement],
        [events_to_batch([event(lon, lat, precision_m=precision, event_id="e")])],
        cache=CACHE,
    )
    statuses = [f.status for f in result.finding_list() if f.term == "no-strikes"]
    f = max(float(distance_m(36.0, 49.0, lon, lat)) - 500.0, 0.0)
    if abs(f + precision - 2_000.0) < 1.0 or abs(f - precision - 2_000.0) < 1.0:
        return  # on the boundary itself, within the geodesy's error
    if f + precision <= 2_000.0:
        assert statuses == ["violation"]
    elif f - precision > 2_000.0:
        assert statuses == []
    else:
        assert statuses == ["possible"]


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10_000))
def test_engine_agrees_with_the_reference(agreement: Agreement, seed: int) -> None:
    events = random_events(seed, 400)
    result = check([agreement], [events_to_batch(events)], cache=CACHE)
    fast = {
        (f.event_id, f.term): (f.status, f.distance_m)
        for f in result.finding_list()
        if f.event_id is not None
    }
    reference = Reference(agreement)
    slow = {
        (e.event_id, term): (verdict.status, verdict.distance_m)
        for e in events
        for term, verdict in reference.check(e).items()
    }
    assert {k: v[0] for k, v in fast.items()} == {k: v[0] for k, v in slow.items()}
    for key, (_, distance) in fast.items():
        expected = slow[key][1]
        if distance is not None and expected is not None and np.isfinite(expected):
            assert distance == pytest.approx(expected, rel=1e-6, abs=0.5)
