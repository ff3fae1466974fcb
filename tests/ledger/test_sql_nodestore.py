"""The SQL node store: the same tree as the in-memory one, proofs for every size, atomicity."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from truce.cli.ledger import ledger_group
from truce.errors import LedgerError, StorageError
from truce.ledger.merkle import (
    MerkleTree,
    NodeRow,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from truce.ledger.sqlstore import (
    FIRST_STORED_LEVEL,
    SqlNodeStore,
    append_leaf_hashes,
    append_leaf_run,
    append_leaves,
    ledger_tree,
    new_node_rows,
)
from truce.workspace import Workspace
from truce.workspace.findings import record_finding
from truce.workspace.ledger import check_proof, make_checkpoint, prove
from truce.workspace.records import LeafRecord, event_leaf_hashes, parse_leaf_data
from truce.workspace.schema import findings, ledger_leaves, ledger_nodes

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _leaves(start: int, count: int) -> list[bytes]:
    return [
        leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(start, start + count)
    ]


@PROPERTY
@given(batches=st.lists(st.integers(1, 40), min_size=1, max_size=6))
def test_sql_tree_matches_memory_tree_with_proofs_between_every_batch(
    workspace: Workspace, batches: list[int]
) -> None:
    with workspace.store.write() as conn:
        conn.execute(ledger_nodes.delete())
        conn.execute(ledger_leaves.delete())
    memory = MerkleTree()
    sizes = []
    for count in batches:
        fresh = _leaves(memory.size, count)
        memory.append_many(fresh)
        owners = [("finding", memory.size - count + i) for i in range(count)]
        with workspace.store.write() as conn:
            append_leaf_hashes(workspace.store, conn, owners, fresh)
        sizes.append(memory.size)
    with workspace.store.read() as conn:
        tree = ledger_tree(workspace.store, conn)
        assert tree.size == memory.size
        roots = {size: tree.root(size) for size in sizes}
        assert roots == {size: memory.root(size) for size in sizes}
        for old, new in pairwise(sizes):
            verify_consistency(old, new, roots[old], roots[new], tree.consistency_proof(old, new))
        last = sizes[-1]
        for index in {0, last // 2, last - 1}:
            proof = tree.inclusion_proof(index, last)
            verify_inclusion(memory.leaf(index), index, last, proof, roots[last])


@PROPERTY
@given(batches=st.lists(st.integers(1, 40), min_size=1, max_size=5), run=st.booleans())
def test_a_leaf_run_stores_what_leaf_hashes_store(
    workspace: Workspace, batches: list[int], run: bool
) -> None:
    """``append_leaf_run`` (rows made by the database) and ``append_leaf_hashes`` (rows sent
    one by one) store the same leaf and node rows, mixed in any order."""
    with workspace.store.write() as conn:
        conn.execute(ledger_nodes.delete())
        conn.execute(ledger_leaves.delete())
    memory = MerkleTree()
    every: list[bytes] = []
    for number, count in enumerate(batches):
        fresh = _leaves(memory.size, count)
        first = memory.size + 100
        memory.append_many(fresh)
        every.extend(fresh)
        with workspace.store.write() as conn:
            indices: Sequence[int]
            if run == (number % 2 == 0):
                indices = append_leaf_run(workspace.store, conn, "finding", first, fresh)
            else:
                owners = [("finding", first + i) for i in range(count)]
                indices = append_leaf_hashes(workspace.store, conn, owners, fresh)
            assert list(indices) == list(range(memory.size - count, memory.size))
    expected_nodes = {
        (r.level, r.index, r.hash)
        for r in MerkleTree().append_many(every)
        if r.level >= FIRST_STORED_LEVEL
    }
    with workspace.store.read() as conn:
        stored = conn.execute(sa.select(ledger_leaves).order_by(ledger_leaves.c.idx)).all()
        nodes = {(int(a), int(b), bytes(c)) for a, b, c in conn.execute(sa.select(ledger_nodes))}
    assert [(int(r.idx), r.kind, int(r.record_id), bytes(r.hash)) for r in stored] == [
        (i, "finding", i + 100, every[i]) for i in range(memory.size)
    ]
    assert nodes == expected_nodes


def test_record_and_leaf_commit_together_or_not_at_all(workspace: Workspace) -> None:
    record_finding(workspace, "ok", "kept")

    def write_then_fail() -> None:
        with workspace.store.write() as conn:
            conn.execute(
                findings.insert().values(
                    id=2, type="x", message="y", data="{}", created_at=0, content_hash=b"\x00" * 32
                )
            )
            append_leaves(workspace.store, conn, [LeafRecord("finding", 2, b"\x00" * 32)])
            raise RuntimeError("the transaction fails after the leaf was appended")

    with pytest.raises(RuntimeError):
        write_then_fail()
    with workspace.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(findings)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(ledger_leaves)).scalar() == 1
        assert SqlNodeStore(workspace.store, conn).leaf_count() == 1


def test_stored_leaves_and_nodes_are_never_overwritten(workspace: Workspace) -> None:
    for number in range(16):
        record_finding(workspace, "ok", str(number))
    with pytest.raises(StorageError), workspace.store.write() as conn:
        workspace.store.insert_rows(conn, ledger_leaves, [(0, "finding", 99, b"\x01" * 32)])
    with pytest.raises(StorageError), workspace.store.write() as conn:
        workspace.store.insert_rows(conn, ledger_nodes, [(FIRST_STORED_LEVEL, 0, b"\x01" * 32)])
    with pytest.raises(LedgerError, match="with its record"), workspace.store.write() as conn:
        SqlNodeStore(workspace.store, conn).put_nodes([NodeRow(0, 16, b"\x01" * 32)])
    with workspace.store.read() as conn:
        assert ledger_tree(workspace.store, conn).size == 16


def test_missing_node_is_a_ledger_error(workspace: Workspace) -> None:
    with workspace.store.read() as conn, pytest.raises(LedgerError, match="no node"):
        SqlNodeStore(workspace.store, conn).get_nodes([(3, 7)])


def test_prove_every_kind_against_the_last_checkpoint(workspace: Workspace) -> None:
    first = record_finding(workspace, "strike", "a strike on a substation", {"object": "x"})
    with pytest.raises(LedgerError, match="no checkpoint"):
        prove(workspace, f"finding:{first}")
    make_checkpoint(workspace)
    second = record_finding(workspace, "strike", "another")
    with pytest.raises(LedgerError, match="after the last checkpoint"):
        prove(workspace, f"finding:{second}")
    make_checkpoint(workspace)
    document = prove(workspace, f"finding:{second}")
    assert document["tree_size"] == 2
    assert parse_leaf_data(document["leaf_data"].encode()).record_id == second
    check_proof(document, workspace)
    assert prove(workspace, "leaf:0")["record"] == f"finding:{first}"
    with pytest.raises(LedgerError, match="KIND:ID"):
        prove(workspace, "finding-1")
    with pytest.raises(LedgerError, match="KIND:ID"):
        prove(workspace, "ucdp:1")
    with pytest.raises(LedgerError, match="no ledger leaf"):
        prove(workspace, "event:9")


def test_cli_checkpoint_prove_verify(workspace: Workspace, tmp_path: Path) -> None:
    record_finding(workspace, "strike", "a strike")
    runner = CliRunner()
    ws = ["--workspace", str(workspace.root)]
    result = runner.invoke(ledger_group, ["checkpoint", "--json", *ws])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["size"] == 1
    result = runner.invoke(ledger_group, ["prove", "finding:1", *ws])
    assert result.exit_code == 0, result.output
    check_proof(json.loads(result.output), workspace)
    result = runner.invoke(ledger_group, ["verify", *ws])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 1 leaves, 1 records, 1 checkpoints")


@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 300), count=st.integers(0, 70))
def test_fast_append_adds_the_same_rows_as_the_merkle_tree(size: int, count: int) -> None:
    tree = MerkleTree()
    tree.append_many(_leaves(0, size))
    frontier_keys = [(r.level, r.index) for r in _frontier_rows(size)]
    frontier = tree.store.get_nodes(frontier_keys)
    fresh = _leaves(size, count)
    expected = [(r.level, r.index, r.hash) for r in tree.append_many(fresh)]
    # the same rows; the fast path gives them ordered by (level, index)
    assert new_node_rows(size, frontier, fresh) == sorted(expected)


def _frontier_rows(size: int) -> list[NodeRow]:
    rows, position = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            rows.append(NodeRow(level, position >> level, b""))
            position += 1 << level
    return rows


@settings(max_examples=60, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.integers(0, 2**63 - 1), st.binary(min_size=32, max_size=32)), max_size=20
    )
)
def test_bulk_event_leaf_hashes_equal_the_leaf_hash_of_each_leaf_data(
    events: list[tuple[int, bytes]],
) -> None:
    ids = [record_id for record_id, _ in events]
    hashes = [content for _, content in events]
    expected = [leaf_hash(LeafRecord("event", i, h).data()) for i, h in events]
    assert event_leaf_hashes(ids, hashes) == expected
