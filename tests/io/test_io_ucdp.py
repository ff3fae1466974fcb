"""The UCDP GED reader on the real file, the bundled extract and broken copies."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.io.helpers import bundled_file, read_all, shared_file
from truce.errors import InputError

EXTRACT = "ucdp-ged-donbas-2015-2021.csv"


def test_full_file_reads_every_row() -> None:
    read = read_all(shared_file("ucdp_ged_ukraine", "UCDP-Ukraine_ged.csv"), "ucdp")
    assert read.summary.rows_read == 3883
    assert read.summary.accepted == 3883
    assert read.rejected == []


def test_row_418793_mariupol() -> None:
    read = read_all(shared_file("ucdp_ged_ukraine", "UCDP-Ukraine_ged.csv"), "ucdp")
    event = read.by_record()["418793"]
    assert event.event_id == "ucdp-ged:418793"
    assert event.lat == pytest.approx(47.0958, abs=1e-4)
    assert event.lon == pytest.approx(37.5494, abs=1e-4)
    # 12/08/2014 is 8 December 2014 (US style), a whole day in Kyiv (UTC+2 in winter)
    assert event.time_start == datetime(2014, 12, 7, 22, 0, tzinfo=UTC)
    assert event.time_end == datetime(2014, 12, 8, 22, 0, tzinfo=UTC)
    assert event.time_zone == "Europe/Kyiv"
    assert event.time_precision == "day"
    assert (event.area_precision, event.precision_m) == ("settlement", 25_000)
    assert event.kind == "use-of-force"
    assert event.deaths == 1
    # A dyad is not an attribution: UCDP names who fought, not who fired.
    assert [(c.claimant, c.perpetrator) for c in event.claims] == [("UCDP", "")]
    assert "Government of Ukraine vs United Armed Forces of Novorossiya" in event.claims[0].note
    assert '"where_prec":"2"' in event.raw


def test_first_row_with_excel_am_pm_date() -> None:
    read = read_all(shared_file("ucdp_ged_ukraine", "UCDP-Ukraine_ged.csv"), "ucdp")
    event = read.by_record()["147997"]  # 1/22/2014 12:00:00 AM, Maidan
    assert event.time_start == datetime(2014, 1, 21, 22, 0, tzinfo=UTC)
    assert event.deaths == 5


def test_extract_facts() -> None:
    read = read_all(bundled_file(EXTRACT), "ucdp")
    assert (read.summary.rows_read, read.summary.accepted) == (1518, 1518)
    events = read.by_record()
    krymske = events["338046"]  # 01/05/2020 00:00 is 5 January 2020
    assert krymske.time_start == datetime(2020, 1, 4, 22, 0, tzinfo=UTC)
    assert krymske.lat == pytest.approx(48.75)
    assert krymske.area_precision == "point"
    oblast_level = events["338048"]  # where_prec 4, Luhansk oblast
    assert oblast_level.area_id == "UA-09"
    assert oblast_level.area_precision == "oblast"
    assert 100_000 < (oblast_level.precision_m or 0) < 300_000
    assert "Kiev forces’ shelling" in events["198947"].raw  # cp1252 0x92 decoded


def test_gzip_gives_the_same_events(tmp_path: Path) -> None:
    source = bundled_file(EXTRACT)
    packed = tmp_path / "ucdp.csv.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    assert read_all(packed, "ucdp").table.equals(read_all(source, "ucdp").table)


def _broken_copy(tmp_path: Path) -> Path:
    lines = bundled_file(EXTRACT).read_bytes().split(b"\n")
    header = lines[0]
    good = [
        line for line in lines[1:] if line.startswith(b"338046,") or line.startswith(b"338047,")
    ]
    assert len(good) == 2
    bad_lat = good[0].replace(b",48.75,", b",abc,").replace(b"338046,", b"900001,", 1)
    bad_date = (
        good[1].replace(b"01/09/2020 00:00", b"02/30/2020 00:00").replace(b"338047,", b"900002,", 1)
    )
    short = b"900003,UKR-2020-1,2020"
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\n".join([header, good[0], bad_lat, bad_date, short, good[1], b""]))
    return path


def test_bad_rows_are_rejected_and_good_rows_go_on(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path)
    read = read_all(path, "ucdp")
    assert sorted(read.by_record()) == ["338046", "338047"]
    by_row = {r.row: r for r in read.rejected}
    assert sorted(by_row) == [3, 4, 5]
    assert by_row[3].field == "latitude"
    assert "expected a number between -90 and 90, got 'abc'" in by_row[3].reason
    assert by_row[4].field == "date_start"
    assert by_row[4].type == "bad-date"
    assert by_row[5].type == "missing-field"
    assert all(r.file == str(path) for r in read.rejected)
    assert by_row[3].raw.startswith("900001,")


def test_a_file_without_ucdp_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_all(path, "ucdp")
