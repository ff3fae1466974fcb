"""Imports that lose nothing: idempotent, resumable, bad rows quarantined and retried."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.workspace.builders import firms_row, good_feature, write_features, write_firms
from truce.cli.workspace import import_command, quarantine_group
from truce.errors import InputError
from truce.workspace import ChunkCommitted, Workspace, import_file
from truce.workspace.eventblocks import stored_events
from truce.workspace.eventrows import iter_event_batches
from truce.workspace.ledger import make_checkpoint, prove
from truce.workspace.quarantine import list_quarantine, retry
from truce.workspace.schema import events, imports
from truce.workspace.verify import verify_workspace

BUNDLED = Path(__file__).parents[2] / "data" / "events"


def _count(workspace: Workspace, table: sa.Table = events) -> int:
    with workspace.store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_importing_the_same_file_twice_adds_nothing(workspace: Workspace) -> None:
    csv = BUNDLED / "moratorium-2025-incidents.csv"
    first = import_file(workspace, csv, "csv")
    assert first.accepted == first.rows_read > 0
    assert first.quarantined_total == 0
    second = import_file(workspace, csv, "csv")
    assert (second.accepted, second.duplicates) == (0, first.rows_read)
    assert _count(workspace) == first.accepted
    assert verify_workspace(workspace).ok
    make_checkpoint(workspace)
    with workspace.store.read() as conn:
        own_id = stored_events(conn, [3], ["event_id"]).column("event_id")[0].as_py()
    assert prove(workspace, own_id)["record"] == "event:3"


def test_a_file_with_repeated_rows_counts_duplicates(workspace: Workspace, tmp_path: Path) -> None:
    rows = [firms_row(i) for i in range(10)]
    summary = import_file(workspace, write_firms(tmp_path / "f.csv", rows + rows[:4]), "firms")
    assert (summary.rows_read, summary.accepted, summary.duplicates) == (14, 10, 4)


def test_moved_rows_are_still_duplicates(workspace: Workspace, tmp_path: Path) -> None:
    rows = [firms_row(i) for i in range(30)]
    import_file(workspace, write_firms(tmp_path / "a.csv", rows), "firms")
    reordered = write_firms(tmp_path / "b.csv", [firms_row(99), *reversed(rows)])
    summary = import_file(workspace, reordered, "firms")
    assert (summary.accepted, summary.duplicates) == (1, 30)


def test_one_stored_row_among_new_ones_is_a_duplicate(workspace: Workspace, tmp_path: Path) -> None:
    """A chunk of new rows holding one stored row (once missed by a sampled probe; now every
    identity is checked in memory): the row counts as a duplicate, ids stay dense."""
    old = [firms_row(i) for i in range(30)]
    import_file(workspace, write_firms(tmp_path / "a.csv", old), "firms")
    new = [firms_row(100 + i) for i in range(40)]
    mixed = [*new[:7], old[12], *new[7:]]  # position 7 of 41 is not among the sampled rows
    summary = import_file(workspace, write_firms(tmp_path / "b.csv", mixed), "firms")
    assert (summary.rows_read, summary.accepted, summary.duplicates) == (41, 40, 1)
    with workspace.store.read() as conn:
        ids = list(conn.execute(sa.select(events.c.id).order_by(events.c.id)).scalars())
    assert ids == list(range(1, 71))
    assert verify_workspace(workspace).ok


def test_bad_rows_are_quarantined_with_file_row_raw_and_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_firms(
        tmp_path / "fires.csv",
        [firms_row(1), "95.5,30.1,2023-01-02", firms_row(2), "50,31,2023-02-30", "oops"],
    )
    summary = import_file(workspace, path, "firms", chunk_rows=2)
    assert (summary.rows_read, summary.accepted) == (5, 2)
    assert dict(summary.quarantined) == {"bad-number": 1, "bad-date": 1, "missing-field": 1}
    entries = list_quarantine(workspace)
    assert [(e.row, e.raw) for e in entries] == [
        (3, b"95.5,30.1,2023-01-02"),
        (5, b"50,31,2023-02-30"),
        (6, b"oops"),
    ]
    assert all(e.file == str(path.absolute()) for e in entries)
    assert "latitude" in entries[0].reason
    again = import_file(workspace, path, "firms")
    assert again.quarantined_total == 3
    assert len(list_quarantine(workspace, None)) == 3  # quarantined once per file and row


def test_retry_a_corrected_row(workspace: Workspace, tmp_path: Path) -> None:
    path = write_firms(tmp_path / "fires.csv", [firms_row(1), "95.5,30.1,2023-01-02"])
    import_file(workspace, path, "firms")
    (entry,) = list_quarantine(workspace)
    with pytest.raises(InputError, match="still rejected"):
        retry(workspace, entry.id, "95.5,30.1,2023-01-03")
    event_id = retry(workspace, entry.id, "45.5,30.1,2023-01-02")
    assert list_quarantine(workspace) == []
    (resolved,) = list_quarantine(workspace, "resolved")
    assert resolved.resolved_event_id == event_id
    with workspace.store.read() as conn:
        (batch,) = list(iter_event_batches(conn))
    stored = batch.to_pylist()[-1]
    assert (stored["lat"], stored["event_id"], stored["source_record"]) == (
        45.5,
        "firms-modis:3",
        "3",
    )
    with pytest.raises(InputError, match="resolved"):
        retry(workspace, entry.id, "45.5,30.1,2023-01-02")
    assert verify_workspace(workspace).ok


def test_retry_of_a_row_that_duplicates_a_stored_event_resolves_to_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The corrected row says what a stored event says: nothing is added, and the entry is
    resolved to that event (found through the identity run that holds its hash)."""
    rows = [firms_row(n) for n in range(30)]
    import_file(workspace, write_firms(tmp_path / "a.csv", rows[:20]), "firms", chunk_rows=7)
    path = write_firms(tmp_path / "b.csv", [*rows[20:], "95.5,30.1,2023-01-02"])
    import_file(workspace, path, "firms")
    (entry,) = list_quarantine(workspace)
    with workspace.store.read() as conn:
        before = stored_events(conn, columns=["raw"])
    assert before.num_rows == 30
    event_id = retry(workspace, entry.id, rows[12])
    assert event_id == 13
    (resolved,) = list_quarantine(workspace, "resolved")
    assert resolved.resolved_event_id == 13
    with workspace.store.read() as conn:
        assert stored_events(conn, columns=["raw"]).equals(before)
    assert verify_workspace(workspace).ok


def test_retry_a_geojson_feature(workspace: Workspace, tmp_path: Path) -> None:
    bad = good_feature(2)
    bad["properties"] = {"kind": "bombardment", "time_start": "2025-03-02T10:00:00Z"}
    path = write_features(tmp_path / "reports.geojson", [good_feature(1), bad])
    import_file(workspace, path, "geojson")
    (entry,) = list_quarantine(workspace)
    fixed = json.dumps(good_feature(2))
    event_id = retry(workspace, entry.id, fixed)
    with workspace.store.read() as conn:
        (row,) = stored_events(conn, [event_id]).to_pylist()
    assert (row["source"], row["event_id"], row["kind"]) == ("reports", "reports:2", "artillery")


def test_reimporting_a_corrected_file_supersedes_its_quarantine(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "fires.csv"
    write_firms(path, [firms_row(1), "95.5,30.1,2023-01-02", firms_row(2)])
    import_file(workspace, path, "firms")
    write_firms(path, [firms_row(1), "45.5,30.1,2023-01-02", firms_row(2)])
    summary = import_file(workspace, path, "firms")
    assert (summary.accepted, summary.duplicates, summary.quarantined_total) == (1, 2, 0)
    assert list_quarantine(workspace) == []
    assert [e.status for e in list_quarantine(workspace, None)] == ["superseded"]


class _Interrupted(Exception):
    pass


def test_an_interrupted_import_resumes_without_duplicates(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [firms_row(i) for i in range(50)]
    rows[17] = "bad,row,here"
    path = write_firms(tmp_path / "fires.csv", rows)
    acknowledged: list[ChunkCommitted] = []

    def stop_after_two(chunk: ChunkCommitted) -> None:
        acknowledged.append(chunk)
        if len(acknowledged) == 2:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        import_file(workspace, path, "firms", chunk_rows=10, on_commit=stop_after_two)
    assert _count(workspace) == 19
    with workspace.store.read() as conn:
        state = conn.execute(sa.select(imports.c.status, imports.c.rows_done)).one()
    assert tuple(state) == ("running", 20)
    summary = import_file(workspace, path, "firms", chunk_rows=10)
    assert summary.resumed_from_row == 20
    assert (summary.rows_read, summary.accepted, summary.duplicates) == (30, 30, 0)
    assert _count(workspace) == 49
    assert len(list_quarantine(workspace)) == 1
    assert verify_workspace(workspace).ok


def test_unknown_format_and_missing_mapping(workspace: Workspace, tmp_path: Path) -> None:
    path = write_firms(tmp_path / "fires.csv", [firms_row(1)])
    with pytest.raises(InputError, match="unknown import format"):
        import_file(workspace, path, "xlsx")
    with pytest.raises(InputError, match="column mapping not found"):
        import_file(workspace, path, "csv")
    with pytest.raises(InputError, match="no such file"):
        import_file(workspace, tmp_path / "missing.csv", "firms")


def test_a_nul_character_is_quarantined_not_crashed(workspace: Workspace, tmp_path: Path) -> None:
    path = write_features(tmp_path / "nul.geojson", [good_feature(1)])
    feature = good_feature(2)
    feature["properties"]["text"] = "before\x00after"  # type: ignore[index]
    write_features(path, [good_feature(1), feature])
    summary = import_file(workspace, path, "geojson")
    assert (summary.accepted, dict(summary.quarantined)) == (1, {"nul-character": 1})
    (entry,) = list_quarantine(workspace)
    assert b"before" in entry.raw


def test_cli_import_and_quarantine(workspace: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    shutil.copy(BUNDLED / "moratorium-2025-incidents.csv", tmp_path / "m.csv")
    shutil.copy(BUNDLED / "moratorium-2025-incidents.mapping.yaml", tmp_path / "m.map.yaml")
    ws = ["--workspace", str(workspace.root)]
    args = ["--format", "csv", "--mapping", str(tmp_path / "m.map.yaml"), str(tmp_path / "m.csv")]
    result = runner.invoke(import_command, [*args, *ws, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accepted"] == 13
    path = write_firms(tmp_path / "fires.csv", [firms_row(1), "95,30,2023-01-02"])
    result = runner.invoke(import_command, ["--format", "firms", str(path), *ws])
    assert result.exit_code == 0, result.output
    assert "1 accepted, 0 duplicates, 1 quarantined (bad-number 1)" in result.output
    listed = json.loads(runner.invoke(quarantine_group, ["list", "--json", *ws]).output)
    rows = [(e["row"], e["raw"], e["type"]) for e in listed]
    assert rows == [(3, "95,30,2023-01-02", "bad-number")]
    result = runner.invoke(
        quarantine_group, ["retry", str(listed[0]["id"]), "--raw", "45,30,2023-01-02", *ws]
    )
    assert result.exit_code == 0, result.output
    assert "imported as event:15" in result.output


def test_negative_zero_and_extreme_values_verify(workspace: Workspace, tmp_path: Path) -> None:
    feature = good_feature(3)
    feature["geometry"] = {"type": "Point", "coordinates": [-0.0, -0.0]}
    feature["properties"]["text"] = "ünïcödé ✓ " + "x" * 5000  # type: ignore[index]
    extreme = good_feature(4)
    extreme["geometry"] = {"type": "Point", "coordinates": [-180.0, 89.99999999999999]}
    extreme["properties"]["deaths"] = 2**31 - 1  # type: ignore[index]
    path = write_features(tmp_path / "edge.geojson", [feature, extreme])
    assert import_file(workspace, path, "geojson").accepted == 2
    with workspace.store.read() as conn:
        (batch,) = list(iter_event_batches(conn))
    assert batch.column("lon").to_pylist() == [0.0, -180.0]
    assert verify_workspace(workspace).ok
    assert import_file(workspace, path, "geojson").duplicates == 2
