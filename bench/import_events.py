"""Import bench: a million events into a workspace, each with its ledger leaf; rows/s and memory.

    python bench/import_events.py --rows 1000000 --backend sqlite
    python bench/import_events.py --rows 1000000 --backend postgresql [--database URL]

The events are the first ``--rows`` NASA FIRMS MODIS detections of the shared data set
(``../shared/data/firms_modis_ukraine_yearly``, 1.26 million rows) when it is there, generated
FIRMS rows otherwise. The whole path is measured: reading the CSV, checking and converting each
row, hashing it, the duplicate lookup, inserting events, ledger leaves and tree nodes (SQLite
``executemany``, PostgreSQL ``COPY``), committing every ``--chunk-rows`` rows with
``synchronous=FULL``. Then a checkpoint is signed and the whole ledger verified (timed too).
Peak memory is the process's maximum resident set size. Beside the wall time the bench prints
the import's CPU time in this process (on PostgreSQL the server's own work is not in it) and the
load averages before and after, because the machine it runs on is often shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from truce.workspace import Workspace, import_file  # noqa: E402
from truce.workspace.ledger import make_checkpoint  # noqa: E402
from truce.workspace.verify import verify_workspace  # noqa: E402

FIRMS = (
    ROOT.parent
    / "shared"
    / "data"
    / "firms_modis_ukraine_yearly"
    / "ukr_fires_modis_2000-2023_partial.csv.gz"
)
DEFAULT_POSTGRES = os.environ.get(
    "TRUCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def source_file(folder: Path, rows: int) -> tuple[Path, str]:
    """A FIRMS CSV of ``rows`` rows: the real detections when available, else generated."""
    path = folder / "firms.csv"
    with path.open("w", encoding="utf-8") as target:
        if FIRMS.is_file():
            with gzip.open(FIRMS, "rt", encoding="utf-8") as real:
                for number, line in enumerate(real):
                    if number > rows:
                        break
                    target.write(line)
            return path, f"first {rows} rows of {FIRMS.name}"
        target.write("latitude,longitude,acq_date\n")
        for number in range(rows):
            lat = 44.5 + (number % 4000) * 0.0017
            lon = 22.5 + (number // 4000) * 0.005
            target.write(f"{lat:.4f},{lon:.4f},20{number % 24:02d}-0{1 + number % 9}-15\n")
    return path, f"{rows} generated FIRMS rows"


def postgres_schema(url: str) -> tuple[str, str, sa.Engine]:
    """A fresh schema on the server: ``(workspace URL, schema, admin engine)``."""
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(parsed, poolclass=sa.NullPool)
    schema = f"truce_bench_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), schema, admin


def _load() -> str:
    """The 1, 5 and 15-minute load averages (``/proc/loadavg``), to judge the wall times by."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    """Run the bench and print its figures (text, or one JSON document with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="truce-bench-"))
    admin, schema = None, ""
    try:
        path, described = source_file(folder, args.rows)
        database = None
        if args.backend == "postgresql":
            database, schema, admin = postgres_schema(args.database)
        workspace = Workspace.create(folder / "ws", database=database)
        try:
            load_before = _load()
            started, cpu_started = time.perf_counter(), time.process_time()
            summary = import_file(workspace, path, "firms", chunk_rows=args.chunk_rows)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
            load_after = _load()
            peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            checkpoint = make_checkpoint(workspace)
            checkpoint_seconds = time.perf_counter() - started
            verify_seconds, verified = None, None
            if not args.skip_verify:
                started = time.perf_counter()
                verified = verify_workspace(workspace).ok
                verify_seconds = time.perf_counter() - started
        finally:
            workspace.close()
        figures = {
            "backend": args.backend,
            "source": described,
            "rows_read": summary.rows_read,
            "events_stored": summary.accepted,
            "quarantined": summary.quarantined_total,
            "duplicates": summary.duplicates,
            "ledger_leaves": checkpoint.size,
            "chunk_rows": args.chunk_rows,
            "import_seconds": round(seconds, 2),
            "rows_per_second": round(summary.rows_read / seconds),
            "import_cpu_seconds": round(cpu_seconds, 2),
            "rows_per_cpu_second": round(summary.rows_read / cpu_seconds),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "peak_rss_mib": round(peak_mib),
            "checkpoint_seconds": round(checkpoint_seconds, 2),
            "verify_seconds": None if verify_seconds is None else round(verify_seconds, 2),
            "verified": verified,
            "cpus": os.cpu_count(),
        }
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
