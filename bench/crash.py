"""Crash harness: imports killed with SIGKILL at random moments lose nothing they acknowledged.

    python bench/crash.py --runs 200 --backend sqlite
    python bench/crash.py --runs 200 --backend postgresql [--database URL]

Each run makes a fresh workspace (a SQLite file, or a fresh schema on the PostgreSQL server at
``--database``, default ``TRUCE_TEST_POSTGRES_URL`` or postgres@127.0.0.1/test) and starts a child
process importing a generated FIRMS file (``--rows`` good rows and a few bad ones) in chunks of
``--chunk-rows``, signing a checkpoint every few chunks. The child prints an acknowledgement
(event id and content hash) for every event right after each commit. The parent kills the child
with SIGKILL at a random moment of the import (after a random number of acknowledged chunks, a
random fraction of a chunk's time later, so kills land anywhere, commits included), then checks:

* the database's own integrity check (SQLite ``PRAGMA integrity_check`` and
  ``foreign_key_check``; PostgreSQL ``amcheck`` on every index plus a heap-versus-index count);
* every acknowledged event is present and unchanged (its content hash recomputed from the row);
* ``ledger verify`` passes: every record against its leaf, the tree, every checkpoint's signature,
  root and consistency with the one before;
* resuming the import finishes it with no duplicates and nothing missing, every bad row
  quarantined once, and the ledger verifies again.

It prints the counts of lost, corrupt and duplicate events and of failed checks; the exit status
is 1 if any is not zero.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from truce.workspace import ChunkCommitted, Workspace, import_file  # noqa: E402
from truce.workspace.eventblocks import stored_events  # noqa: E402
from truce.workspace.eventrows import stored_hashes  # noqa: E402
from truce.workspace.ledger import make_checkpoint  # noqa: E402
from truce.workspace.schema import events, quarantine  # noqa: E402
from truce.workspace.verify import verify_workspace  # noqa: E402

DEFAULT_POSTGRES = os.environ.get(
    "TRUCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BAD_ROWS = ("95.5,30.1,2023-01-02", "x,y", "50,31,2023-02-30", "48.1,-200,2023-03-03")
CHECKPOINT_EVERY = 4


def firms_rows(count: int) -> list[str]:
    """``count`` distinct valid FIRMS rows."""
    rows = []
    for number in range(count):
        lat = 44.5 + (number % 1000) * 0.007
        lon = 22.5 + (number // 1000) * 0.011
        rows.append(f"{lat:.4f},{lon:.4f},2023-{1 + number % 12:02d}-{1 + number % 28:02d}")
    return rows


def write_source(folder: Path, rows: int) -> Path:
    """The generated FIRMS file: good rows with the bad rows spread among them."""
    lines = firms_rows(rows)
    for position, bad in enumerate(BAD_ROWS, start=1):
        lines.insert(position * len(lines) // (len(BAD_ROWS) + 1), bad)
    path = folder / "fires.csv"
    path.write_text("latitude,longitude,acq_date\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def child(workspace_dir: str, source: str, chunk_rows: int) -> None:
    """The child: import with acknowledgements after every commit, checkpoints now and then."""
    commits = 0
    with Workspace.open(workspace_dir) as workspace:

        def acknowledge(chunk: ChunkCommitted) -> None:
            nonlocal commits
            pairs = zip(chunk.event_ids, chunk.content_hashes, strict=True)
            lines = [f"ACK {event_id} {digest.hex()}" for event_id, digest in pairs]
            lines.append(f"CHUNK {chunk.rows_done}")
            print("\n".join(lines), flush=True)
            commits += 1
            if commits % CHECKPOINT_EVERY == 0:
                checkpoint = make_checkpoint(workspace)
                print(f"CHECKPOINT {checkpoint.size}", flush=True)

        print("START", flush=True)
        import_file(workspace, source, "firms", chunk_rows=chunk_rows, on_commit=acknowledge)
    print("DONE", flush=True)


@dataclass
class Tally:
    """Counts over all runs."""

    runs: int = 0
    killed_mid_import: int = 0
    acknowledged: int = 0
    lost: int = 0
    corrupt: int = 0
    duplicates: int = 0
    missing_after_resume: int = 0
    integrity_failures: int = 0
    ledger_failures: int = 0
    quarantine_failures: int = 0
    problems: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        """True when nothing was lost, corrupted, duplicated or failed."""
        return not (
            self.lost
            or self.corrupt
            or self.duplicates
            or self.missing_after_resume
            or self.integrity_failures
            or self.ledger_failures
            or self.quarantine_failures
        )


class Backend:
    """Fresh databases for runs: SQLite files or PostgreSQL schemas."""

    def __init__(self, kind: str, folder: Path, postgres_url: str) -> None:
        self.kind = kind
        self.folder = folder
        self.admin = (
            sa.create_engine(_psycopg(postgres_url), poolclass=sa.NullPool)
            if kind == "postgresql"
            else None
        )
        self.postgres_url = postgres_url
        if self.admin is not None:
            with self.admin.begin() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")

    def fresh(self, run: int) -> tuple[str | None, str]:
        """``(database URL or None for SQLite, name)`` of a new database."""
        if self.admin is None:
            return None, f"run{run}"
        schema = f"truce_crash_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sa.make_url(_psycopg(self.postgres_url)).update_query_dict(
            {"options": f"-csearch_path={schema},public"}
        )
        return url.render_as_string(hide_password=False), schema

    def drop(self, name: str) -> None:
        """Drop a run's database."""
        if self.admin is not None:
            with self.admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _psycopg(url: str) -> str:
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def run_child(
    workspace_dir: Path, source: Path, chunk_rows: int, kill_at: tuple[int, float] | None
) -> tuple[dict[int, str], bool, float]:
    """Run the child; with ``kill_at = (chunks, seconds)`` SIGKILL it ``seconds`` after it has
    acknowledged ``chunks`` chunks (so kills fall anywhere in the import, commits included).

    Returns the acknowledged ``{event id: content hash}``, whether it finished, and how long
    the import ran.
    """
    arguments = [str(workspace_dir), str(source), str(chunk_rows)]
    command = [sys.executable, __file__, "--child", *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    acknowledged: dict[int, str] = {}
    reached = threading.Event()
    finished = threading.Event()
    begin = [0.0]
    wanted = kill_at[0] if kill_at else -1

    def read() -> None:
        assert process.stdout is not None
        chunks = 0
        for line in process.stdout:
            if not line.endswith("\n"):
                break  # cut off by the kill: not an acknowledgement
            kind, *fields = line.split()
            if kind == "ACK":
                acknowledged[int(fields[0])] = fields[1]
            elif kind == "START":
                begin[0] = time.monotonic()
            elif kind == "DONE":
                finished.set()
            if kind == "CHUNK":
                chunks += 1
            if (kind == "START" and wanted == 0) or (kind == "CHUNK" and chunks == wanted):
                reached.set()
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if kill_at is not None:
        reached.wait(timeout=600)
        finished.wait(timeout=kill_at[1])
        if not finished.is_set() and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    process.wait()
    reader.join()
    return acknowledged, finished.is_set(), time.monotonic() - begin[0]


def check_run(
    workspace: Workspace, acknowledged: dict[int, str], expected: int, source: Path, tally: Tally
) -> None:
    """Every check after a kill, then the resume and the checks after it."""
    problems = workspace.store.integrity_check()
    if problems:
        tally.integrity_failures += 1
        tally.problems.update(f"integrity: {p}" for p in problems)
    with workspace.store.read() as conn:
        table = stored_events(conn, list(acknowledged))
    ids = table.column("id").to_pylist()
    found = {i: h[1].hex() for i, h in zip(ids, stored_hashes(table), strict=True)}
    tally.acknowledged += len(acknowledged)
    tally.lost += sum(1 for i in acknowledged if i not in found)
    tally.corrupt += sum(1 for i, digest in acknowledged.items() if found.get(i, digest) != digest)
    _verify(workspace, tally, "after the kill")
    import_file(workspace, source, "firms")
    make_checkpoint(workspace)
    with workspace.store.read() as conn:
        stored = int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())
        bad = int(conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar_one())
    tally.duplicates += max(stored - expected, 0)
    tally.missing_after_resume += max(expected - stored, 0)
    if bad != len(BAD_ROWS):
        tally.quarantine_failures += 1
        tally.problems[f"quarantine holds {bad} rows, not {len(BAD_ROWS)}"] += 1
    _verify(workspace, tally, "after the resume")


def _verify(workspace: Workspace, tally: Tally, when: str) -> None:
    report = verify_workspace(workspace)
    if not report.ok:
        tally.ledger_failures += 1
        tally.problems.update(f"ledger {when}: {p.type}" for p in report.problems)


def main() -> int:
    """Run the harness; print the tally; exit 1 on any loss, corruption or failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--chunk-rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the tally as JSON")
    args = parser.parse_args()
    randomness = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="truce-crash-"))
    tally = Tally()
    try:
        source = write_source(folder, args.rows)
        backend = Backend(args.backend, folder, args.database)
        duration = _calibrate(backend, folder, source, args.chunk_rows)
        for run in range(args.runs):
            database, name = backend.fresh(run)
            workspace_dir = folder / f"ws{run}"
            Workspace.create(workspace_dir, database=database).close()
            chunks = -(-(args.rows + len(BAD_ROWS)) // args.chunk_rows)
            kill_at = (randomness.randrange(chunks), randomness.uniform(0.0, duration / chunks))
            acknowledged, finished, _ = run_child(workspace_dir, source, args.chunk_rows, kill_at)
            tally.runs += 1
            tally.killed_mid_import += not finished
            with Workspace.open(workspace_dir) as workspace:
                check_run(workspace, acknowledged, args.rows, source, tally)
            backend.drop(name)
            shutil.rmtree(workspace_dir, ignore_errors=True)
            if not args.json:
                print(
                    f"run {run + 1}/{args.runs}: killed {kill_at[1] * 1000:.0f} ms after "
                    f"chunk {kill_at[0]} "
                    f"({'finished first' if finished else 'mid-import'}), "
                    f"{len(acknowledged)} acknowledged",
                    flush=True,
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    document = {
        "backend": args.backend,
        "rows": args.rows,
        "chunk_rows": args.chunk_rows,
        **{k: v for k, v in tally.__dict__.items() if k != "problems"},
        "problems": dict(tally.problems),
        "ok": tally.ok,
    }
    print(json.dumps(document, indent=None if args.json else 2))
    return 0 if tally.ok else 1


def _calibrate(backend: Backend, folder: Path, source: Path, chunk_rows: int) -> float:
    """How long an uninterrupted import takes (kill moments are drawn from 0 to that)."""
    database, name = backend.fresh(-1)
    workspace_dir = folder / "calibration"
    Workspace.create(workspace_dir, database=database).close()
    _, finished, duration = run_child(workspace_dir, source, chunk_rows, None)
    if not finished:
        raise SystemExit("the calibration import did not finish")
    with Workspace.open(workspace_dir) as workspace, workspace.store.read() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    if stored <= 0:
        raise SystemExit("the calibration import stored nothing")
    backend.drop(name)
    shutil.rmtree(workspace_dir, ignore_errors=True)
    return duration


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())
