"""The ``truce`` command's entry point: the process's memory settings (:mod:`truce.memory`),
made before pyarrow is first used, then the command line itself (:func:`truce.cli.main`).

It lives outside :mod:`truce.cli` because importing that package loads pyarrow."""

from __future__ import annotations

from truce.memory import prefer_jemalloc, return_freed_memory


def main() -> None:
    """Entry point of the ``truce`` command."""
    prefer_jemalloc()
    return_freed_memory()
    from truce.cli import main as run  # after the settings: importing it loads pyarrow

    run()
