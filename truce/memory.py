"""Process-wide memory settings for runs over millions of reports or events.

They are settings of the process, not of a computation, so the library never makes them on
import: the edges (the ``truce`` command, the benches) make them once, at start.

* :func:`prefer_jemalloc`: Arrow's own allocations (tables, columns) from jemalloc, which hands
  freed pages back to the system after a short delay. Arrow reads the choice when it first
  allocates, so this must come before anything uses pyarrow (the ``truce`` command sets it
  before importing the rest of truce; a bench sets it in the environment of its processes).
* :func:`return_freed_memory`: glibc's ``malloc`` raises its mapping threshold each time a
  large block is freed (up to 32 MiB), so that the arrays of a few MiB that numpy makes and
  frees in a long run end up in the heap, where freed memory stays in the process; a fixed
  threshold keeps every allocation above it in a mapping of its own, returned when freed.

Measured on 10 million reports (``bench/corroborate.py --one``, one process each, load about
1): peak 4,162 MiB with neither, 3,831 MiB with the fixed threshold alone, **3,715 MiB** with
both, at the same speed (24 to 26 s).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import MutableMapping

__all__ = ["ARROW_POOL_VARIABLE", "MMAP_THRESHOLD", "prefer_jemalloc", "return_freed_memory"]

ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
"""The environment variable that chooses Arrow's default memory pool."""

MMAP_THRESHOLD = 4 << 20
"""Allocations of this many bytes or more get a mapping of their own (4 MiB)."""

_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number of the mapping threshold (``malloc.h``)."""


def prefer_jemalloc(environ: MutableMapping[str, str] | None = None) -> None:
    """Ask Arrow for jemalloc in ``environ`` (this process's environment by default), unless a
    pool is already chosen there; a pyarrow built without jemalloc falls back to its default."""
    (os.environ if environ is None else environ).setdefault(ARROW_POOL_VARIABLE, "jemalloc")


def return_freed_memory(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mapping threshold at ``threshold`` bytes; False where the C library is not
    glibc (nothing is changed then)."""
    # the symbols already loaded in this process (libc's among them): no search for the
    # library file, which would start ``ldconfig`` on every start of the command
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))
