"""``truce agreement`` and ``truce schema`` through the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from truce.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "agreements"
ENERGY = str(EXAMPLES / "energy-moratorium-2025.yaml")


def test_validate_all_examples_ok() -> None:
    result = CliRunner().invoke(cli, ["agreement", "validate", *map(str, EXAMPLES.glob("*.yaml"))])
    assert result.exit_code == 0, result.output
    assert result.output.count(": valid (0 error(s), 0 warning(s))") == 6


def test_validate_invalid_exits_non_zero_with_located_problem(tmp_path: Path) -> None:
    bad = tmp_path / "energy-2025.yaml"
    bad.write_text(Path(ENERGY).read_text().replace("radius: 1 km", "radius: close"))
    result = CliRunner().invoke(cli, ["agreement", "validate", str(bad)])
    assert result.exit_code == 1
    assert "energy-2025.yaml:" in result.output
    expected = "radius must be a distance such as '500 m' or '2 km', got 'close'"
    assert f"term 'no-strikes-on-energy': {expected}" in result.output


def test_validate_json_is_one_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("truce: 1\n")
    result = CliRunner().invoke(cli, ["agreement", "validate", "--json", ENERGY, str(bad)])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    assert [f["valid"] for f in document["files"]] == [True, False]
    assert document["files"][1]["problems"][0]["line"] == 1


def test_show_text_and_json() -> None:
    text = CliRunner().invoke(cli, ["agreement", "show", str(EXAMPLES / "black-sea-2025.yaml")])
    assert text.exit_code == 0
    assert "NEVER IN FORCE: condition precedent 'sanctions-relief' is not met" in text.output
    data = json.loads(CliRunner().invoke(cli, ["agreement", "show", "--json", ENERGY]).output)
    assert data["id"] == "energy-moratorium-2025"
    assert data["in_force"]["start"] == "2025-03-18T19:00:00Z"


def test_show_missing_file_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["agreement", "show", "nowhere.yaml"])
    assert result.exit_code != 0


def test_in_force_json_and_assume_start() -> None:
    args = ["agreement", "in-force", ENERGY, "--at", "2025-03-19T00:00 Europe/Kyiv", "--json"]
    stated = json.loads(CliRunner().invoke(cli, args).output)
    assumed = json.loads(
        CliRunner().invoke(cli, [*args, "--assume-start", "2025-03-25T00:00 Europe/Kyiv"]).output
    )
    assert stated["in_force"] is True
    assert assumed["in_force"] is False
    assert assumed["assumed_start"] == "2025-03-24T22:00:00Z"


def test_in_force_refuses_an_instant_without_zone() -> None:
    result = CliRunner().invoke(cli, ["agreement", "in-force", ENERGY, "--at", "2025-03-19T00:00"])
    assert result.exit_code == 2
    assert "with no time zone" in result.output


def test_schema_agreement_prints_json_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "agreement"])
    assert json.loads(result.output)["title"] == "truce agreement (format 1)"
