"""The generic CSV reader with a YAML mapping, on the 2025 moratorium incidents."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.io.helpers import bundled_file, read_all
from truce.errors import InputError
from truce.events.model import Event

INCIDENTS = "moratorium-2025-incidents.csv"
MAPPING = "moratorium-2025-incidents.mapping.yaml"


def incidents() -> dict[str, Event]:
    read = read_all(bundled_file(INCIDENTS), "csv-mapped")
    assert read.rejected == []
    return read.by_record()


def test_thirteen_events() -> None:
    events = incidents()
    assert sorted(events) == [f"M25-{i:02d}" for i in range(1, 14)]
    assert {e.source for e in events.values()} == {"moratorium-2025-incidents"}
    assert events["M25-01"].event_id == "moratorium-2025-incidents:M25-01"


def test_sudzha_has_a_claim_and_a_counter_claim() -> None:
    claims = incidents()["M25-04"].claims
    assert [(c.claimant, c.perpetrator) for c in claims] == [
        ("Russia", "Ukraine"),
        ("Ukraine", "Russia"),
    ]
    assert claims[1].note == "Ukraine says Russia shelled it"


def test_a_counter_claim_that_does_not_shift_blame_keeps_the_perpetrator() -> None:
    claims = incidents()["M25-11"].claims
    assert [(c.claimant, c.perpetrator) for c in claims] == [
        ("Ukraine", "Russia"),
        ("Russia", "Russia"),
    ]


def test_outcomes_kinds_and_targets() -> None:
    events = incidents()
    assert events["M25-05"].outcome == "attempt"
    assert events["M25-07"].outcome == "attempt"
    assert events["M25-03"].outcome == "impact"
    assert (events["M25-06"].kind, events["M25-06"].weapon_class) == (
        "rocket-artillery",
        "mlrs-heavy",
    )
    assert (events["M25-11"].kind, events["M25-11"].weapon_class) == ("missile-strike", "missile")
    assert events["M25-04"].kind == "strike"
    classes = {k: e.target_class for k, e in events.items()}
    assert classes["M25-01"] == "distribution-unit"
    assert classes["M25-03"] == "oil-pumping-station"
    assert classes["M25-04"] == "gas-metering-station"
    assert classes["M25-07"] == "oil-refinery"
    assert classes["M25-09"] == "substation"
    assert classes["M25-10"] == "gas-distribution-station"
    assert classes["M25-13"] == "power-plant"
    assert classes["M25-12"] == "civilian-object"


def test_times_and_zones() -> None:
    events = incidents()
    kavkazskaya = events["M25-03"]  # 03:00 Europe/Moscow is 00:00Z; 'night' is +-6 h around it
    assert kavkazskaya.time_zone == "Europe/Moscow"
    assert kavkazskaya.time_precision == "night"
    middle = kavkazskaya.time_start + (kavkazskaya.time_end - kavkazskaya.time_start) / 2
    assert middle == datetime(2025, 3, 19, 0, 0, tzinfo=UTC)
    sudzha = events["M25-04"]  # 00:20 Moscow on 21 March, to the minute
    assert sudzha.time_start == datetime(2025, 3, 20, 21, 20, tzinfo=UTC)
    assert sudzha.time_end == datetime(2025, 3, 20, 21, 21, tzinfo=UTC)
    cpc = events["M25-05"]  # to the hour, claimed 23:00 GMT on 25 March
    assert (cpc.time_start, cpc.time_precision) == (
        datetime(2025, 3, 25, 23, 0, tzinfo=UTC),
        "hour",
    )
    kryvyi_rih = events["M25-11"]  # 18:50 Kyiv, after the DST change: UTC+3
    assert kryvyi_rih.time_start == datetime(2025, 4, 4, 15, 50, tzinfo=UTC)
    vasylivka = events["M25-09"]  # a whole day in Moscow time
    assert vasylivka.time_start == datetime(2025, 4, 1, 21, 0, tzinfo=UTC)
    assert vasylivka.time_end == datetime(2025, 4, 2, 21, 0, tzinfo=UTC)


def test_places() -> None:
    events = incidents()
    assert (events["M25-02"].precision_m, events["M25-02"].area_precision) == (120_000, "oblast")
    assert (events["M25-04"].lat, events["M25-04"].lon, events["M25-04"].precision_m) == (
        51.19,
        35.27,
        3_000,
    )


def _copy(tmp_path: Path, rows: list[str], mapping: dict[str, object] | None = None) -> Path:
    source = bundled_file(INCIDENTS).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join([source[0], *rows]) + "\n", encoding="utf-8")
    data = mapping or yaml.safe_load(bundled_file(MAPPING).read_text(encoding="utf-8"))
    (tmp_path / "incidents.mapping.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_bad_rows_are_rejected(tmp_path: Path) -> None:
    good = bundled_file(INCIDENTS).read_text(encoding="utf-8").splitlines()[3]  # M25-03
    rows = [
        good,
        good.replace(",45.44,40.67,", ",abc,40.67,").replace("M25-03", "X-1"),
        good.replace("2025-03-19T03:00", "2025-02-30T03:00").replace("M25-03", "X-2"),
        good.replace(",drone strike,", ",laser strike,").replace("M25-03", "X-3"),
        good.replace("Europe/Moscow", "Mars/Olympus").replace("M25-03", "X-4"),
        "X-5,2025-03-19T03:00",
    ]
    read = read_all(_copy(tmp_path, rows), "csv-mapped")
    assert list(read.by_record()) == ["M25-03"]
    found = {r.row: (r.field, r.type) for r in read.rejected}
    assert found == {
        3: ("latitude", "bad-number"),
        4: ("reported_local_time", "bad-date"),
        5: ("event_kind", "unmapped-value"),
        6: ("time_zone", "bad-time"),
        7: ("time_zone", "missing-field"),
    }
    assert "got 'abc'" in next(r for r in read.rejected if r.row == 3).reason


def test_dst_gap_is_resolved_with_a_note(tmp_path: Path) -> None:
    good = bundled_file(INCIDENTS).read_text(encoding="utf-8").splitlines()[11]  # M25-11, Kyiv
    row = good.replace("2025-04-04T18:50", "2025-03-30T03:30")
    (event,) = read_all(_copy(tmp_path, [row]), "csv-mapped").events()
    assert event.time_start == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert "does not exist in Europe/Kyiv" in event.text


@pytest.mark.parametrize(
    "change",
    [
        {"fields": {"kind": {"column": "event_kind", "values": {"drone strike": "drone-strikes"}}}},
        {"fields": {"colour": {"column": "x"}}},
        {"fields": {"kind": {"column": "event_kind", "value": "strike"}}},
        {"source": None},
    ],
)
def test_invalid_mappings_are_input_errors(tmp_path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(bundled_file(MAPPING).read_text(encoding="utf-8"))
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    with pytest.raises(InputError, match="invalid column mapping"):
        read_all(bundled_file(INCIDENTS), "csv-mapped", mapping=data)


def test_a_mapping_naming_absent_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    mapping = bundled_file(MAPPING)
    with pytest.raises(InputError, match="missing column"):
        read_all(path, "csv-mapped", mapping=mapping)


def test_missing_mapping_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "lonely.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="mapping file not found"):
        read_all(path, "csv-mapped")
