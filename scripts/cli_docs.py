"""Write docs/cli.md from the commands' own --help (run by `make docs`)."""

from __future__ import annotations

from pathlib import Path

from truce.cli import cli
from truce.cli.reference import render_reference

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def main() -> None:
    """Regenerate the reference."""
    TARGET.write_text(render_reference(cli), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
