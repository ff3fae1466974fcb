"""The CLI reference, generated from the commands' own help (docs/cli.md is its output)."""

from __future__ import annotations

import click


def render_reference(group: click.Group, prog: str = "truce") -> str:
    """Markdown with the --help text of every command, depth first, in name order."""
    lines = [
        "# truce command-line reference",
        "",
        "Generated from the commands' own `--help` by `make docs`; a test fails when it is stale.",
        "",
    ]
    for path, command in _walk(group, [prog]):
        lines += [f"## `{' '.join(path)}`", "", "```", _help_text(command, path), "```", ""]
    return "\n".join(lines)


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += _walk(command.commands[name], [*path, name])
    return found


def _help_text(command: click.Command, path: list[str]) -> str:
    # The same help option names as the real CLI: click caches a command's help option from
    # the first context that asks, so any other names would make the text order-dependent.
    context = click.Context(
        command,
        info_name=" ".join(path),
        terminal_width=100,
        max_content_width=100,
        help_option_names=["-h", "--help"],
    )
    return command.get_help(context).rstrip()
