"""The grouping rule: leaders, no chaining, vague reports, re-reports, order and chunking."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verification.builders import T0, north_of, report, table
from tests.verification.strategies import report_sets
from truce.verification import CORROBORATION_COLUMNS, CorroborationConfig, corroborate
from truce.verification.grouping import group_reports
from truce.verification.naive import naive_grouping
from truce.verification.reports import report_arrays

CONFIG = CorroborationConfig()


def incident_of(rows: list[dict[str, Any]] | pa.Table, **kwargs: Any) -> dict[str, str]:
    """event_id -> incident_id for the reports."""
    reports = rows if isinstance(rows, pa.Table) else table(rows)
    assignments = corroborate(reports, **kwargs).assignments
    return dict(
        zip(
            assignments["event_id"].to_pylist(),
            assignments["incident_id"].to_pylist(),
            strict=True,
        )
    )


def groups(mapping: dict[str, str]) -> set[frozenset[str]]:
    """The incidents as sets of event ids."""
    members: dict[str, set[str]] = {}
    for event_id, incident in mapping.items():
        members.setdefault(incident, set()).add(event_id)
    return {frozenset(m) for m in members.values()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_sets())
def test_fast_grouping_equals_brute_force(rows: list[dict[str, Any]]) -> None:
    arrays = report_arrays(table(rows), CONFIG)
    fast, slow = group_reports(arrays), naive_grouping(arrays)
    assert fast.leader.tolist() == slow.leader.tolist()
    assert fast.role.tolist() == slow.role.tolist()
    assert fast.candidates.tolist() == slow.candidates.tolist()
    assert fast.representative.tolist() == slow.representative.tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_sets(), st.randoms(use_true_random=False))
def test_grouping_does_not_depend_on_order_or_chunking(
    rows: list[dict[str, Any]], shuffler: random.Random
) -> None:
    expected = incident_of(rows)
    shuffled = rows[:]
    shuffler.shuffle(shuffled)
    cut = shuffler.randint(0, len(shuffled))
    batches = [table(part).to_batches()[0] for part in (shuffled[:cut], shuffled[cut:]) if part]
    assert incident_of(shuffled) == expected
    assert incident_of(pa.Table.from_batches(batches)) == expected
    assignments = corroborate(batches).assignments
    got = dict(
        zip(
            assignments["event_id"].to_pylist(),
            assignments["incident_id"].to_pylist(),
            strict=True,
        )
    )
    assert got == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_sets(), st.sampled_from(["strike", "air-alert", "fire"]))
def test_a_far_away_report_changes_nothing(rows: list[dict[str, Any]], kind: str) -> None:
    before = incident_of(rows)
    far = report("far:1", lon=24.0, lat=50.0, precision_m=100.0, kind=kind)
    after = incident_of([*rows, far])
    assert after.pop("far:1") == "inc:far:1"
    assert after == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_sets())
def test_every_incident_of_several_distinct_reports_has_an_anchor(
    rows: list[dict[str, Any]],
) -> None:
    result = corroborate(table(rows))
    assignments = result.assignments.to_pylist()
    by_id = {r["event_id"]: r for r in rows}
    members: dict[str, list[dict[str, Any]]] = {}
    for row in assignments:
        members.setdefault(row["incident_id"], []).append(row)
    for group in members.values():
        distinct = [r for r in group if r["role"] != "re-report"]
        if len(distinct) < 2:
            continue
        anchors = [
            r
            for r in distinct
            if by_id[r["event_id"]]["precision_m"] <= CONFIG.anchor_precision_m
            and by_id[r["event_id"]]["lon"] is not None
        ]
        assert anchors, f"an incident of vague reports only: {[r['event_id'] for r in group]}"


def test_two_oblast_level_reports_never_form_an_incident_alone() -> None:
    rows = [
        report("af:1", precision_m=150_000.0, source="airforce-daily", area_precision="oblast"),
        report("ucdp:1", precision_m=150_000.0, source="ucdp-ged", area_precision="oblast"),
    ]
    assert len(groups(incident_of(rows))) == 2
    point = report("cir:1", lon=37.7, precision_m=500.0, source="cir-bellingcat")
    assert groups(incident_of([*rows, point])) == {frozenset({"af:1", "ucdp:1", "cir:1"})}


def test_a_chain_of_reports_1_9_km_apart_does_not_become_one_incident() -> None:
    window = CorroborationConfig().with_windows(1_000.0)
    rows = [
        report(f"c:{i:02d}", lat=north_of(48.0, 1.9 * i), precision_m=0.0, source=f"s{i % 3}")
        for i in range(27)
    ]
    mapping = incident_of(rows, config=window)
    found = groups(mapping)
    assert len(found) > 5
    position = {f"c:{i:02d}": 1.9 * i for i in range(27)}
    for group in found:
        span = max(position[e] for e in group) - min(position[e] for e in group)
        assert span <= 2 * 1.0 + 1e-9  # at most the leader's reach on either side
    chained = corroborate(table(rows), window).incidents
    assert max(chained["report_count"].to_pylist()) <= 3


def test_a_report_joins_the_nearest_leader_never_linking_two() -> None:
    window = CorroborationConfig().with_windows(1_000.0)
    rows = [
        report("a:1", lat=north_of(48.0, 0.0), precision_m=0.0),
        report("b:1", lat=north_of(48.0, 1.5), precision_m=0.0, source="media-b"),
        report("c:1", lat=north_of(48.0, 1.7), precision_m=0.0, source="media-c"),
    ]
    found = groups(incident_of(rows, config=window))
    assert frozenset({"a:1", "b:1", "c:1"}) not in found
    assert len(found) == 2


def test_exact_re_reports_merge_whatever_their_links() -> None:
    rows = [
        report("x:1", source="media-a", text="depot hit", link="https://t.me/a/1"),
        report("x:2", source="media-a", text="depot hit", link="https://t.me/a/2"),
        report("x:3", source="media-a", text="something else"),
        report("y:1", source="media-b", text="depot hit"),
    ]
    result = corroborate(table(rows))
    roles = dict(
        zip(
            result.assignments["event_id"].to_pylist(),
            result.assignments["re_report_of"].to_pylist(),
            strict=True,
        )
    )
    assert roles == {"x:1": None, "x:2": "x:1", "x:3": None, "y:1": None}
    incident = result.incidents.to_pylist()[0]
    assert incident["report_count"] == 4
    assert "re-reports" in incident["reasons"]
    assert incident["independent_sources"] == 2


def test_two_identical_oblast_reports_of_one_source_are_one_report() -> None:
    row = report("af:1", precision_m=150_000.0, source="airforce-daily")
    copy = {**row, "event_id": "af:2", "source_record": "2"}
    found = corroborate(table([row, copy]))
    assert found.incidents.num_rows == 1
    assert found.incidents["independent_sources"].to_pylist() == [1]


def test_incompatible_kinds_do_not_group() -> None:
    rows = [report("a:1", kind="ground-assault"), report("b:1", kind="air-alert", source="m-b")]
    assert len(groups(incident_of(rows))) == 2
    rows = [report("a:1", kind="artillery"), report("b:1", kind="fire", source="firms-modis")]
    assert len(groups(incident_of(rows))) == 1


def test_reports_too_vague_in_space_or_time_stand_alone() -> None:
    point = report("p:1", precision_m=100.0)
    country = report("c:1", precision_m=700_000.0, source="airforce-daily")
    month = report("m:1", precision_m=100.0, hours=24 * 30, source="ucdp-ged")
    result = corroborate(table([point, country, month]))
    assert result.incidents.num_rows == 3
    assert sorted(result.assignments["role"].to_pylist()) == ["alone", "alone", "leader"]


def test_reports_with_no_place_stand_alone() -> None:
    rows = [report("p:1"), report("n:1", lon=None, lat=None, source="m-b")]
    result = corroborate(table(rows))
    assert result.incidents.num_rows == 2
    nowhere = next(i for i in result.incidents.to_pylist() if i["leader_event_id"] == "n:1")
    assert "no-location" in nowhere["reasons"]


def test_the_incident_id_follows_the_best_ranked_report() -> None:
    rows = [
        report("b:1", precision_m=1_000.0, source="media-b"),
        report("a:1", precision_m=50.0, source="media-a"),
    ]
    assert set(incident_of(rows).values()) == {"inc:a:1"}


@pytest.mark.parametrize("variant", range(8))
def test_of_equally_precise_reports_the_earliest_leads(variant: int) -> None:
    # the content hash (of source, times and place among others) decides only within an hour
    later, lat = T0 + timedelta(hours=1), north_of(48.85, 0.1 * variant)
    rows = [
        report(f"late:{variant}", start=later, lat=lat, source="media-a"),
        report(f"early:{variant}", lat=north_of(lat, 0.2), source="media-b"),
    ]
    assert set(incident_of(rows).values()) == {f"inc:early:{variant}"}


def test_a_duplicated_event_id_is_refused() -> None:
    from truce.errors import InputError

    rows = [report("a:1"), report("a:1", text="another text")]
    arrays = report_arrays(table(rows), CONFIG)
    with pytest.raises(InputError, match="a:1"):
        group_reports(arrays)


def test_grouping_output_is_aligned_with_the_input() -> None:
    rows = [report(f"r:{i}", lat=48 + i, precision_m=10.0) for i in range(5)]
    result = corroborate(table(rows))
    assert result.assignments["event_id"].to_pylist() == [r["event_id"] for r in rows]
    assert np.all(np.asarray(result.assignments["candidates"].to_pylist()) == 1)


def _dictionary_encoded(
    reports: pa.Table, names: tuple[str, ...], index: pa.DataType | None = None
) -> pa.Table:
    """``reports`` with the string columns ``names`` dictionary-encoded chunk by chunk (indices
    of type ``index``)."""
    as_type = pa.dictionary(index or pa.int32(), pa.string())
    for name in names:
        column = reports.column(name)
        encoded = pa.chunked_array(
            [pc.dictionary_encode(chunk).cast(as_type) for chunk in column.chunks], as_type
        )
        reports = reports.set_column(reports.schema.get_field_index(name), name, encoded)
    return reports


def _plain_tables(result: Any) -> list[pa.Table]:
    """The incidents and assignments tables, one chunk per column, dictionaries decoded."""
    tables = []
    for got in (result.incidents, result.assignments):
        columns = [
            c.combine_chunks().cast(c.type.value_type)
            if pa.types.is_dictionary(c.type)
            else c.combine_chunks()
            for c in got.columns
        ]
        tables.append(pa.Table.from_arrays(columns, names=got.column_names))
    return tables


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    report_sets(),
    st.integers(1, 4),
    st.sampled_from(["source", "kind", "outcome", "text"]),
    st.sampled_from([pa.int8(), pa.int32()]),
)
def test_only_the_corroboration_columns_dictionary_encoded_give_the_same_tables(
    rows: list[dict[str, Any]], pieces: int, also_encoded: str, index: pa.DataType
) -> None:
    """A caller may read only CORROBORATION_COLUMNS, with string columns dictionary-encoded
    (each chunk its own dictionary, indices of any width): the incidents and assignments are
    the very same."""
    reports = table(rows)
    expected = _plain_tables(corroborate(reports))
    size = -(-reports.num_rows // pieces)
    chunked = pa.Table.from_batches(
        [b for k in range(pieces) for b in reports.slice(k * size, size).to_batches()],
        schema=reports.schema,
    ).select(list(CORROBORATION_COLUMNS))
    names = ("source", "kind", "outcome", "time_zone", "time_precision", also_encoded)
    narrow = _dictionary_encoded(chunked, tuple(dict.fromkeys(names)), index)
    assert "raw" not in narrow.column_names
    got = _plain_tables(corroborate(narrow))
    for want, have in zip(expected, got, strict=True):
        assert have.column_names == want.column_names
        for name in want.column_names:
            assert have.column(name).equals(want.column(name)), name


def _reports_across_task_blocks(seed: int) -> pa.Table:
    """Reports a few km and a few hours apart over three weeks: the leader scan's tasks (blocks
    of about 17 hours, see :func:`truce.verification.scan.block_hours`) share anchors at every
    block edge, and the rank classes (precisions, monitors, spans) interleave in time."""
    rng = random.Random(seed)
    rows = []
    for i in range(500):
        start = T0 + timedelta(minutes=rng.randrange(0, 21 * 24 * 60))
        rows.append(
            report(
                f"r:{i:04d}",
                lat=north_of(48.5, rng.uniform(0.0, 6.0)),
                precision_m=rng.choice([50.0, 300.0, 1_000.0, 3_000.0]),
                source=rng.choice(["media-a", "ucdp-ged", "osce-smm", "cir-bellingcat"]),
                kind=rng.choice(["strike", "artillery", "explosion"]),
                start=start,
                hours=rng.choice([0.0, 0.5, 1.0]),
            )
        )
    return table(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("threads", "latest_first"), [(2, False), (1, True)])
def test_leader_tasks_give_the_result_of_one_pass(
    monkeypatch: pytest.MonkeyPatch, seed: int, threads: int, latest_first: bool
) -> None:
    # latest_first runs, each time, the ready task latest in rank order: any dependency
    # between tasks left out (an earlier rank class in the next block of time, say) changes
    # the leaders there, and the grouping no longer equals the brute force
    from truce.verification import scan

    arrays = report_arrays(_reports_across_task_blocks(seed), CONFIG)
    slow = naive_grouping(arrays)
    monkeypatch.setattr(scan, "LEADER_THREADS", threads)
    monkeypatch.setattr(scan, "LATEST_FIRST", latest_first)
    tasks: list[int] = []
    choose = scan.choose_leaders

    def counting(*args: Any) -> Any:
        tasks.append(int(args[3].lo.size))
        return choose(*args)

    monkeypatch.setattr("truce.verification.grouping.choose_leaders", counting)
    fast = group_reports(arrays)
    assert tasks[0] > 60  # many blocks of several rank classes
    assert fast.leader.tolist() == slow.leader.tolist()
    assert fast.role.tolist() == slow.role.tolist()
    assert fast.candidates.tolist() == slow.candidates.tolist()
