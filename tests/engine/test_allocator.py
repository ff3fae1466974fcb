"""The allocator choice of the edges: the system allocator unless the user chose a pool."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

PROGRAM = (
    "import pyarrow as pa\n"
    "from truce.engine.allocator import prefer_system_allocator\n"
    "before = pa.default_memory_pool().backend_name\n"
    "print(before, prefer_system_allocator(), pa.default_memory_pool().backend_name)\n"
)


def _run(pool: str | None) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if pool is not None:
        environment["ARROW_DEFAULT_MEMORY_POOL"] = pool
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=environment, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def test_system_allocator_replaces_the_default() -> None:
    before, returned, after = _run(None)
    assert before != "system"  # pyarrow's default here is mimalloc or jemalloc
    assert returned == after == "system"


@pytest.mark.parametrize("pool", [p for p in pa.supported_memory_backends() if p != "system"])
def test_the_users_choice_stands(pool: str) -> None:
    before, returned, after = _run(pool)
    assert before == returned == after == pool
