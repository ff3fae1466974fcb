"""Speed and memory of corroboration on 1 and 10 million reports, and a check against brute force.

The reports are built by ``bench/corroboration_synthetic.py``: synthetic incidents at real places
(dense around the cities where most real events were recorded), reported by a mix of sources at
a mix of precisions, plus the real NASA FIRMS MODIS fire detections. Each size is generated once
and cached as Parquet; each timing runs in a fresh process, so its peak memory (``ru_maxrss``,
which includes reading the Parquet file) is its own. Only the columns corroboration reads are
read (``CORROBORATION_COLUMNS``: all but ``raw``), those of few distinct values
dictionary-encoded (:func:`read_reports`). The load average is printed before and after each
run: the machine is shared, and figures taken under load are slower. ``peak_rss_mb`` is in MiB
(``ru_maxrss`` / 1024); the summary line gives it in GB (10**9 bytes) too. Each timed process
has the memory settings of the ``truce`` command (:mod:`truce.memory`). The compiled
kernels (numba) are compiled once and cached on disk; a small warm-up run in the parent process
makes sure the timed runs load them rather than compile them.

The brute-force check takes the busiest place of the data over a few weeks (a few thousand
reports, crowded enough that most match), groups them with the fast grouping and with
:func:`truce.verification.naive.naive_grouping`, and compares every report's leader, role and
candidate count.

Run: ``.venv/bin/python bench/corroborate.py [--sizes 1000000 10000000] [--sample 3000]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corroboration_synthetic import bench_reports  # noqa: E402

from truce.memory import (  # noqa: E402
    ARROW_POOL_VARIABLE,
    prefer_jemalloc,
    return_freed_memory,
)
from truce.verification import CORROBORATION_COLUMNS, corroborate  # noqa: E402
from truce.verification.config import CorroborationConfig  # noqa: E402
from truce.verification.grouping import group_reports  # noqa: E402
from truce.verification.naive import naive_grouping  # noqa: E402
from truce.verification.reports import REQUIRED_COLUMNS, report_arrays  # noqa: E402

CACHE = Path(os.environ.get("TRUCE_BENCH_CACHE", "/tmp/truce-bench-corroborate"))


def cached(count: int) -> Path:
    """The Parquet file of ``count`` reports, generated on first use."""
    path = CACHE / f"reports-{count}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        pq.write_table(bench_reports(count), path)
        print(f"generated {count:,} reports in {time.perf_counter() - started:.0f} s -> {path}")
    return path


DICTIONARY_COLUMNS = ("source", "kind", "outcome", "time_zone", "time_precision", "area_precision")
"""String columns of few distinct values, read dictionary-encoded (as Parquet stores them)."""


def empty_columns(path: Path) -> set[str]:
    """The optional columns (not in :data:`REQUIRED_COLUMNS`) that hold no value in any row,
    from the file's statistics: corroboration treats a column it lacks as one of nulls."""
    meta = pq.ParquetFile(path).metadata
    empty = set()
    for i in range(meta.num_columns):
        name = meta.schema.column(i).path
        if name in REQUIRED_COLUMNS or name not in CORROBORATION_COLUMNS:
            continue
        chunks = [meta.row_group(g).column(i) for g in range(meta.num_row_groups)]
        if all(
            c.statistics is not None
            and c.statistics.has_null_count
            and c.statistics.null_count == meta.row_group(g).num_rows
            for g, c in enumerate(chunks)
        ):
            empty.add(name)
    return empty


def narrow_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary columns of fewer than 128 distinct values (over all chunks) with int8
    indices instead of Parquet's int32: a quarter of the memory, the same values."""
    for index, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type) or field.type.index_type == pa.int8():
            continue
        column = table.column(index)
        values = pa.chunked_array([c.dictionary for c in column.chunks], field.type.value_type)
        if len(pc.unique(values)) < 128:
            narrow = pa.dictionary(pa.int8(), field.type.value_type)
            table = table.set_column(index, field.with_type(narrow), column.cast(narrow))
    return table


def read_reports(path: Path) -> pa.Table:
    """The columns of the file that corroboration reads (:data:`CORROBORATION_COLUMNS`) less
    the optional ones no row fills (:func:`empty_columns`), those of few distinct values
    dictionary-encoded (with int8 indices: :func:`narrow_dictionaries`); then the memory the
    Parquet reader used for its buffers and no longer needs is handed back, so that the peak
    measures corroboration."""
    empty = empty_columns(path)
    columns = [name for name in CORROBORATION_COLUMNS if name not in empty]
    # row group by row group: the same table (one chunk per row group, as ``read_table`` gives)
    # with about 0.5 GB less left behind at 10 M in the allocator by the reader's buffers
    file = pq.ParquetFile(path, read_dictionary=list(DICTIONARY_COLUMNS), pre_buffer=False)
    parts = [file.read_row_group(i, columns=columns) for i in range(file.num_row_groups)]
    table = narrow_dictionaries(pa.concat_tables(parts))
    del parts
    pa.default_memory_pool().release_unused()
    return table


def time_one(path: Path) -> dict[str, object]:
    """Corroborate the file's reports once; runs in its own process (see :func:`main`)."""
    table = read_reports(path)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    result = corroborate(table)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    sizes = np.asarray(result.incidents["report_count"].to_numpy())
    grades = Counter(result.incidents["grade"].to_pylist())
    return {
        "reports": table.num_rows,
        "incidents": result.incidents.num_rows,
        "largest_incident": int(sizes.max()),
        "incidents_over_50": int((sizes > 50).sum()),
        "grades": dict(grades),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_after_reading_mb": round(rss_loaded),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def warm_up(path: Path) -> None:
    """Corroborate a few reports once, so that the compiled kernels are in the disk cache."""
    corroborate(read_reports(path).slice(0, 2_000))


def brute_force_check(path: Path, sample: int) -> dict[str, object]:
    """Fast and brute-force grouping of the busiest corner of the data agree, report by report."""
    table = read_reports(path)
    lon = np.round(np.nan_to_num(table["lon"].to_numpy(zero_copy_only=False)), 1)
    lat = np.round(np.nan_to_num(table["lat"].to_numpy(zero_copy_only=False)), 1)
    cells = Counter(zip(lon.tolist(), lat.tolist(), strict=True))
    (busy_lon, busy_lat), _ = cells.most_common(1)[0]
    near = (np.abs(lon - busy_lon) <= 0.3) & (np.abs(lat - busy_lat) <= 0.2)
    rows = table.filter(pa.array(near))
    keys = [("time_start", "ascending"), ("event_id", "ascending")]
    order = pc.sort_indices(rows, sort_keys=keys)
    rows = rows.take(order).slice(0, sample)
    arrays = report_arrays(rows, CorroborationConfig())
    started = time.perf_counter()
    fast = group_reports(arrays)
    fast_seconds = time.perf_counter() - started
    started = time.perf_counter()
    slow = naive_grouping(arrays)
    slow_seconds = time.perf_counter() - started
    same = (
        np.array_equal(fast.leader, slow.leader)
        and np.array_equal(fast.role, slow.role)
        and np.array_equal(fast.candidates, slow.candidates)
        and np.array_equal(fast.representative, slow.representative)
    )
    return {
        "sample": rows.num_rows,
        "place": f"{busy_lon:.1f} E {busy_lat:.1f} N",
        "incidents": len(set(fast.leader.tolist())),
        "largest_incident": int(np.bincount(fast.leader).max()),
        "equal": bool(same),
        "fast_seconds": round(fast_seconds, 3),
        "naive_seconds": round(slow_seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--sample", type=int, default=3_000, help="reports checked by brute force")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (best is kept)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        if ARROW_POOL_VARIABLE not in os.environ:
            # run directly: start again with Arrow's pool chosen before pyarrow loads, as the
            # parent does for its runs and the ``truce`` command for itself (truce.memory)
            environ = dict(os.environ)
            prefer_jemalloc(environ)
            os.execve(sys.executable, [sys.executable, *sys.argv], environ)
        return_freed_memory()
        print(json.dumps(time_one(args.one)))
        return 0
    warm_up(cached(args.sizes[0]))
    for count in args.sizes:
        path = cached(count)
        runs = []
        for _ in range(args.repeat):
            environ = dict(os.environ)
            prefer_jemalloc(environ)
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(path)],
                env=environ,
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]))
        best = min(runs, key=lambda r: float(r["seconds"]))
        print(
            f"{count:,} reports: best {best['seconds']} s ({best['cpu_seconds']} s CPU), "
            f"peak RSS {best['peak_rss_mb']} MiB ({best['peak_rss_mb'] * 1.048576 / 1000:.2f} GB), "
            f"largest incident {best['largest_incident']}, "
            f"load {best['load_before']} -> {best['load_after']}"
        )
    check = brute_force_check(cached(args.sizes[0]), args.sample)
    print("brute force:", json.dumps(check))
    return 0 if check["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
