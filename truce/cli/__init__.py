"""The ``truce`` command: a thin edge that parses arguments, calls the library, prints.

Library errors (:class:`truce.errors.TruceError`) become one-line user messages here and only
here; ``--json`` makes every reporting command print exactly one JSON document.
"""

from __future__ import annotations

import sys

import click

from truce import __version__
from truce.cli.agreement import agreement_group
from truce.cli.common import run_guarded
from truce.cli.demo import demo_command
from truce.cli.schema import schema_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="truce")
def cli() -> None:
    """truce: monitor and verify cease-fires (agreements as code, record, verification)."""


cli.add_command(agreement_group)
cli.add_command(schema_group)
cli.add_command(demo_command)


def main() -> None:
    """Entry point of the ``truce`` command."""
    sys.exit(run_guarded(cli))
