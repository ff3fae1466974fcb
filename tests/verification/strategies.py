"""Hypothesis strategies: small sets of reports crowded enough in space and time to match."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from tests.verification.builders import T0, report

KINDS = ("strike", "drone-strike", "artillery", "fire", "explosion", "air-alert", "sabotage")
SOURCES = ("media-a", "media-b", "osce-smm", "cir-bellingcat", "ucdp-ged", "firms-modis")
PRECISIONS = (0.0, 300.0, 1_000.0, 4_000.0, 20_000.0, 60_000.0, 150_000.0, 400_000.0)
OUTCOMES = ("impact", "attempt", "unknown")


@st.composite
def report_rows(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """One report near (37.5 E, 48.5 N) within a few days of :data:`T0`."""
    located = draw(st.integers(0, 19)) > 0
    return report(
        f"r:{index:04d}",
        lon=37.5 + draw(st.integers(-60, 60)) * 0.004 if located else None,
        lat=48.5 + draw(st.integers(-60, 60)) * 0.003 if located else None,
        precision_m=draw(st.sampled_from(PRECISIONS)),
        source=draw(st.sampled_from(SOURCES)),
        kind=draw(st.sampled_from(KINDS)),
        start=T0 + timedelta(hours=draw(st.integers(0, 72))),
        hours=draw(st.sampled_from([0.0, 1.0, 12.0, 24.0, 24.0 * 10])),
        outcome=draw(st.sampled_from(OUTCOMES)),
        claims=draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["Russia", "Ukraine"]), st.sampled_from(["Russia", "Ukraine"])
                ),
                max_size=2,
            )
        ),
        text=draw(st.sampled_from(["", "hit", "hit"])),
        link=draw(st.sampled_from(["", "", "https://t.me/a/1", "https://t.me/a/2"])),
    )


@st.composite
def report_sets(draw: st.DrawFn, max_size: int = 40) -> list[dict[str, Any]]:
    """A list of reports, some of them exact re-reports of others (same content, new id)."""
    count = draw(st.integers(1, max_size))
    rows = [draw(report_rows(i)) for i in range(count)]
    for copy in range(draw(st.integers(0, min(5, count)))):
        original = rows[draw(st.integers(0, count - 1))]
        rows.append(
            {
                **original,
                "event_id": f"r:{count + copy:04d}",
                "source_record": f"{count + copy:04d}",
                "link": draw(st.sampled_from(["", "https://t.me/other/9"])),
            }
        )
    return rows
