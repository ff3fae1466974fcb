"""``truce ledger verify``: recompute the whole log from the stored records and check everything.

1. every record's content is hashed again and compared with the content hash stored with it;
2. every record has a leaf and every leaf a record; the leaf data is rebuilt from the records;
3. the stored leaf hashes and every stored interior node are compared with the tree rebuilt
   from the records;
4. every checkpoint's signature is checked, its root compared with the rebuilt tree at its size,
   and each checkpoint linked to the one before by a consistency proof;
5. every evidence original and working copy is hashed and compared with its record;
6. the current incidents are compared with the digest of assignments recorded with the
   corroboration run that made them;
7. no two events share an identity ``(source, row_hash)``, and the identity runs hold exactly
   the identities of the stored events (:mod:`truce.workspace.identity`: imports trust them to
   tell what is stored);
8. the database checks itself (SQLite ``integrity_check``; PostgreSQL amcheck when installed).

Each discrepancy is a :class:`Discrepancy` value naming the record, leaf, node, checkpoint or
file it concerns; nothing is raised for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from truce.errors import ProofInvalid
from truce.evidence.blobs import BlobStore, file_sha256
from truce.ledger.checkpoint import Checkpoint, verify_checkpoint, verify_checkpoint_chain
from truce.ledger.merkle import HASH_SIZE, MerkleTree, leaf_hash
from truce.ledger.sqlstore import FIRST_STORED_LEVEL
from truce.ledger.standalone import HashLevels
from truce.workspace.eventblocks import BlockUnreadable, iter_blocks
from truce.workspace.eventrows import stored_hashes
from truce.workspace.incidents import assignments_digest
from truce.workspace.ledger import StoredCheckpoint, all_checkpoints
from truce.workspace.records import (
    KINDS,
    corroboration_content,
    custody_content,
    decision_content,
    evidence_content,
    finding_content,
    leaf_data,
    sha256,
)
from truce.workspace.schema import (
    RECORD_TABLES,
    derivatives,
    event_identities,
    events,
    evidence,
    ledger_leaves,
    ledger_nodes,
)
from truce.workspace.workspace import Workspace

_BATCH = 5_000


@dataclass(frozen=True)
class Discrepancy:
    """One thing the check found wrong: a ``type`` slug, what it concerns and a message."""

    type: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready form."""
        return {"type": self.type, "where": self.where, "message": self.message}


@dataclass
class VerifyReport:
    """Counts of what was checked and every discrepancy found."""

    leaves: int = 0
    records: int = 0
    checkpoints: int = 0
    files: int = 0
    problems: list[Discrepancy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def add(self, type: str, where: str, message: str) -> None:
        """Record one discrepancy."""
        self.problems.append(Discrepancy(type, where, message))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "ok": self.ok,
            "leaves": self.leaves,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "files": self.files,
            "problems": [p.to_dict() for p in self.problems],
        }


def verify_workspace(workspace: Workspace) -> VerifyReport:
    """Check the whole record of a workspace (see the module docstring)."""
    report = VerifyReport()
    with workspace.store.read() as conn:
        size = _log_size(conn)
        expected = bytearray(size * HASH_SIZE)
        covered = bytearray(size)
        for kind in KINDS:
            if kind == "event":
                _check_events(conn, expected, covered, report)
            else:
                _check_kind(conn, kind, expected, covered, report)
        _check_orphans(conn, report)
        for index in (i for i in range(size) if not covered[i]):
            report.add("leaf-without-record", f"leaf {index}", "no record is mapped to this leaf")
        report.leaves = size
        levels = HashLevels(expected)
        _check_nodes(conn, levels, report)
        checkpoints = all_checkpoints(conn)
        _check_files(workspace, conn, report)
        _check_incidents(conn, report)
        _check_identities(conn, report)
    _check_checkpoints(workspace, checkpoints, levels, report)
    for problem in workspace.store.integrity_check():
        report.add("database-integrity", "database", problem)
    return report


def _check_identities(conn: Connection, report: VerifyReport) -> None:
    """Events with the same identity; identity runs that differ from the stored events."""
    ids: dict[str, list[int]] = {}
    stored: dict[str, list[bytes]] = {}
    for block in iter_blocks(conn):
        try:
            table = block.decode(["id", "source", "row_hash"])
        except BlockUnreadable:
            continue  # reported by _check_events
        for event_id, source, row_hash in zip(
            table.column("id").to_pylist(),
            table.column("source").to_pylist(),
            table.column("row_hash").to_pylist(),
            strict=True,
        ):
            ids.setdefault(source, []).append(int(event_id))
            stored.setdefault(source, []).append(row_hash)
    runs: dict[str, list[bytes]] = {}
    run_query = sa.select(event_identities.c.source, event_identities.c.hashes)
    for source, blob in conn.execute(run_query.order_by(event_identities.c.id)):
        runs.setdefault(source, []).append(bytes(blob))
    for source in sorted(set(stored) | set(runs)):
        from_events = _hash_values(b"".join(stored.get(source, [])))
        values, first, counts = np.unique(from_events, return_index=True, return_counts=True)
        for position in np.nonzero(counts > 1)[0].tolist():
            same = np.nonzero(from_events == values[position])[0].tolist()
            names = ", ".join(f"event:{ids[source][i]}" for i in same)
            report.add(
                "identity-duplicate",
                f"event:{ids[source][same[-1]]}",
                f"events {names} have the same identity (source {source!r}, row hash); an "
                f"import stores each identity once",
            )
        from_runs = _hash_values(b"".join(runs.get(source, [])))
        if np.array_equal(np.sort(from_runs), np.sort(from_events)):
            continue
        missing = np.setdiff1d(values, from_runs)
        extra = np.setdiff1d(from_runs, values)
        named = sorted(ids[source][first[np.searchsorted(values, m)]] for m in missing[:5])
        report.add(
            "identity-runs",
            f"source {source!r}",
            f"the identity runs miss {len(missing)} stored events"
            + (f" (e.g. {', '.join(f'event:{n}' for n in named)})" if named else "")
            + f" and hold {len(extra)} identities of no stored event, or repeat some; imports "
            "trust them to tell which events are stored",
        )


def _hash_values(blob: bytes) -> npt.NDArray[np.void]:
    """Concatenated 32-byte hashes as an array of 32-byte values (sortable, comparable)."""
    return np.frombuffer(blob, dtype="V32")


def _check_incidents(conn: Connection, report: VerifyReport) -> None:
    """The current incidents must be the ones the last (ledgered) corroboration run made."""
    found = assignments_digest(conn)
    if found is not None and found[1] != found[2]:
        report.add(
            "incidents-changed",
            f"corroboration:{found[0]}",
            "the stored report-to-incident assignments no longer match the digest recorded "
            "with the run (run `truce corroborate` again to rebuild them from the record)",
        )


def _log_size(conn: Connection) -> int:
    highest_leaf = conn.execute(sa.select(sa.func.max(ledger_leaves.c.idx))).scalar()
    return 0 if highest_leaf is None else int(highest_leaf) + 1


def _leaf_batches(conn: Connection, kind: str) -> Iterator[list[Row[Any]]]:
    """Batches of ``(leaf_idx, record...)`` for every leaf of ``kind`` whose record exists."""
    table = RECORD_TABLES[kind]
    last = -1
    while True:
        query = (
            sa.select(ledger_leaves.c.idx.label("leaf_idx"), table)
            .select_from(ledger_leaves.join(table, table.c.id == ledger_leaves.c.record_id))
            .where(ledger_leaves.c.kind == kind, ledger_leaves.c.idx > last)
            .order_by(ledger_leaves.c.idx)
            .limit(_BATCH)
        )
        rows = list(conn.execute(query).all())
        if not rows:
            return
        yield rows
        last = int(rows[-1].leaf_idx)


def _check_events(
    conn: Connection, expected: bytearray, covered: bytearray, report: VerifyReport
) -> None:
    """Every event block: its bytes against its hash, every event's hashes recomputed from its
    values, its leaf rebuilt; events rows without a block and block events without a row."""
    rows = np.fromiter(conn.execute(sa.select(events.c.id)).scalars(), dtype=np.int64)
    in_blocks: list[np.ndarray] = []
    for block in iter_blocks(conn):
        ids = np.arange(block.first_id, block.last_id + 1, dtype=np.int64)
        in_blocks.append(ids)
        where = f"event block {block.first_id} (events {block.first_id} to {block.last_id})"
        if not block.intact:
            report.add(
                "block-changed", where, "its bytes no longer match the hash stored with them"
            )
        leaves = dict(
            conn.execute(
                sa.select(ledger_leaves.c.record_id, ledger_leaves.c.idx).where(
                    ledger_leaves.c.kind == "event",
                    ledger_leaves.c.record_id.between(block.first_id, block.last_id),
                )
            ).all()
        )
        try:
            table = block.decode()
        except BlockUnreadable as exc:
            report.add("block-unreadable", where, str(exc))
            for record_id in ids.tolist():
                report.add(
                    "record-changed",
                    f"event:{record_id}",
                    f"its block cannot be read (leaf {leaves.get(record_id)})",
                )
            continue
        recomputed = stored_hashes(table)
        stored_rows = table.column("row_hash").to_pylist()
        stored_content = table.column("content_hash").to_pylist()
        for position, (row_hash, content) in enumerate(recomputed):
            record_id = block.first_id + position
            index = leaves.get(record_id)
            if row_hash != stored_rows[position] or content != stored_content[position]:
                report.add(
                    "record-changed",
                    f"event:{record_id}",
                    f"the stored content no longer matches the content hash recorded with it "
                    f"(leaf {index}; block {block.first_id}, position {position})",
                )
            if index is None:
                continue  # reported by _check_orphans
            index = int(index)
            if index >= len(covered):
                continue
            data = leaf_data("event", record_id, content)
            expected[index * HASH_SIZE : (index + 1) * HASH_SIZE] = leaf_hash(data)
            covered[index] = 1
            report.records += 1
    blocked = np.concatenate(in_blocks) if in_blocks else np.empty(0, dtype=np.int64)
    for record_id in np.setdiff1d(rows, blocked)[:100].tolist():
        report.add("record-missing", f"event:{record_id}", "no event block holds it")
    for record_id in np.setdiff1d(blocked, rows)[:100].tolist():
        report.add(
            "record-not-in-ledger", f"event:{record_id}", "its block holds it; it has no events row"
        )
    values, counts = np.unique(blocked, return_counts=True)
    for record_id in values[counts > 1][:100].tolist():
        report.add("block-overlap", f"event:{record_id}", "more than one event block holds it")


def _content_hashes(kind: str, rows: list[Row[Any]]) -> list[tuple[bytes, bool]]:
    """Per row: the content hash recomputed from its values, and whether its stored hashes
    agree."""
    maker = {
        "evidence": evidence_content,
        "custody": custody_content,
        "finding": finding_content,
        "decision": decision_content,
        "corroboration": corroboration_content,
    }
    result = []
    for row in rows:
        content = sha256(maker[kind](dict(row._mapping)))
        result.append((content, content == bytes(row.content_hash)))
    return result


def _check_kind(
    conn: Connection, kind: str, expected: bytearray, covered: bytearray, report: VerifyReport
) -> None:
    for rows in _leaf_batches(conn, kind):
        for row, (actual, agrees) in zip(rows, _content_hashes(kind, rows), strict=True):
            index, record_id = int(row.leaf_idx), int(row.id)
            if not agrees:
                report.add(
                    "record-changed",
                    f"{kind}:{record_id}",
                    f"the stored content no longer matches the content hash recorded with it "
                    f"(leaf {index})",
                )
            file_hash = bytes(row.sha256) if kind == "evidence" else None
            data = leaf_data(kind, record_id, actual, file_hash)
            expected[index * HASH_SIZE : (index + 1) * HASH_SIZE] = leaf_hash(data)
            covered[index] = 1
            report.records += 1


def _check_orphans(conn: Connection, report: VerifyReport) -> None:
    """Records without a leaf, leaves without a record, leaves of unknown kinds."""
    for kind in KINDS:
        table = RECORD_TABLES[kind]
        unledgered = conn.execute(
            sa.select(table.c.id)
            .select_from(
                table.outerjoin(
                    ledger_leaves,
                    sa.and_(ledger_leaves.c.kind == kind, ledger_leaves.c.record_id == table.c.id),
                )
            )
            .where(ledger_leaves.c.idx.is_(None))
            .order_by(table.c.id)
        ).scalars()
        for record_id in unledgered:
            report.add("record-not-in-ledger", f"{kind}:{record_id}", "the record has no leaf")
        missing = conn.execute(
            sa.select(ledger_leaves.c.idx, ledger_leaves.c.record_id)
            .select_from(ledger_leaves.outerjoin(table, table.c.id == ledger_leaves.c.record_id))
            .where(ledger_leaves.c.kind == kind, table.c.id.is_(None))
        )
        for index, record_id in missing:
            report.add(
                "record-missing", f"{kind}:{record_id}", f"leaf {index} names it; it is gone"
            )
    strange = conn.execute(
        sa.select(ledger_leaves.c.idx, ledger_leaves.c.kind).where(
            ledger_leaves.c.kind.not_in(KINDS)
        )
    )
    for index, kind in strange:
        report.add("leaf-kind", f"leaf {index}", f"unknown record kind {kind!r}")


def _check_nodes(conn: Connection, levels: HashLevels, report: VerifyReport) -> None:
    """Every stored leaf hash and node against the tree rebuilt from the records; missing and
    extra nodes. Leaf hashes are in ``ledger_leaves``, nodes from level
    :data:`FIRST_STORED_LEVEL` up in ``ledger_nodes`` (the levels between are not stored)."""
    seen = dict.fromkeys([0, *range(FIRST_STORED_LEVEL, len(levels.levels))], 0)
    for level, index, digest, owner in _stored_hashes(conn):
        where = f"ledger node (level {level}, index {index})"
        unstored_level = level not in seen or (level == 0 and not owner)  # a leaf in ledger_nodes
        if unstored_level or index >= levels.node_count(level):
            report.add("node-extra", where, "the stored tree has a node the log does not")
            continue
        seen[level] += 1
        start = index * HASH_SIZE
        if bytes(digest) != levels.levels[level][start : start + HASH_SIZE]:
            what = f"leaf (of {owner})" if level == 0 else "node"
            report.add(
                "node-changed",
                where,
                f"the stored hash of this {what} differs from the tree rebuilt from the records",
            )
    for level, count in seen.items():
        if count < levels.node_count(level):
            report.add(
                "node-missing",
                f"ledger level {level}",
                f"{levels.node_count(level) - count} stored node(s) missing",
            )


def _stored_hashes(conn: Connection) -> Iterator[tuple[int, int, bytes, str]]:
    """``(level, index, hash, owner)`` of every stored leaf hash (level 0, owner ``kind:id``)
    and node (owner empty), in batches."""
    last_leaf = -1
    while True:
        leaves = conn.execute(
            sa.select(
                ledger_leaves.c.idx,
                ledger_leaves.c.kind,
                ledger_leaves.c.record_id,
                ledger_leaves.c.hash,
            )
            .where(ledger_leaves.c.idx > last_leaf)
            .order_by(ledger_leaves.c.idx)
            .limit(_BATCH * 4)
        ).all()
        if not leaves:
            break
        for index, kind, record_id, digest in leaves:
            yield 0, int(index), bytes(digest), f"{kind}:{record_id}"
        last_leaf = int(leaves[-1][0])
    last: tuple[int, int] = (-1, -1)
    while True:
        rows = conn.execute(
            sa.select(ledger_nodes.c.level, ledger_nodes.c.idx, ledger_nodes.c.hash)
            .where(sa.tuple_(ledger_nodes.c.level, ledger_nodes.c.idx) > sa.tuple_(*last))
            .order_by(ledger_nodes.c.level, ledger_nodes.c.idx)
            .limit(_BATCH * 4)
        ).all()
        if not rows:
            return
        for level, index, digest in rows:
            yield int(level), int(index), bytes(digest), ""
        last = (int(rows[-1][0]), int(rows[-1][1]))


def _check_checkpoints(
    workspace: Workspace,
    checkpoints: list[StoredCheckpoint],
    levels: HashLevels,
    report: VerifyReport,
) -> None:
    tree = MerkleTree(levels)
    public_key, key_name = workspace.public_key(), workspace.config.key_name
    previous: tuple[StoredCheckpoint, Checkpoint] | None = None
    for stored in checkpoints:
        report.checkpoints += 1
        where = f"checkpoint {stored.id}"
        try:
            signed = verify_checkpoint(stored.note, public_key, key_name)
        except ProofInvalid as exc:
            report.add("checkpoint-signature", where, str(exc))
            continue
        if (signed.size, signed.root_hash) != (stored.size, stored.root_hash):
            report.add(
                "checkpoint-row", where, "its size or root columns differ from the signed note"
            )
        if signed.size > levels.leaf_count():
            report.add(
                "checkpoint-size",
                where,
                f"signed size {signed.size} but the log has {levels.leaf_count()} leaves",
            )
            continue
        if tree.root(signed.size) != signed.root_hash:
            report.add(
                "checkpoint-root",
                where,
                f"signed root of size {signed.size} is not the root of the log rebuilt from the "
                "records: a record it covers was changed, removed or reordered",
            )
        if previous is not None:
            _check_link(tree, previous, (stored, signed), public_key, key_name, report)
        previous = (stored, signed)


def _check_link(
    tree: MerkleTree,
    old: tuple[StoredCheckpoint, Checkpoint],
    new: tuple[StoredCheckpoint, Checkpoint],
    public_key: Any,
    key_name: str,
    report: VerifyReport,
) -> None:
    old_size, new_size = old[1].size, new[1].size
    proof = tree.consistency_proof(old_size, new_size) if 0 < old_size < new_size else []
    try:
        verify_checkpoint_chain([old[0].note, new[0].note], [proof], public_key, key_name)
    except ProofInvalid as exc:
        report.add("checkpoint-chain", f"checkpoints {old[0].id} -> {new[0].id}", str(exc))


def _check_files(workspace: Workspace, conn: Connection, report: VerifyReport) -> None:
    blobs = BlobStore(workspace.evidence_dir)
    originals = conn.execute(sa.select(evidence.c.id, evidence.c.sha256).order_by(evidence.c.id))
    copies = conn.execute(
        sa.select(derivatives.c.evidence_id, derivatives.c.role, derivatives.c.sha256).order_by(
            derivatives.c.id
        )
    ).all()
    files = [(f"evidence:{i}", "originals", bytes(h)) for i, h in originals]
    files += [(f"evidence:{i} {role}", "derived", bytes(h)) for i, role, h in copies]
    for ref, area, digest in files:
        path = blobs.path(area, digest)
        shown = path.relative_to(workspace.root)
        report.files += 1
        if not path.is_file():
            report.add("file-missing", str(shown), f"the file of {ref} is missing")
            continue
        found = file_sha256(path)
        if found != digest:
            report.add(
                "file-changed",
                str(shown),
                f"the file of {ref} has SHA-256 {found.hex()}, its record says {digest.hex()}",
            )
