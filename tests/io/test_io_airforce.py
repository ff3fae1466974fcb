"""The Air Force daily-report reader: areas, Kyiv time across DST, weapons, counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyproj import Geod

from tests.io.helpers import bundled_file, read_all, shared_file
from truce.events.model import Event
from truce.io._areas import load_areas

EXTRACT = "airforce-2025-03-01_2025-05-31.csv"
HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,"
    "num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,"
    "destroyed_details,launched_details,launch_place_details,source"
)
GEOD = Geod(ellps="WGS84")


def _row(start: str, end: str, model: str, target: str, launched: str, destroyed: str) -> str:
    return (
        f'{start},{end},{model},,"{target}",,{launched},{destroyed},,,{{}},,,,,,,,,,,kpszsu/posts/x'
    )


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "airforce.csv"
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    return path


def _distance(event: Event, lon: float, lat: float) -> float:
    assert event.lon is not None
    assert event.lat is not None
    return float(GEOD.inv(event.lon, event.lat, lon, lat)[2])


def test_extract_reads_every_row() -> None:
    read = read_all(bundled_file(EXTRACT), "airforce")
    assert (read.summary.rows_read, read.summary.accepted, read.rejected) == (317, 317, [])
    assert set(read.table.column("source").to_pylist()) == {"airforce-daily"}
    claims = {(c.claimant, c.perpetrator) for e in read.events() for c in e.claims}
    assert claims == {("Ukraine (Air Force)", "Russia")}


def test_full_file_reads_every_row() -> None:
    read = read_all(shared_file("missile_attacks_daily", "missile_attacks_daily.csv"), "airforce")
    assert (read.summary.rows_read, read.summary.accepted) == (3770, 3770)


def test_south_covers_several_oblasts() -> None:
    read = read_all(bundled_file(EXTRACT), "airforce")
    south = [e for e in read.events() if e.target == "south"]
    assert south
    event = south[0]
    assert event.area_id == "UA-south"
    assert event.area_precision == "macro-region"
    layer = load_areas()
    members = [layer.oblasts[i] for i in ("UA-51", "UA-48", "UA-65", "UA-23", "UA-43")]
    assert event.precision_m is not None
    assert event.precision_m > max(m.radius_m for m in members)
    for member in members:  # every vertex of every southern oblast is inside the circle
        coords = (
            member.geometry.exterior.coords
            if member.geometry.geom_type == "Polygon"
            else [c for p in member.geometry.geoms for c in p.exterior.coords]
        )
        farthest = max(_distance(event, x, y) for x, y in coords)
        assert farthest <= event.precision_m + 1


def test_kyiv_time_across_the_2025_dst_change() -> None:
    read = read_all(bundled_file(EXTRACT), "airforce")
    night = [e for e in read.events() if e.source_record == "211"]
    assert len(night) == 1
    event = night[0]  # 2025-03-29 20:00 EET (+2) -> 2025-03-30 09:00 EEST (+3)
    assert event.time_start == datetime(2025, 3, 29, 18, 0, tzinfo=UTC)
    assert event.time_end == datetime(2025, 3, 30, 6, 0, tzinfo=UTC)
    assert event.time_zone == "Europe/Kyiv"
    assert event.time_precision == "minute"
    assert (event.kind, event.weapon_class, event.quantity) == ("drone-strike", "uav", 111)
    assert "launched 111.0, destroyed 65.0" in event.text
    assert event.link.startswith("https://www.facebook.com/kpszsu/posts/")


def test_a_time_in_the_dst_gap_is_shifted_forward_with_a_note(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row("2025-03-30 03:30", "2025-03-30 09:00", "Kalibr", "Odesa oblast", "4.0", "4.0"),
    )
    (event,) = read_all(path, "airforce").events()
    assert event.time_start == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert "does not exist in Europe/Kyiv" in event.text
    assert (event.kind, event.outcome) == ("missile-strike", "attempt")
    assert event.area_id == "UA-51"


def test_targets_resolve_to_areas(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row(
            "2025-04-01",
            "2025-04-01",
            "Unknown UAV",
            "Odesa oblast and Mykolaiv oblast",
            "5.0",
            "3.0",
        ),
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Iskander-M", "Ukraine", "2.0", "0.0"),
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Shahed-136/131", "Kryvyi Rih", "10.0", "9.0"),
        _row(
            "2025-04-01 19:00",
            "2025-04-02 08:00",
            "Shahed-136/131",
            "Dnipropetrovsk oblast, Dnipro Raion",
            "1.0",
            "1.0",
        ),
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Shahed-136/131", "Atlantis", "1.0", "0.0"),
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Shahed-136/131", "", "1.0", "0.0"),
    )
    events = read_all(path, "airforce").events()
    two, country, town, raion, unknown, empty = events
    assert (two.area_id, two.area_precision, two.time_precision) == (
        "UA-51+UA-48",
        "macro-region",
        "day",
    )
    assert two.time_end == datetime(2025, 4, 1, 21, 0, tzinfo=UTC)  # the whole local day
    assert (country.area_id, country.area_precision) == ("UA", "country")
    assert country.precision_m is not None
    assert 500_000 < country.precision_m < 900_000
    assert (town.area_id, town.area_precision) == ("UA-12", "settlement")
    assert raion.area_id == "UA-12"
    assert "Dnipro Raion" in raion.text
    assert (unknown.lat, unknown.area_id, unknown.area_precision) == (None, None, "unknown")
    assert "Atlantis" in unknown.text
    assert empty.area_id == "UA"


def test_bad_rows_are_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Kalibr", "Odesa oblast", "many", "0.0"),
        _row("2025-04-31 19:00", "2025-05-01 08:00", "Kalibr", "Odesa oblast", "1.0", "0.0"),
        _row("2025-04-02 19:00", "2025-04-01 08:00", "Kalibr", "Odesa oblast", "1.0", "0.0"),
        "2025-04-01 19:00,2025-04-02 08:00,Kalibr",
        _row("2025-04-01 19:00", "2025-04-02 08:00", "Kalibr", "Odesa oblast", "1.0", "1.0"),
    )
    read = read_all(path, "airforce")
    assert [e.source_record for e in read.events()] == ["6"]
    reasons = {r.row: (r.field, r.type) for r in read.rejected}
    assert reasons == {
        2: ("launched", "bad-number"),
        3: ("time_start", "bad-date"),
        4: ("time_end", "bad-value"),
        5: ("launch_place", "missing-field"),
    }


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_chunk_size_does_not_change_the_events(chunk: int) -> None:
    path = bundled_file(EXTRACT)
    assert read_all(path, "airforce", chunk_rows=chunk).table.equals(
        read_all(path, "airforce").table
    )
