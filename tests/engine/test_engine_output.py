"""Findings files (CSV, GeoJSON, Parquet: the same columns) and the ``check`` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tests.engine.conftest import EVENTS, EXAMPLES
from truce.cli.check import check_command
from truce.engine.findings import FINDING_SCHEMA
from truce.engine.output import output_format
from truce.errors import InputError

AGREEMENT = str(EXAMPLES / "energy-moratorium-2025.yaml")
INCIDENTS = str(EVENTS / "moratorium-2025-incidents.csv")
REQUIRED = ("event_id", "term", "agreement", "status", "party_bound", "explanation")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        check_command, ["--agreement", AGREEMENT, "--events", INCIDENTS, *args]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
def test_every_format_carries_the_same_columns_and_rows(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"findings{suffix}"
    code, _ = invoke("--out", str(out))
    assert code == 0
    if suffix == ".parquet":
        rows = pq.read_table(out).to_pylist()
    elif suffix == ".csv":
        with out.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    else:
        document = json.loads(out.read_text(encoding="utf-8"))
        assert document["type"] == "FeatureCollection"
        rows = [feature["properties"] for feature in document["features"]]
        points = [f["geometry"]["coordinates"] for f in document["features"]]
        assert [35.27, 51.19] in points
    assert len(rows) == 10
    assert set(FINDING_SCHEMA.names) <= set(rows[0])
    for name in REQUIRED:
        assert all(row[name] not in (None, "") for row in rows)
    sudzha = next(r for r in rows if str(r["event_id"]).endswith("M25-04"))
    claims = sudzha["claims"] if suffix != ".csv" else json.loads(sudzha["claims"])
    assert {c["claimant"] for c in claims} == {"Russia", "Ukraine"}


def test_json_summary_and_at_least(tmp_path: Path) -> None:
    code, output = invoke("--out", str(tmp_path / "f.parquet"), "--json", "--at-least", "violation")
    assert code == 0
    document = json.loads(output)
    assert document["findings"]["by_status"] == {"attempt": 2, "violation": 4}
    assert document["per_term"][0]["term"] == "no-strikes-on-energy"
    assert "russia" in document["per_party"]
    statuses = set(pq.read_table(tmp_path / "f.parquet").column("status").to_pylist())
    assert statuses == {"attempt", "violation"}


def test_text_summary_with_an_assumed_start(tmp_path: Path) -> None:
    code, output = invoke(
        "--out", str(tmp_path / "f.csv"), "--assume-start", "2025-03-25T00:00 Europe/Kyiv"
    )
    assert code == 0
    assert "Under the assumed start, 4 finding(s) change" in output
    assert "M25-04: violation -> none" in output
    assert "Per party bound:" in output


def test_unknown_output_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot tell the output format"):
        output_format(tmp_path / "findings.xlsx")
    result = CliRunner().invoke(
        check_command,
        ["--agreement", AGREEMENT, "--events", INCIDENTS, "--out", str(tmp_path / "f.txt")],
    )
    assert result.exit_code != 0


def test_format_is_required_when_the_name_does_not_tell(tmp_path: Path) -> None:
    copy = tmp_path / "incidents.csv"
    copy.write_bytes(Path(INCIDENTS).read_bytes())
    result = CliRunner().invoke(
        check_command,
        ["--agreement", AGREEMENT, "--events", str(copy), "--out", str(tmp_path / "f.csv")],
    )
    assert result.exit_code != 0
    assert "give --format" in str(result.exception)
    mapping = str(EVENTS / "moratorium-2025-incidents.mapping.yaml")
    result = CliRunner().invoke(
        check_command,
        [
            "--agreement",
            AGREEMENT,
            "--events",
            str(copy),
            "--format",
            "csv",
            "--mapping",
            mapping,
            "--out",
            str(tmp_path / "f.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
