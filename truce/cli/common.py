"""What every command shares: JSON output, instants from the command line, error handling."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from truce.errors import TruceError
from truce.instant import Instant, parse_instant

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


def emit_json(document: Any) -> None:
    """Print one JSON document to standard output."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


class InstantParam(click.ParamType):  # type: ignore[type-arg]
    """An instant with its time zone, e.g. '2025-03-20T12:00 Europe/Kyiv' or '2025-03-20T09:00Z'."""

    name = "INSTANT"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Instant:
        if isinstance(value, Instant):
            return value
        try:
            return parse_instant(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


INSTANT = InstantParam()


def run_guarded(command: click.Command) -> int:
    """Run the click command, turning library errors into a message and exit status 1."""
    try:
        command.main(standalone_mode=False)
    except TruceError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return 0
