"""The CIR/Bellingcat events reader."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA
from truce.io import READERS, read_events
from truce.io.cir import cir_kind, group_name, read_cir

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cir-events-synthetic.csv"
SHARED = Path("/work/shared/data/cir_bellingcat_events_2022/events.csv")


def read(path: Path, chunk_rows: int = 65536) -> tuple[pa.Table, list[str]]:
    """All events and the rejection types of a file."""
    from truce.io._source import ReadOptions

    results = list(read_cir(path, ReadOptions(chunk_rows=chunk_rows)))
    table = pa.Table.from_batches([r.batch for r in results], schema=EVENT_SCHEMA)
    return table, [x.type for r in results for x in r.rejected]


def test_rows_become_events_in_the_schema() -> None:
    table, rejected = read(FIXTURE)
    assert table.schema == EVENT_SCHEMA
    assert rejected == ["out-of-scope", "out-of-scope", "missing-field"]
    rows = {r["event_id"]: r for r in table.to_pylist()}
    assert list(rows) == [
        "cir-bellingcat:TW0001",
        "cir-bellingcat:TW0002",
        "cir-bellingcat:TW0002~2",
        "cir-bellingcat:line-5",
        "cir-bellingcat:TW0004",
        "cir-bellingcat:TW0005",
        "cir-bellingcat:TW0008",
        "cir-bellingcat:TW0009",
    ]
    school = rows["cir-bellingcat:TW0001"]
    assert (school["kind"], school["outcome"], school["precision_m"]) == (
        "indirect-fire",
        "impact",
        500.0,
    )
    assert school["time_zone"] == "Europe/Kyiv"
    assert school["time_start"].isoformat() == "2022-03-01T22:00:00+00:00"
    assert school["time_end"].isoformat() == "2022-03-02T22:00:00+00:00"
    assert school["claims"] == []
    assert school["link"] == "https://t.me/example/1"
    assert school["source_record"] == "TW0001"
    assert rows["cir-bellingcat:TW0002"]["kind"] == "missile-strike"
    assert rows["cir-bellingcat:TW0002"]["precision_m"] == 2000.0
    assert rows["cir-bellingcat:line-5"]["source_record"] == "line-5"


def test_the_day_comes_from_the_title_when_the_date_is_empty() -> None:
    table, _ = read(FIXTURE)
    row = next(r for r in table.to_pylist() if r["source_record"] == "TW0004")
    assert row["time_start"].isoformat() == "2022-03-06T22:00:00+00:00"
    assert row["kind"] == "air-strike"


def test_zones_follow_the_country() -> None:
    table, _ = read(FIXTURE)
    row = next(r for r in table.to_pylist() if r["source_record"] == "TW0008")
    assert row["time_zone"] == "Europe/Minsk"


def test_chunks_do_not_change_the_ids() -> None:
    whole, _ = read(FIXTURE)
    pieces, _ = read(FIXTURE, chunk_rows=2)
    assert pieces["event_id"].to_pylist() == whole["event_id"].to_pylist()


@pytest.mark.parametrize(
    ("group", "title", "kind"),
    [
        ("Bombing or Explosion Feb - June", "Explosion at airport", "explosion"),
        ("Bombing or Explosion July - Now", "Grad strikes on the town", "rocket-artillery"),
        ("Bombing or Explosion Feb - June", "Artillery and missile strikes", "explosion"),
        (
            "Civilian Infrastructure Damage April 2022",
            "Drone footage over Rubizhne",
            "use-of-force",
        ),
        ("Russian Firing Positions", "MLRS launch clouds", "rocket-artillery"),
        ("Russian Military Presence Sept 2022", "Shelling heard", "military-presence"),
        ("Other", "Fire in the port", "fire"),
        ("Other", "Kamikaze drones over the city", "drone-strike"),
    ],
)
def test_kinds_from_groups_and_titles(group: str, title: str, kind: str) -> None:
    assert cir_kind(group, title).kind == kind


def test_group_names_lose_their_months() -> None:
    assert group_name("Civilian Infrastructure Damage Sep 2022") == "Civilian Infrastructure Damage"
    assert group_name("Russian Military Losses July - Now") == "Russian Military Losses"


def test_a_file_that_is_not_the_export_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="CIR/Bellingcat"):
        read(other)


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data")
def test_the_whole_export_reads() -> None:
    table, rejected = read(SHARED)
    assert table.num_rows > 6_300
    assert set(rejected) == {"out-of-scope"}
    assert len(set(table["event_id"].to_pylist())) == table.num_rows


def test_the_export_is_a_format_of_read_events() -> None:
    assert READERS["cir"] is read_cir
    results = list(read_events(FIXTURE, "cir", chunk_rows=3))
    assert sum(r.batch.num_rows for r in results) == sum(
        r.batch.num_rows for r in read_cir(FIXTURE)
    )
