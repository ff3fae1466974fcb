"""The ``truce`` command: a thin edge that parses arguments, calls the library, prints.

Library errors (:class:`truce.errors.TruceError`) become one-line user messages here and only
here; ``--json`` makes every reporting command print exactly one JSON document.
"""

from __future__ import annotations

import sys

import click

from truce import __version__
from truce.cli.agreement import agreement_group
from truce.cli.check import check_command
from truce.cli.common import run_guarded
from truce.cli.demo import demo_command
from truce.cli.evidence import evidence_group
from truce.cli.incidents import corroborate_command, incidents_group
from truce.cli.ledger import ledger_group
from truce.cli.schema import schema_group
from truce.cli.workspace import import_command, init_command, quarantine_group, status_command

HELP_OPTION_NAMES = ["-h", "--help"]


@click.group(context_settings={"help_option_names": HELP_OPTION_NAMES})
@click.version_option(__version__, prog_name="truce")
def cli() -> None:
    """truce: monitor and verify cease-fires (agreements as code, record, verification)."""


for command in (
    agreement_group,
    schema_group,
    check_command,
    init_command,
    status_command,
    import_command,
    quarantine_group,
    evidence_group,
    corroborate_command,
    incidents_group,
    ledger_group,
    demo_command,
):
    cli.add_command(command)


def _same_help_everywhere(command: click.Command) -> None:
    """Give every command and group the root's ``-h``/``--help``, not only through the root.

    Click builds a command's help option once, from the context it is first asked in; a command
    invoked on its own (as tests and embedding programs do) would otherwise build it from
    Click's default names, and ``--help`` output would then depend on what ran first."""
    command.context_settings.setdefault("help_option_names", HELP_OPTION_NAMES)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _same_help_everywhere(sub)


_same_help_everywhere(cli)


def main() -> None:
    """Run the command line (the ``truce`` command starts at :mod:`truce.command`)."""
    sys.exit(run_guarded(cli))
