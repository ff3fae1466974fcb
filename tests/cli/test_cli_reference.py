"""Every command is documented: docs/cli.md equals the reference generated from --help."""

from __future__ import annotations

import subprocess
import sys
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


_DIRECT_FIRST = """
from click.testing import CliRunner
from truce.cli.workspace import import_command, quarantine_group
runner = CliRunner()
print(runner.invoke(import_command, ["--help"]).output)
print(runner.invoke(quarantine_group, ["list", "-h"]).output)
from truce.cli import cli
from truce.cli.reference import render_reference
print("REFERENCE-CURRENT" if render_reference(cli) == open(DOC, encoding="utf-8").read() else "")
"""


def test_help_option_does_not_depend_on_what_ran_first() -> None:
    """Subcommands invoked on their own before anything else (in a fresh interpreter, since
    Click keeps a command's help option once built) still take ``-h`` and render as documented."""
    code = f"DOC = {str(DOC)!r}\n{_DIRECT_FIRST}"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.count("-h, --help") == 2
    assert "REFERENCE-CURRENT" in out
