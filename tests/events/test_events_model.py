"""The event schema, the Event value and the batch conversions."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from truce.events.model import (
    EVENT_SCHEMA,
    Claim,
    Event,
    FieldError,
    ReadResult,
    ReadSummary,
    Rejected,
    batch_to_events,
    check_event,
    empty_batch,
    events_to_batch,
)

T0 = datetime(2025, 3, 19, 0, 0, tzinfo=UTC)


def make(**changes: object) -> Event:
    values: dict[str, object] = {
        "event_id": "test:1",
        "source": "test",
        "source_record": "1",
        "time_start": T0,
        "time_end": T0,
        "time_zone": "UTC",
        "time_precision": "exact",
        "kind": "drone-strike",
    }
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def test_schema_has_the_documented_columns_and_types() -> None:
    expected = {
        "event_id": pa.string(),
        "source": pa.string(),
        "source_record": pa.string(),
        "time_start": pa.timestamp("us", tz="UTC"),
        "time_end": pa.timestamp("us", tz="UTC"),
        "time_zone": pa.string(),
        "time_precision": pa.string(),
        "lon": pa.float64(),
        "lat": pa.float64(),
        "precision_m": pa.float64(),
        "area_id": pa.string(),
        "area_precision": pa.string(),
        "kind": pa.string(),
        "weapon_class": pa.string(),
        "target": pa.string(),
        "target_class": pa.string(),
        "outcome": pa.string(),
        "deaths": pa.int32(),
        "injured": pa.int32(),
        "quantity": pa.int32(),
        "text": pa.string(),
        "link": pa.string(),
        "raw": pa.string(),
    }
    for name, kind in expected.items():
        assert EVENT_SCHEMA.field(name).type == kind, name
    claims = EVENT_SCHEMA.field("claims").type
    assert pa.types.is_list(claims)
    assert [f.name for f in claims.value_type] == ["claimant", "perpetrator", "note"]
    assert len(EVENT_SCHEMA) == len(expected) + 1


def test_events_round_trip_through_a_batch() -> None:
    events = [
        make(),
        make(
            event_id="test:2",
            lon=37.5,
            lat=47.1,
            precision_m=25_000.0,
            area_id="UA-14",
            area_precision="oblast",
            weapon_class="uav",
            target="substation",
            target_class="substation",
            outcome="attempt",
            claims=(Claim("Russia", "Ukraine", "as claimed"), Claim("Ukraine", "Russia", "")),
            deaths=2,
            injured=0,
            quantity=19,
            text="täxt",
            link="https://example.org",
            raw='{"a": 1}',
        ),
    ]
    batch = events_to_batch(events)
    assert batch.schema.equals(EVENT_SCHEMA)
    assert batch.num_rows == 2
    assert batch_to_events(batch) == events


def test_times_are_stored_in_utc() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2025, 3, 19, 3, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    batch = events_to_batch([make(time_start=local, time_end=local)])
    assert batch.column("time_start")[0].as_py() == datetime(2025, 3, 19, 0, 0, tzinfo=UTC)


def test_empty_batch_fits_the_schema() -> None:
    batch = empty_batch()
    assert batch.num_rows == 0
    assert batch.schema.equals(EVENT_SCHEMA)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "shelling"}, "kind"),
        ({"weapon_class": "drone"}, "weapon_class"),
        ({"target_class": "refinery"}, "target_class"),
        ({"outcome": "hit"}, "outcome"),
        ({"lat": 95.0, "lon": 30.0}, "lat"),
        ({"lat": 45.0}, "lon/lat"),
        ({"precision_m": -1.0, "lat": 45.0, "lon": 30.0}, "precision_m"),
        ({"time_end": datetime(2025, 3, 18, tzinfo=UTC)}, "time_end"),
        ({"deaths": -1}, "deaths"),
        ({"area_precision": "street"}, "area_precision"),
    ],
)
def test_check_event_names_the_bad_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(FieldError) as caught:
        check_event(make(**changes))
    assert caught.value.field == field
    assert f"field '{field}'" in str(caught.value)


def test_field_error_message_names_field_expectation_and_value() -> None:
    error = FieldError("latitude", "a number between -90 and 90", "abc", "bad-number")
    assert str(error) == "field 'latitude': expected a number between -90 and 90, got 'abc'"


def test_rejected_becomes_a_problem_and_a_dict() -> None:
    rejected = Rejected("x.csv", 7, "a,b", "field 'lat': expected a number, got 'b'", "bad-number")
    problem = rejected.as_problem()
    assert (problem.file, problem.line, problem.type) == ("x.csv", 7, "bad-number")
    assert rejected.to_dict()["row"] == 7
    assert str(rejected).startswith("x.csv:7: field 'lat'")


def test_read_summary_counts_rows_and_rejections_by_type() -> None:
    summary = ReadSummary()
    batch = events_to_batch([make(), make(event_id="test:2")])
    bad = [
        Rejected("f", 3, "", "r", "bad-number"),
        Rejected("f", 4, "", "r", "bad-number"),
        Rejected("f", 5, "", "r", "bad-date"),
    ]
    summary.add(ReadResult(batch, bad, 5))
    assert (summary.rows_read, summary.accepted, summary.rejected) == (5, 2, 3)
    assert summary.rejected_by_type == {"bad-number": 2, "bad-date": 1}
    assert "5 rows read, 2 accepted, 3 rejected" in str(summary)
