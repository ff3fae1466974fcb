"""The ACLED reader on a synthetic file with ACLED's real column names (no ACLED data)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.io.helpers import FIXTURES, read_all

FIXTURE = FIXTURES / "acled-synthetic.csv"


def test_synthetic_export() -> None:
    read = read_all(FIXTURE, "acled")
    events = read.by_record()
    assert sorted(events) == ["RUS900008", "UKR900001", "UKR900002", "UKR900003", "UKR900004"]

    kharkiv = events["UKR900001"]  # shelling whose notes name a missile
    assert (kharkiv.kind, kharkiv.weapon_class, kharkiv.outcome) == (
        "missile-strike",
        "missile",
        "impact",
    )
    assert kharkiv.time_start == datetime(2024, 3, 14, 22, 0, tzinfo=UTC)
    assert kharkiv.time_end == datetime(2024, 3, 15, 22, 0, tzinfo=UTC)
    assert (kharkiv.area_precision, kharkiv.precision_m, kharkiv.deaths) == ("settlement", 5_000, 2)
    assert kharkiv.target == "civilians"
    claim = kharkiv.claims[0]
    assert (claim.claimant, claim.perpetrator) == ("ACLED", "Military Forces of Russia (2000-)")
    assert "not directional" in claim.note
    assert "Civilians (Ukraine)" in claim.note

    odesa = events["UKR900002"]  # '16 March 2024', time precision 2: the day +-6 days
    assert odesa.kind == "strike"
    assert odesa.time_precision == "week"
    assert odesa.time_start == datetime(2024, 3, 9, 22, 0, tzinfo=UTC)
    assert odesa.time_end == datetime(2024, 3, 22, 22, 0, tzinfo=UTC)
    assert odesa.area_precision == "district"

    donetsk = events["UKR900003"]  # time precision 3 and geo precision 3
    assert donetsk.kind == "ground-assault"
    assert donetsk.time_precision == "month"
    assert donetsk.time_start == datetime(2024, 2, 29, 22, 0, tzinfo=UTC)
    assert donetsk.time_end == datetime(2024, 3, 31, 21, 0, tzinfo=UTC)  # DST began 31 March
    assert donetsk.area_id == "UA-14"
    assert donetsk.precision_m is not None
    assert donetsk.precision_m > 100_000

    assert events["UKR900004"].outcome == "attempt"
    belgorod = events["RUS900008"]
    assert (belgorod.kind, belgorod.weapon_class) == ("rocket-artillery", "mlrs")
    assert belgorod.time_zone == "Europe/Moscow"
    assert belgorod.time_start == datetime(2024, 3, 29, 21, 0, tzinfo=UTC)


def test_rejections_name_row_and_field() -> None:
    read = read_all(FIXTURE, "acled")
    found = {r.row: (r.field, r.type) for r in read.rejected}
    assert found == {
        6: ("sub_event_type", "out-of-scope"),
        7: ("latitude", "bad-number"),
        8: ("event_date", "bad-date"),
        10: ("event_type", "missing-field"),
    }
    latitude = next(r for r in read.rejected if r.row == 7)
    assert latitude.reason == "field 'latitude': expected a number between -90 and 90, got 'north'"
    assert latitude.file == str(FIXTURE)
    assert latitude.raw.startswith("UKR900006,")


def test_upper_case_headers_are_accepted(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "upper.csv"
    path.write_text("\n".join([lines[0].upper(), *lines[1:]]) + "\n", encoding="utf-8")
    upper = read_all(path, "acled")
    assert upper.summary.accepted == 5
    assert '"EVENT_ID_CNTY":"UKR900001"' in upper.events()[0].raw


def test_chunk_size_does_not_change_the_events() -> None:
    one, many = read_all(FIXTURE, "acled", chunk_rows=1), read_all(FIXTURE, "acled")
    assert one.table.equals(many.table)
    assert one.rejected == many.rejected
