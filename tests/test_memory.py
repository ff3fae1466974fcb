"""The process-wide memory settings of the edges (truce.memory)."""

from __future__ import annotations

import subprocess
import sys

from truce.memory import ARROW_POOL_VARIABLE, prefer_jemalloc, return_freed_memory


def test_prefer_jemalloc_sets_the_pool_unless_one_is_chosen() -> None:
    environ: dict[str, str] = {}
    prefer_jemalloc(environ)
    assert environ == {ARROW_POOL_VARIABLE: "jemalloc"}
    chosen = {ARROW_POOL_VARIABLE: "system"}
    prefer_jemalloc(chosen)
    assert chosen == {ARROW_POOL_VARIABLE: "system"}


def test_the_command_takes_arrow_memory_from_jemalloc() -> None:
    # the launcher chooses the pool before pyarrow is loaded: the pool in use is jemalloc
    code = (
        "import os, sys; os.environ.pop('ARROW_DEFAULT_MEMORY_POOL', None)\n"
        "sys.argv = ['truce', '--version']\n"
        "from truce import command\n"
        "try:\n    command.main()\nexcept SystemExit:\n    pass\n"
        "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "jemalloc"


def test_return_freed_memory_on_glibc() -> None:
    # the machines truce runs on (Debian) have glibc: the threshold is taken
    assert return_freed_memory() is True
