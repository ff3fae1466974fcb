"""Event identities checked in memory against identity runs (no unique index on ``events``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.workspace.builders import firms_row, good_feature, write_features, write_firms
from truce.errors import StorageError
from truce.io import read_events
from truce.workspace import Workspace, import_file
from truce.workspace.eventblocks import BLOCK_SCHEMA, append_block, stored_events
from truce.workspace.eventrows import PreparedRows, prepare_batch
from truce.workspace.identity import IdentityIndex, _SourceIdentities
from truce.workspace.ingest import insert_events
from truce.workspace.migrate import current_revision, downgrade, head_revision
from truce.workspace.schema import event_identities, events
from truce.workspace.verify import verify_workspace

_PREFIXES = [bytes([n]) * 8 for n in range(3)]  # few prefixes: hits that differ after byte 8
_hashes = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(_PREFIXES),
    st.binary(min_size=24, max_size=24),
)


@given(
    parts=st.lists(st.lists(_hashes, max_size=12), max_size=14),
    queries=st.lists(_hashes, max_size=30),
)
def test_stored_hashes_are_found_and_others_are_not(
    parts: list[list[bytes]], queries: list[bytes]
) -> None:
    """Across many added parts (merged past eight) and prefixes shared by different hashes,
    membership is exactly that of a set of the stored hashes."""
    identities = _SourceIdentities()
    for part in parts:
        if part:
            identities.add(np.frombuffer(b"".join(part), np.uint8).reshape(-1, 32))
    stored = {digest for part in parts for digest in part}
    queries = [*queries, *list(stored)[:10]]
    if not queries:
        return
    found = identities.contains(np.frombuffer(b"".join(queries), np.uint8).reshape(-1, 32))
    assert found.tolist() == [q in stored for q in queries]


def _prepared(tmp_path: Path, numbers: list[int]) -> PreparedRows:
    path = write_firms(
        tmp_path / f"rows-{numbers[0]}-{len(numbers)}.csv", [firms_row(n) for n in numbers]
    )
    (result,) = list(read_events(path, "firms", chunk_rows=1000))
    return prepare_batch(result.batch, str(path), 0)


def test_a_writer_sees_what_another_committed_since_it_last_looked(
    workspace: Workspace, tmp_path: Path
) -> None:
    first, second = IdentityIndex(), IdentityIndex()
    with workspace.store.write() as conn:
        assert (
            insert_events(workspace.store, conn, _prepared(tmp_path, [1, 2]), None, first)[2] == 0
        )
    with workspace.store.write() as conn:  # the other writer stores rows 3 to 7
        ids, _, duplicates = insert_events(
            workspace.store, conn, _prepared(tmp_path, [3, 4, 5, 6, 7]), None, second
        )
        assert (len(ids), duplicates) == (5, 0)
    with workspace.store.write() as conn:  # the first writer, again: 1, 2 (its own) and 5 to 7
        ids, _, duplicates = insert_events(
            workspace.store, conn, _prepared(tmp_path, [1, 2, 5, 6, 7, 8, 9]), None, first
        )
    assert (len(ids), duplicates) == (2, 5)
    assert len(first) == 7  # 8 and 9 are read back from their run by the next refresh
    with workspace.store.read() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    assert count == 9


def _features(tmp_path: Path, numbers: list[int]) -> PreparedRows:
    features = [good_feature(n) for n in numbers]
    folder = tmp_path / f"features-{numbers[0]}-{len(numbers)}"
    folder.mkdir()
    path = write_features(folder / "reports.geojson", features)  # source: the file's name
    (result,) = list(read_events(path, "geojson", chunk_rows=1000))
    return prepare_batch(result.batch, str(path), 0)


def test_a_source_first_seen_late_is_read_whole(workspace: Workspace, tmp_path: Path) -> None:
    """An index that has only looked at one source reads all the runs of another the first
    time a chunk holds it, including runs older than the last run it read."""
    early, late = IdentityIndex(), IdentityIndex()
    with workspace.store.write() as conn:  # run 1: GeoJSON events, by another writer
        insert_events(workspace.store, conn, _features(tmp_path, [1, 2, 3]), None, early)
    with workspace.store.write() as conn:  # run 2: FIRMS events; late reads FIRMS runs only
        insert_events(workspace.store, conn, _prepared(tmp_path, [1, 2]), None, late)
    assert len(late) == 0
    with workspace.store.write() as conn:
        ids, _, duplicates = insert_events(
            workspace.store, conn, _features(tmp_path, [2, 3, 4]), None, late
        )
    assert (len(ids), duplicates) == (1, 2)
    assert len(late) == 5  # FIRMS 1, 2 (its own, read back) and GeoJSON 1 to 3


def test_a_rolled_back_write_leaves_nothing_in_the_index(
    workspace: Workspace, tmp_path: Path
) -> None:
    identities = IdentityIndex()
    prepared = _prepared(tmp_path, [1, 2, 3])

    def killed_after_insert() -> None:
        with workspace.store.write() as conn:
            insert_events(workspace.store, conn, prepared, None, identities)
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_after_insert()
    with workspace.store.write() as conn:
        ids, _, duplicates = insert_events(
            workspace.store, conn, _prepared(tmp_path, [1, 2, 3]), None, identities
        )
    assert (len(ids), duplicates) == (3, 0)
    assert verify_workspace(workspace).ok


def _identities_by_source(
    workspace: Workspace,
) -> tuple[dict[str, list[bytes]], dict[str, list[bytes]]]:
    """Per source, the row hashes of the stored events and those of the identity runs."""
    from_events: dict[str, list[bytes]] = {}
    from_runs: dict[str, list[bytes]] = {}
    with workspace.store.read() as conn:
        wide = sa.Table("events", sa.MetaData(), autoload_with=conn)
        if "source" in wide.c:  # before migration 0005
            stored = conn.execute(sa.select(wide.c.source, wide.c.row_hash).order_by(wide.c.id))
            pairs = [(str(source), bytes(digest)) for source, digest in stored]
        else:
            table = stored_events(conn, columns=["source", "row_hash"])
            pairs = list(
                zip(
                    table.column("source").to_pylist(),
                    table.column("row_hash").to_pylist(),
                    strict=True,
                )
            )
        for source, digest in pairs:
            from_events.setdefault(source, []).append(digest)
        for source, blob in conn.execute(
            sa.select(event_identities.c.source, event_identities.c.hashes).order_by(
                event_identities.c.id
            )
        ):
            blob = bytes(blob)
            from_runs.setdefault(source, []).extend(
                blob[i : i + 32] for i in range(0, len(blob), 32)
            )
    return from_events, from_runs


def test_migration_0004_round_trip(workspace: Workspace, tmp_path: Path) -> None:
    """Down to 0003 the unique key is back and the runs are gone; up again the runs are
    rebuilt from the events, and importing the same files again adds nothing."""
    firms = write_firms(tmp_path / "f.csv", [firms_row(n) for n in range(40)])
    features = write_features(tmp_path / "g.geojson", [good_feature(n) for n in range(25)])
    import_file(workspace, firms, "firms", chunk_rows=15)
    import_file(workspace, features, "geojson", chunk_rows=10)
    before, runs = _identities_by_source(workspace)
    assert before == runs
    assert len(before) == 2
    downgrade(workspace.store, "0003")
    assert current_revision(workspace.store) == "0003"
    with workspace.store.read() as conn:
        assert not sa.inspect(conn).has_table("event_identities")
    with workspace.store.read() as conn:
        wide = sa.Table("events", sa.MetaData(), autoload_with=conn)
        row = dict(conn.execute(sa.select(wide).where(wide.c.id == 3)).one()._mapping)

    def insert_copy() -> None:
        with workspace.store.write() as conn:
            conn.execute(wide.insert().values({**row, "id": 1000}))

    with pytest.raises(StorageError):  # the unique key is back and refuses a copy
        insert_copy()
    workspace.close()
    upgraded = Workspace.open(workspace.root)
    try:
        assert current_revision(upgraded.store) == head_revision()
        after, rebuilt = _identities_by_source(upgraded)
        assert after == before == rebuilt
        again = [import_file(upgraded, firms, "firms"), import_file(upgraded, features, "geojson")]
        assert [(s.accepted, s.duplicates) for s in again] == [(0, 40), (0, 25)]
        assert verify_workspace(upgraded).ok
    finally:
        upgraded.close()


def test_verify_names_a_lost_run_and_a_copied_event(workspace: Workspace, tmp_path: Path) -> None:
    import_file(
        workspace, write_firms(tmp_path / "a.csv", [firms_row(n) for n in range(6)]), "firms"
    )
    import_file(
        workspace, write_firms(tmp_path / "b.csv", [firms_row(n) for n in range(6, 9)]), "firms"
    )
    assert verify_workspace(workspace).ok
    with workspace.store.write() as conn:
        conn.execute(event_identities.delete().where(event_identities.c.id == 2))
        copy = stored_events(conn, [2], BLOCK_SCHEMA.names)
        append_block(workspace.store, conn, 10, None, copy)
    problems = {(p.type, p.where): p.message for p in verify_workspace(workspace).problems}
    assert "event:2, event:10" in problems["identity-duplicate", "event:10"]
    assert (
        "miss 3 stored events (e.g. event:7, event:8, event:9)"
        in problems["identity-runs", "source 'firms-modis'"]
    )
