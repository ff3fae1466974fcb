"""Reading stored events back: all of them as Arrow, corroboration's columns, and one by id.

    python bench/read_events.py --rows 1000000 [--backend sqlite|postgresql] [--json]

Imports the first ``--rows`` FIRMS detections (as ``import_events.py`` does, chunks of 50,000),
then times, each in CPU and wall seconds: every event as ``EVENT_SCHEMA`` batches
(``iter_event_batches``: what adjudication and ``truce check --on reports`` read), the columns
corroboration reads (``_all_reports``), and ``--lookups`` events read one at a time by id (as
``ledger prove``, ``incidents show`` and evidence links do), and five found by their own
``event_id`` text (``ids_named``, which reads that column of every block). Runs against the
code it is in, so the same command compares two commits (before blocks, events were rows of
``events``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_events import DEFAULT_POSTGRES, postgres_schema, source_file  # noqa: E402

from truce.workspace import Workspace, import_file  # noqa: E402
from truce.workspace.eventblocks import ids_named, stored_events  # noqa: E402
from truce.workspace.eventrows import iter_event_batches  # noqa: E402
from truce.workspace.incidents import _all_reports  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), _cpu()
    result = work()
    return round(time.perf_counter() - wall, 3), round(_cpu() - cpu, 3), result


def _one_by_id(conn: Any) -> Callable[[int], Any]:
    """Reading one whole event by id, with the code at hand."""
    try:
        from truce.workspace.eventblocks import stored_events
    except ImportError:  # before events were stored in blocks
        import sqlalchemy as sa

        from truce.workspace.schema import events

        return lambda i: conn.execute(sa.select(events).where(events.c.id == i)).one()
    return lambda i: stored_events(conn, [i]).to_pylist()[0]


def main() -> int:
    """Run the bench and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database", default=DEFAULT_POSTGRES)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="truce-read-bench-"))
    admin = None
    try:
        path, _ = source_file(folder, options.rows)
        database = None
        if options.backend == "postgresql":
            database, schema, admin = postgres_schema(options.database)
        workspace = Workspace.create(folder / "ws", database=database)
        try:
            import_file(workspace, path, "firms", chunk_rows=50_000)
            figures: dict[str, Any] = {"backend": options.backend, "rows": options.rows}
            with workspace.store.read() as conn:
                wall, cpu, count = _timed(lambda: sum(b.num_rows for b in iter_event_batches(conn)))
                figures["all_batches"] = {"wall_s": wall, "cpu_s": cpu, "events": count}
                wall, cpu, result = _timed(lambda: _all_reports(conn))
                figures["corroboration_columns"] = {
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "events": result[0].num_rows,
                }
                picked = random.Random(5).sample(range(1, count + 1), min(options.lookups, count))
                read = _one_by_id(conn)
                wall, cpu, _ = _timed(lambda: [read(i) for i in picked])
                figures["by_id"] = {
                    "lookups": len(picked),
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "us_each": round(wall / len(picked) * 1e6),
                }
                if picked:
                    names = stored_events(conn, picked[:5], ["event_id"]).column("event_id")
                    wall, cpu, found = _timed(
                        lambda: [ids_named(conn, name) for name in names.to_pylist()]
                    )
                    figures["by_event_id_text"] = {
                        "lookups": len(names),
                        "wall_s": wall,
                        "cpu_s": cpu,
                        "ms_each": round(wall / max(len(names), 1) * 1e3, 1),
                        "found": sum(len(ids) for ids in found),
                    }
        finally:
            workspace.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures) if options.json else json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
