"""Instants, zones and DST: Kyiv local time across the spring and autumn changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.agreement.builders import MINIMAL, TERM_PROHIBITED
from tests.agreement.conftest import WriteAgreement
from truce.agreement import in_force
from truce.instant import parse_instant, zone_info
from truce.units import parse_distance, parse_duration


def test_kyiv_winter_and_summer_offsets() -> None:
    assert parse_instant("2025-03-29T12:00 Europe/Kyiv").utc == datetime(
        2025, 3, 29, 10, 0, tzinfo=UTC
    )
    assert parse_instant("2025-03-31T12:00 Europe/Kyiv").utc == datetime(
        2025, 3, 31, 9, 0, tzinfo=UTC
    )


def test_dst_gap_and_fold_are_refused_with_reason() -> None:
    with pytest.raises(ValueError, match="does not exist in Europe/Kyiv"):
        parse_instant("2025-03-30T03:30 Europe/Kyiv")
    with pytest.raises(ValueError, match="occurs twice in Europe/Kyiv"):
        parse_instant("2025-10-26T03:30 Europe/Kyiv")
    # An offset settles which of the two is meant.
    assert parse_instant("2025-10-26T03:30+02:00").utc == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)


def test_old_zone_spelling_is_accepted_and_renamed() -> None:
    assert parse_instant("2015-02-15T00:00 Europe/Kiev").zone == "Europe/Kyiv"


@pytest.mark.parametrize("text", ["2025-03-18T00:00", "yesterday", "2025-13-01T00:00Z", ""])
def test_bad_instants(text: str) -> None:
    with pytest.raises(ValueError, match="instant with a time zone"):
        parse_instant(text)


def test_units() -> None:
    assert parse_distance("2 km").metres == 2000
    assert parse_distance("12 nmi").metres == pytest.approx(22224)
    assert parse_duration("48 h").days == 2
    for bad in ("close", "5", "5 parsecs", "-1 km"):
        with pytest.raises(ValueError, match="must be a distance"):
            parse_distance(bad)


def test_term_window_across_dst(write_agreement: WriteAgreement) -> None:
    """An agreement from 00:00 Kyiv on 2 March 2024 with a term from 28 days later:
    that is 30 March 00:00 Kyiv (22:00Z on 29 March), before the 31 March DST change; a term
    active from 30 days later starts at 1 April 00:00 Kyiv *summer* time, 21:00Z on 31 March,
    i.e. 30 x 24 hours after entry into force, one local hour earlier than naive counting."""
    report = write_agreement(
        TERM_PROHIBITED + "    active: {from: 30 days after entry into force}\n"
    )
    assert report.agreement is not None
    agreement = report.agreement
    start = agreement.entry_into_force.at
    assert start.utc == datetime(2024, 3, 1, 22, 0, tzinfo=UTC)
    boundary = start.utc + timedelta(days=30)
    assert boundary == datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
    just_before = parse_instant("2024-04-01T00:59+03:00")
    assert just_before.utc < boundary
    assert not in_force(agreement, just_before).terms[0].binding
    assert in_force(agreement, parse_instant("2024-04-01T01:00 Europe/Kyiv")).terms[0].binding


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2040, 1, 1),
    )
)
def test_local_time_round_trips_or_is_refused(moment: datetime) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M") + " Europe/Kyiv"
    naive = moment.replace(second=0, microsecond=0)
    utc_offsets = {
        naive.replace(tzinfo=zone_info("Europe/Kyiv"), fold=fold).utcoffset() for fold in (0, 1)
    }
    if len(utc_offsets) > 1:  # in a DST gap or fold: refused, with the reason
        with pytest.raises(ValueError, match="clocks moved"):
            parse_instant(text)
        return
    assert parse_instant(text).local.replace(tzinfo=None) == naive


def test_minimal_is_text() -> None:
    assert MINIMAL.startswith("truce: 1")
