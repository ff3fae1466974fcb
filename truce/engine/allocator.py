"""Which allocator Arrow's buffers come from while a check runs.

pyarrow allocates from mimalloc by default. In a check, every batch allocates and frees some
tens of megabytes of findings columns and explanation text. mimalloc gives that memory back to
the operating system and then faults it in again as fresh huge pages, so the kernel keeps
zeroing pages. The C library's allocator keeps the memory and reuses it.

Measured with `bench/check.py`'s inputs and its engine worker, each pool chosen through
``ARROW_DEFAULT_MEMORY_POOL``, runs alternated (7 December 2026):

- as ``truce check`` runs (events read ahead and findings written behind, each on a second
  thread), 1.26 M events to Parquet: 0.87-1.26 s wall and 1.14-1.42 s of CPU with the system
  allocator, against 1.19-1.65 s and 1.59-1.69 s with mimalloc (three runs each);
- on one thread: within the noise at 1.26 M (1.12-1.50 s of CPU against 1.26-1.49 s), about
  2% less at 10 M (10.01-10.11 s against 10.26-10.35 s);
- a fresh process's kernel time on its first 1.26 M pass (``getrusage``): 0.13-0.14 s against
  0.26-0.36 s.

The choice belongs to whoever owns the process. The core library never makes it, so the
edges do: ``truce check`` and the bench call :func:`prefer_system_allocator`
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
