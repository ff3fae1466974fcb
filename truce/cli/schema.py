"""``truce schema``: the published JSON Schemas."""

from __future__ import annotations

import click

from truce.agreement import agreement_schema
from truce.cli.common import emit_json


@click.group("schema")
def schema_group() -> None:
    """Print the JSON Schema of a file format."""


@schema_group.command("agreement")
def agreement_schema_command() -> None:
    """The JSON Schema of agreement files."""
    emit_json(agreement_schema())
