"""Standalone verifier of an exported ledger: ``python -m truce.ledger.standalone EXPORT PUBKEY``.

It needs only the export folder (``truce ledger export``) and the public key (PEM, or a
signed-note verifier key string), no database and no other part of truce: it imports only the
standard library, ``cryptography`` and :mod:`truce.ledger.merkle` / :mod:`truce.ledger.checkpoint`.

The export folder::

    manifest.json          {"format": "truce-ledger-export/1", "origin", "key_name", "leaves",
                            "checkpoints"}
    leaves.jsonl           line i is the leaf data of leaf i (canonical JSON, UTF-8)
    checkpoints/NNNNNN.note  every signed checkpoint, oldest first
    public_key.pem, verifier_key.txt

Checks: every leaf line is version-1 leaf data in canonical form; the Merkle tree is rebuilt
from the leaves; every checkpoint's signature verifies; each checkpoint's root is the root of
the rebuilt tree at its size; each checkpoint extends the one before (consistency proof from
the rebuilt tree, checked with :func:`verify_checkpoint_chain`). Every discrepancy is named.
Exit status 0 when all is well, 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from truce.errors import LedgerError, ProofInvalid
from truce.ledger.checkpoint import (
    Checkpoint,
    parse_verifier_key,
    public_key_from_pem,
    verify_checkpoint,
    verify_checkpoint_chain,
)
from truce.ledger.merkle import HASH_SIZE, MerkleTree, NodeKey, NodeRow, leaf_hash, node_hash

EXPORT_FORMAT = "truce-ledger-export/1"
"""The ``format`` of an export's manifest."""

_LEAF_KEYS = {"content_sha256", "id", "kind", "v"}


class HashLevels:
    """A read-only :class:`~truce.ledger.merkle.NodeStore` built from a list of leaf hashes.

    Each level is one ``bytearray`` of 32-byte hashes, so a million leaves take 64 MB.
    """

    def __init__(self, leaf_hashes: bytes | bytearray) -> None:
        if len(leaf_hashes) % HASH_SIZE:
            raise LedgerError("leaf hashes are not a whole number of 32-byte hashes")
        self.levels: list[bytearray] = [bytearray(leaf_hashes)]
        while len(self.levels[-1]) >= 2 * HASH_SIZE:
            below, above = self.levels[-1], bytearray()
            for start in range(0, len(below) - HASH_SIZE, 2 * HASH_SIZE):
                middle = start + HASH_SIZE
                above += node_hash(
                    bytes(below[start:middle]), bytes(below[middle : middle + HASH_SIZE])
                )
            self.levels.append(above)

    def leaf_count(self) -> int:
        """Number of leaves."""
        return len(self.levels[0]) // HASH_SIZE

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Hashes of the nodes at ``keys``, in the same order."""
        found = []
        for level, index in keys:
            start = index * HASH_SIZE
            if level >= len(self.levels) or start + HASH_SIZE > len(self.levels[level]):
                raise LedgerError(f"no node at (level, index) {(level, index)}")
            found.append(bytes(self.levels[level][start : start + HASH_SIZE]))
        return found

    def node_count(self, level: int) -> int:
        """How many complete nodes ``level`` holds."""
        return len(self.levels[level]) // HASH_SIZE if level < len(self.levels) else 0

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Refused: the levels are built once from the leaves."""
        raise LedgerError("HashLevels is read-only")


@dataclass
class ExportReport:
    """What verifying an export found: counts and every discrepancy."""

    leaves: int = 0
    checkpoints: int = 0
    last: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def load_public_key(path: Path) -> tuple[Ed25519PublicKey, str | None]:
    """The key in a PEM file or a verifier-key file, and the key name the latter carries."""
    text = path.read_bytes()
    if text.lstrip().startswith(b"-----BEGIN"):
        return public_key_from_pem(text), None
    name, key = parse_verifier_key(text.decode("ascii", "replace").strip())
    return key, name


def check_leaf_data(number: int, line: bytes) -> str | None:
    """What is wrong with the leaf data on line ``number``, or None."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        return f"leaf {number}: not JSON: {exc}"
    if not isinstance(value, dict) or value.get("v") != 1:
        return f"leaf {number}: not version-1 leaf data"
    if not _LEAF_KEYS <= set(value) <= _LEAF_KEYS | {"file_sha256"}:
        return f"leaf {number}: unexpected keys {sorted(value)}"
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if canonical.encode("utf-8") != line:
        return f"leaf {number}: not in canonical form"
    return None


def verify_export(folder: Path, public_key: Ed25519PublicKey, key_name: str | None) -> ExportReport:
    """Check an exported ledger (see the module docstring)."""
    report = ExportReport()
    manifest = _manifest(folder, report)
    name = key_name or manifest.get("key_name") or manifest.get("origin")
    hashes = bytearray()
    with (folder / "leaves.jsonl").open("rb") as stream:
        for number, raw in enumerate(stream):
            line = raw.rstrip(b"\n")
            problem = check_leaf_data(number, line)
            if problem:
                report.problems.append(problem)
            hashes += leaf_hash(line)
    levels = HashLevels(hashes)
    report.leaves = levels.leaf_count()
    if manifest.get("leaves") not in (None, report.leaves):
        report.problems.append(
            f"manifest says {manifest.get('leaves')} leaves, leaves.jsonl holds {report.leaves}"
        )
    _check_checkpoints(folder, levels, public_key, name, report)
    return report


def _manifest(folder: Path, report: ExportReport) -> dict[str, object]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(f"manifest.json: cannot be read: {exc}")
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        report.problems.append(f"manifest.json: not a {EXPORT_FORMAT} manifest")
        return {}
    return manifest


def _check_checkpoints(
    folder: Path,
    levels: HashLevels,
    public_key: Ed25519PublicKey,
    key_name: object,
    report: ExportReport,
) -> None:
    tree = MerkleTree(levels)
    name = key_name if isinstance(key_name, str) else None
    previous: tuple[str, bytes, Checkpoint] | None = None
    for path in sorted((folder / "checkpoints").glob("*.note")):
        note = path.read_bytes()
        report.checkpoints += 1
        try:
            checkpoint = verify_checkpoint(note, public_key, name)
        except ProofInvalid as exc:
            report.problems.append(f"checkpoint {path.name}: {exc}")
            continue
        if checkpoint.size > levels.leaf_count():
            report.problems.append(
                f"checkpoint {path.name}: size {checkpoint.size} but only "
                f"{levels.leaf_count()} leaves were exported"
            )
            continue
        if tree.root(checkpoint.size) != checkpoint.root_hash:
            report.problems.append(
                f"checkpoint {path.name}: root {checkpoint.root_hash.hex()} is not the root of "
                f"the exported leaves at size {checkpoint.size}"
            )
        if previous is not None:
            _check_link(tree, previous, (path.name, note, checkpoint), public_key, name, report)
        previous = (path.name, note, checkpoint)
        report.last = checkpoint


def _check_link(
    tree: MerkleTree,
    old: tuple[str, bytes, Checkpoint],
    new: tuple[str, bytes, Checkpoint],
    public_key: Ed25519PublicKey,
    key_name: str | None,
    report: ExportReport,
) -> None:
    old_size, new_size = old[2].size, new[2].size
    proof: list[bytes] = []
    if 0 < old_size < new_size:
        proof = tree.consistency_proof(old_size, new_size)
    try:
        verify_checkpoint_chain([old[1], new[1]], [proof], public_key, key_name)
    except ProofInvalid as exc:
        report.problems.append(f"checkpoints {old[0]} -> {new[0]}: {exc}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: verify EXPORT_DIR with PUBLIC_KEY; print the outcome."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m truce.ledger.standalone EXPORT_DIR PUBLIC_KEY", file=sys.stderr)
        return 2
    folder, key_path = Path(args[0]), Path(args[1])
    try:
        public_key, key_name = load_public_key(key_path)
        report = verify_export(folder, public_key, key_name)
    except (OSError, LedgerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in report.problems:
        print(f"FAIL {problem}")
    last = report.last
    summary = f"{report.leaves} leaves, {report.checkpoints} checkpoints"
    if last is not None:
        summary += f"; last checkpoint size {last.size} root {last.root_hash.hex()}"
    print(("OK " if report.ok else "FAILED ") + summary)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
