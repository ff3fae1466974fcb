"""Which allocator Arrow's buffers come from while a check runs.

pyarrow allocates from mimalloc by default. In a check, every batch allocates and frees some
tens of megabytes of findings columns and explanation text. mimalloc gives that memory back to
the operating system and then faults it in again as fresh huge pages, so the kernel keeps
zeroing pages. The C library's allocator keeps the memory and reuses it.

Measured on the 1.26 M FIRMS bench (`bench/check.py`'s inputs, one core, findings to Parquet,
kernel time from `getrusage`):

- a fresh process's first pass: 0.26-0.36 s of kernel time with mimalloc, 0.13-0.14 s with the
  system allocator; 1.12-1.23 s of CPU in all against 0.98 s;
- the 10 M file: 1.35-1.43 s of kernel time with mimalloc against 0.39-0.40 s; 10.5-10.7 s of
  CPU against 9.2-9.6 s;
- later passes in one process: about the same with either (0.87-0.94 s).

The choice belongs to whoever owns the process. The core library never makes it, so the
edges do: ``truce check``, ``truce demo`` and the bench call :func:`prefer_system_allocator`
once at start.
"""

from __future__ import annotations

import os

import pyarrow as pa

ENVIRONMENT = "ARROW_DEFAULT_MEMORY_POOL"
"""Arrow's own setting. When the user has set it, their choice stands."""


def prefer_system_allocator() -> str:
    """Allocate Arrow buffers from the C library's allocator for the rest of this process,
    unless ``ARROW_DEFAULT_MEMORY_POOL`` names another. Returns the pool now in use."""
    if not os.environ.get(ENVIRONMENT):
        pa.set_memory_pool(pa.system_memory_pool())
    return str(pa.default_memory_pool().backend_name)
