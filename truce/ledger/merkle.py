"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, proofs and proof verification.

Hashes, as in RFC 9162 §2.1.1 with SHA-256::

    leaf_hash(d)    = SHA-256(0x00 || d)
    node_hash(l, r) = SHA-256(0x01 || l || r)
    empty tree root = SHA-256("")

Storage model: a :class:`NodeStore` keeps the hash of every *perfect* subtree that is complete,
keyed by ``(level, index)``: level 0 holds the leaf hashes, and node ``(level, index)`` is the
root of the ``2**level`` leaves ``[index * 2**level, (index + 1) * 2**level)``. Every root of an
earlier size, every inclusion proof and every consistency proof is made of O(log n) such nodes,
so :class:`MerkleTree` reads them with one ``get_nodes`` call; an append of a batch of leaves
reads the O(log n) right-edge nodes once and writes all new rows with one ``put_nodes`` call.

The verifiers (:func:`verify_inclusion`, :func:`verify_consistency`) need nothing but hashes
and sizes; they follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step and raise
:class:`~truce.errors.ProofInvalid` saying which check failed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from truce.errors import LedgerError, ProofInvalid

HASH_SIZE = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root hash of the tree with no leaves: SHA-256 of the empty string."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

NodeKey = tuple[int, int]
"""``(level, index)`` of a perfect subtree."""


@dataclass(frozen=True, slots=True)
class NodeRow:
    """One stored perfect-subtree hash: ``(level, index, hash)``."""

    level: int
    index: int
    hash: bytes


def leaf_hash(data: bytes) -> bytes:
    """The RFC 9162 hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class NodeStore(Protocol):
    """Append-only storage of perfect-subtree hashes by ``(level, index)``.

    ``leaf_count`` is the number of level-0 rows. ``get_nodes`` returns the hashes of the given
    keys in order (one round trip) and raises :class:`LedgerError` if one is missing.
    ``put_nodes`` stores a batch of new rows in one go (ideally one transaction); it must
    refuse to overwrite an existing key and level-0 rows must continue the leaf sequence.
    A SQL store maps this to one table ``(level, idx, hash)`` with primary key ``(level, idx)``:
    ``get_nodes`` is one ``SELECT ... WHERE (level, idx) IN (...)``, ``put_nodes`` one
    ``executemany`` INSERT in a transaction, so a concurrent appender fails on the key.
    """

    def leaf_count(self) -> int:
        """Number of leaves stored."""
        ...

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Hashes of the nodes at ``keys``, in the same order."""
        ...

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Store new rows atomically; existing keys are never overwritten."""
        ...


class MemoryNodeStore:
    """A :class:`NodeStore` held in a dict, for tests and short-lived trees."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}
        self._leaf_count = 0

    def leaf_count(self) -> int:
        """Number of leaves stored."""
        return self._leaf_count

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Hashes of the nodes at ``keys``, in the same order."""
        try:
            return [self._nodes[key] for key in keys]
        except KeyError as exc:
            raise LedgerError(f"node store has no node at (level, index) {exc.args[0]}") from None

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Store new rows atomically; existing keys are never overwritten."""
        next_leaf = self._leaf_count
        seen: set[NodeKey] = set()
        for row in rows:
            key = (row.level, row.index)
            if len(row.hash) != HASH_SIZE:
                raise LedgerError(f"node {key} hash is {len(row.hash)} bytes, not {HASH_SIZE}")
            if key in self._nodes or key in seen:
                raise LedgerError(f"node {key} is already stored; the store is append-only")
            if row.level < 0 or row.index < 0:
                raise LedgerError(f"node {key} has a negative level or index")
            if row.level == 0:
                if row.index != next_leaf:
                    raise LedgerError(f"leaf {row.index} does not follow leaf {next_leaf - 1}")
                next_leaf += 1
            seen.add(key)
        for row in rows:
            self._nodes[(row.level, row.index)] = row.hash
        self._leaf_count = next_leaf


class MerkleTree:
    """An append-only RFC 9162 Merkle tree over a :class:`NodeStore`."""

    def __init__(self, store: NodeStore | None = None) -> None:
        self.store: NodeStore = store if store is not None else MemoryNodeStore()

    @property
    def size(self) -> int:
        """Number of leaves in the tree."""
        return self.store.leaf_count()

    def append(self, leaf: bytes) -> int:
        """Append one leaf hash (see :func:`leaf_hash`); return its index."""
        rows = self.append_many([leaf])
        return rows[0].index

    def append_many(self, leaves: Sequence[bytes]) -> list[NodeRow]:
        """Append leaf hashes in order with one read and one write; return the new rows."""
        for position, leaf in enumerate(leaves):
            _check_length(f"leaf hash {position}", leaf, LedgerError)
        if not leaves:
            return []
        size = self.size
        frontier = _frontier_keys(size)
        known: dict[NodeKey, bytes] = dict(
            zip(frontier, self.store.get_nodes(frontier), strict=True)
        )
        rows: list[NodeRow] = []
        for offset, leaf in enumerate(leaves):
            level, index, current = 0, size + offset, leaf
            rows.append(NodeRow(0, index, current))
            known[(0, index)] = current
            while index & 1:
                current = node_hash(known[(level, index - 1)], current)
                level, index = level + 1, index >> 1
                rows.append(NodeRow(level, index, current))
                known[(level, index)] = current
        self.store.put_nodes(rows)
        return rows

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        self._check_index(index, self.size)
        return self.store.get_nodes([(0, index)])[0]

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the first ``size`` leaves (default: the whole tree)."""
        size = self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._range_hashes([(0, size)])[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
        size = self._check_size(size)
        self._check_index(index, size)
        return self._range_hashes(_inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 proof that the ``old_size`` tree is a prefix of ``new_size``."""
        new_size = self._check_size(new_size)
        if not 0 < old_size <= new_size:
            raise LedgerError(
                f"a consistency proof needs 0 < old size <= new size, got {old_size} and {new_size}"
            )
        return self._range_hashes(_consistency_ranges(old_size, new_size))

    def _check_size(self, size: int | None) -> int:
        current = self.size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise LedgerError(f"tree size {size} is outside 0..{current}")
        return size

    @staticmethod
    def _check_index(index: int, size: int) -> None:
        if not 0 <= index < size:
            raise LedgerError(f"leaf index {index} is outside a tree of size {size}")

    def _range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """MTH of each leaf range, reading every node needed in one store call."""
        per_range = [_perfect_keys(start, end) for start, end in ranges]
        flat = [key for keys in per_range for key in keys]
        hashes = iter(self.store.get_nodes(flat))
        result = []
        for keys in per_range:
            parts = [next(hashes) for _ in keys]
            current = parts[-1]
            for left in reversed(parts[:-1]):
                current = node_hash(left, current)
            result.append(current)
        return result


def _split(count: int) -> int:
    """The largest power of two strictly less than ``count`` (count >= 2)."""
    return 1 << ((count - 1).bit_length() - 1)


def _perfect_keys(start: int, end: int) -> list[NodeKey]:
    """Perfect subtrees, largest first, whose right fold is MTH(D[start:end]).

    Valid for the ranges RFC 9162's recursion produces: ``start`` is a multiple of a power of
    two at least ``end - start``.
    """
    keys = []
    position, count = start, end - start
    for level in range(count.bit_length() - 1, -1, -1):
        if count >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def _frontier_keys(size: int) -> list[NodeKey]:
    """The maximal perfect subtrees of the first ``size`` leaves (the tree's right edge)."""
    return _perfect_keys(0, size)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[0:size]), RFC 9162 §2.1.3.1."""
    ranges = []
    low, high = 0, size
    while high - low > 1:
        split = low + _split(high - low)
        if index < split:
            ranges.append((split, high))
            high = split
        else:
            ranges.append((low, split))
            low = split
    ranges.reverse()
    return ranges


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(old_size, D[0:new_size]), RFC 9162 §2.1.4.1."""
    ranges = []
    low, high = 0, new_size
    whole_old_subtree = True  # SUBPROOF's flag b
    while old_size != high:
        split = low + _split(high - low)
        if old_size <= split:
            ranges.append((split, high))
            high = split
        else:
            ranges.append((low, split))
            low = split
            whole_old_subtree = False
    if not whole_old_subtree:
        ranges.append((low, high))
    ranges.reverse()
    return ranges


def _check_length(name: str, value: bytes, error: type[LedgerError] = ProofInvalid) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, element in enumerate(proof):
        _check_length(f"proof element {position}", element)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProofInvalid(f"{name} must be a non-negative integer, got {value!r}")


def inclusion_proof_length(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf ``index`` in a tree of ``size`` leaves."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def consistency_proof_length(old_size: int, new_size: int) -> int:
    """Number of hashes in the consistency proof between sizes ``0 < old_size < new_size``."""
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    border = ((old_size - 1) >> inner).bit_count()
    shift = (old_size & -old_size).bit_length() - 1  # trailing zero bits of old_size
    seed_in_proof = 0 if old_size == 1 << shift else 1
    return seed_in_proof + inner - shift + border


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for leaf hash ``leaf`` at ``index`` (RFC 9162 §2.1.3.2).

    Raises :class:`ProofInvalid` if the sizes, hash lengths or proof length are wrong.
    """
    _check_count("leaf index", index)
    _check_count("tree size", size)
    if index >= size:
        raise ProofInvalid(f"leaf index {index} is not less than tree size {size}")
    _check_length("leaf hash", leaf)
    _check_proof(proof)
    expected = inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise ProofInvalid(
            f"inclusion proof has {len(proof)} hashes; leaf {index} of a tree of size {size} "
            f"needs {expected}"
        )
    return _rfc_inclusion_root(leaf, index, size, proof)


def _rfc_inclusion_root(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 steps 2 to 5, up to the comparison with the expected root."""
    fn, sn = index, size - 1
    result = leaf
    for element in proof:
        if sn == 0:
            raise ProofInvalid("inclusion proof has more hashes than the path to the root")
        if fn & 1 or fn == sn:
            result = node_hash(element, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofInvalid("inclusion proof has fewer hashes than the path to the root")
    return result


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash ``leaf`` is at ``index`` in the tree of ``size`` with ``root``."""
    _check_length("root hash", root)
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    if not hmac.compare_digest(computed, root):
        raise ProofInvalid(
            f"inclusion proof for leaf {index} of tree size {size} leads to root "
            f"{computed.hex()}, not the expected {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (old_size, old_root) is a prefix of (new_size, new_root).

    Follows RFC 9162 §2.1.4.2, which covers ``0 < old_size < new_size``; for equal sizes the
    proof must be empty and the roots byte-for-byte equal (nothing is hashed, so, as in the
    transparency-dev reference verifier whose test vectors truce passes, their length is not
    checked); an old size of 0 is refused (the RFC defines no proof from the empty tree).
    """
    _check_count("old tree size", old_size)
    _check_count("new tree size", new_size)
    if old_size > new_size:
        raise ProofInvalid(f"old tree size {old_size} is greater than new tree size {new_size}")
    if old_size == 0:
        raise ProofInvalid("old tree size is 0: there is no consistency proof from the empty tree")
    if old_size != new_size:
        _check_length("old root hash", old_root)
        _check_length("new root hash", new_root)
    _check_proof(proof)
    if old_size == new_size:
        if proof:
            raise ProofInvalid(
                f"tree sizes are equal ({old_size}) but the proof has {len(proof)} hashes, not none"
            )
        if not hmac.compare_digest(old_root, new_root):
            raise ProofInvalid(f"tree sizes are equal ({old_size}) but the roots differ")
        return
    expected = consistency_proof_length(old_size, new_size)
    if len(proof) != expected:
        raise ProofInvalid(
            f"consistency proof has {len(proof)} hashes; sizes {old_size} -> {new_size} "
            f"need {expected}"
        )
    _rfc_consistency_check(old_size, new_size, old_root, new_root, proof)


def _rfc_consistency_check(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2 steps 1 to 7."""
    if not proof:
        raise ProofInvalid("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for element in path[1:]:
        if sn == 0:
            raise ProofInvalid("consistency proof has more hashes than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(element, fr)
            sr = node_hash(element, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofInvalid("consistency proof has fewer hashes than the path to the root")
    if not hmac.compare_digest(fr, old_root):
        raise ProofInvalid(
            f"consistency proof does not reproduce the old root of size {old_size}: got "
            f"{fr.hex()}, expected {old_root.hex()}"
        )
    if not hmac.compare_digest(sr, new_root):
        raise ProofInvalid(
            f"consistency proof does not reproduce the new root of size {new_size}: got "
            f"{sr.hex()}, expected {new_root.hex()}"
        )
