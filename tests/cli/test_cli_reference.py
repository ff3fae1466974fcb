"""Every command is documented: docs/cli.md equals the reference generated from --help."""

from __future__ import annotations

from pathlib import Path

from truce.cli import cli
from truce.cli.reference import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_reference(cli), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_every_command_has_help_text() -> None:
    text = render_reference(cli)
    for name in cli.commands:
        assert f"## `truce {name}`" in text
    assert "\n\n```\n```" not in text
