"""Events stored in blocks: reading them back, by id and in bulk, and migration 0005 both ways."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workspace.builders import firms_row, good_feature, write_features, write_firms
from truce.workspace import Workspace, import_file
from truce.workspace.eventblocks import (
    BATCH_ROWS,
    BLOCK_ROWS,
    BLOCK_SCHEMA,
    COLUMNS,
    Block,
    BlockUnreadable,
    encode_block,
    ids_named,
    stored_events,
)
from truce.workspace.eventrows import iter_event_batches, stored_hashes
from truce.workspace.ledger import make_checkpoint, prove
from truce.workspace.migrate import current_revision, downgrade, head_revision
from truce.workspace.schema import event_blocks
from truce.workspace.verify import verify_workspace


def _table(count: int) -> pa.Table:
    rows = []
    for n in range(count):
        rows.append(
            {
                "row_hash": n.to_bytes(32, "big"),
                "content_hash": (n + 7).to_bytes(32, "big"),
                "event_id": f"e:{n}",
                "source": "s" if n % 3 else "t",
                "source_record": str(n),
                "time_start": n * 1_000_000,
                "time_end": n * 1_000_000 + 5,
                "time_zone": "UTC",
                "time_precision": "day",
                "lon": None if n % 5 == 0 else n / 7,
                "lat": 1.5,
                "precision_m": None,
                "area_id": None,
                "area_precision": "point",
                "kind": "fire",
                "weapon_class": None,
                "target": None,
                "target_class": None,
                "outcome": "unknown",
                "claims": "[]",
                "deaths": None if n % 2 else n,
                "injured": None,
                "quantity": None,
                "text": "é" * (n % 4),
                "link": "",
                "raw": f"raw {n}",
            }
        )
    return pa.Table.from_pylist(rows, schema=BLOCK_SCHEMA)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=1, max_value=BATCH_ROWS * 2 + 10),
    st.integers(min_value=1, max_value=10**9),
    st.data(),
)
def test_a_block_decodes_to_what_was_encoded(count: int, first: int, data: st.DataObject) -> None:
    table = _table(count)
    encoded = encode_block(table)
    block = Block(first, count, 4, b"", encoded)
    whole = block.decode()
    assert whole.column_names == list(COLUMNS)
    assert whole.column("id").to_pylist() == list(range(first, first + count))
    assert whole.column("import_id").to_pylist() == [4] * count
    assert whole.select(BLOCK_SCHEMA.names).equals(table)
    positions = data.draw(st.lists(st.integers(0, count - 1), max_size=20))
    some = block.decode(["id", "text", "deaths"], positions)
    assert some.column("id").to_pylist() == [first + p for p in positions]
    assert some.column("text").to_pylist() == [table.column("text")[p].as_py() for p in positions]
    assert some.column("deaths").to_pylist() == [
        table.column("deaths")[p].as_py() for p in positions
    ]


def test_a_block_that_does_not_decode_is_named() -> None:
    block = Block(11, 3, None, b"", b"not arrow")
    with pytest.raises(BlockUnreadable, match="event block 11 \\(events 11 to 13\\)"):
        block.decode()


def _import(workspace: Workspace, tmp_path: Path) -> tuple[Path, Path]:
    firms = write_firms(tmp_path / "f.csv", [firms_row(n) for n in range(40)])
    features = write_features(tmp_path / "g.geojson", [good_feature(n) for n in range(25)])
    import_file(workspace, firms, "firms", chunk_rows=15)
    import_file(workspace, features, "geojson", chunk_rows=10)
    return firms, features


def test_events_are_read_by_id_across_blocks_and_in_bulk(
    workspace: Workspace, tmp_path: Path
) -> None:
    _import(workspace, tmp_path)
    with workspace.store.read() as conn:
        blocks = conn.execute(sa.select(event_blocks.c.id, event_blocks.c.count)).all()
        assert [(int(a), int(b)) for a, b in blocks] == [
            (1, 15),
            (16, 15),
            (31, 10),
            (41, 10),
            (51, 10),
            (61, 5),
        ]
        everything = stored_events(conn)
        assert everything.column("id").to_pylist() == list(range(1, 66))
        some = stored_events(conn, [64, 2, 30, 31, 999, 2], ["event_id", "source"])
        assert some.column_names == ["id", "event_id", "source"]
        assert some.column("id").to_pylist() == [2, 30, 31, 64]
        expected = everything.select(["id", "event_id", "source"]).take([1, 29, 30, 63])
        assert some.equals(expected)
        named = everything.column("event_id")[43].as_py()
        assert ids_named(conn, named) == [44]
        assert ids_named(conn, "nothing") == []
        recomputed = stored_hashes(everything)
        assert [h[0] for h in recomputed] == everything.column("row_hash").to_pylist()
        assert [h[1] for h in recomputed] == everything.column("content_hash").to_pylist()
        batches = list(iter_event_batches(conn, chunk_rows=30))
        assert [b.num_rows for b in batches] == [30, 30, 5]
        assert pa.Table.from_batches(batches).column("event_id").to_pylist() == (
            everything.column("event_id").to_pylist()
        )


def test_migration_0005_round_trip(workspace: Workspace, tmp_path: Path) -> None:
    """Down to 0004 every column is back on ``events`` with the same values; up again the
    blocks are rebuilt, the ledger verifies, proofs work and re-importing adds nothing."""
    firms, features = _import(workspace, tmp_path)
    make_checkpoint(workspace)
    with workspace.store.read() as conn:
        before = stored_events(conn)
    downgrade(workspace.store, "0004")
    assert current_revision(workspace.store) == "0004"
    with workspace.store.read() as conn:
        assert not sa.inspect(conn).has_table("event_blocks")
        wide = sa.Table("events", sa.MetaData(), autoload_with=conn)
        rows = conn.execute(sa.select(wide).order_by(wide.c.id)).all()
    for name in before.column_names:
        values = [getattr(row, name) for row in rows]
        if name in ("row_hash", "content_hash"):
            values = [bytes(v) for v in values]
        assert values == before.column(name).to_pylist(), name
    workspace.close()
    upgraded = Workspace.open(workspace.root)
    try:
        assert current_revision(upgraded.store) == head_revision()
        with upgraded.store.read() as conn:
            assert stored_events(conn).equals(before)
        assert verify_workspace(upgraded).ok
        assert prove(upgraded, "event:44")["record"] == "event:44"
        again = [import_file(upgraded, firms, "firms"), import_file(upgraded, features, "geojson")]
        assert [(s.accepted, s.duplicates) for s in again] == [(0, 40), (0, 25)]
    finally:
        upgraded.close()


def test_a_large_write_is_stored_in_blocks_of_block_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    count = BLOCK_ROWS * 2 + 76
    path = write_firms(tmp_path / "big.csv", [firms_row(n) for n in range(count)])
    import_file(workspace, path, "firms", chunk_rows=count)
    with workspace.store.read() as conn:
        blocks = conn.execute(sa.select(event_blocks.c.id, event_blocks.c.count)).all()
        assert [(int(a), int(b)) for a, b in blocks] == [
            (1, BLOCK_ROWS),
            (1 + BLOCK_ROWS, BLOCK_ROWS),
            (1 + 2 * BLOCK_ROWS, 76),
        ]
        every = stored_events(conn, columns=["raw"])
        some = stored_events(conn, [1, BLOCK_ROWS, BLOCK_ROWS + 1, count], ["raw"])
    assert every.column("id").to_pylist() == list(range(1, count + 1))
    assert some.equals(every.take([0, BLOCK_ROWS - 1, BLOCK_ROWS, count - 1]))
    assert verify_workspace(workspace).ok
