"""MerkleTree, MemoryNodeStore and the verifiers: known values, errors, corruption."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence

import pytest

from tests.ledger.merkle_reference import consistency_expressions, inclusion_expression
from truce.errors import LedgerError, ProofInvalid
from truce.ledger import (
    EMPTY_ROOT,
    MemoryNodeStore,
    MerkleTree,
    NodeKey,
    NodeRow,
    consistency_proof_length,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from truce.ledger.merkle import _rfc_consistency_check, _rfc_inclusion_root

CORRUPTION_MAX_SIZE = 20


def _tree(size: int) -> MerkleTree:
    tree = MerkleTree()
    tree.append_many([leaf_hash(i.to_bytes(4, "big")) for i in range(size)])
    return tree


def _bit_flips(proof: Sequence[bytes]) -> Iterator[tuple[int, int, list[bytes]]]:
    """Every copy of ``proof`` with exactly one bit of one element flipped."""
    for position, element in enumerate(proof):
        for bit in range(len(element) * 8):
            flipped = bytearray(element)
            flipped[bit // 8] ^= 1 << (bit % 8)
            yield position, bit, [*proof[:position], bytes(flipped), *proof[position + 1 :]]


def _extra_and_missing(proof: Sequence[bytes], filler: bytes) -> Iterator[list[bytes]]:
    """Every copy of ``proof`` with one element inserted anywhere or one element removed."""
    for position in range(len(proof) + 1):
        yield [*proof[:position], filler, *proof[position:]]
        if position < len(proof):
            yield [*proof[:position], proof[position], *proof[position:]]  # duplicated
    for position in range(len(proof)):
        yield [*proof[:position], *proof[position + 1 :]]


def test_known_hashes() -> None:
    """Empty root and the RFC 6962 leaf hash of the empty string."""
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert MerkleTree().root() == EMPTY_ROOT


def test_single_append_equals_batch_append() -> None:
    """Leaf-by-leaf and batched appends build the same stored rows and roots."""
    one_by_one = MerkleTree()
    for i in range(37):
        assert one_by_one.append(leaf_hash(bytes([i]))) == i
    batched = MerkleTree()
    batched.append_many([leaf_hash(bytes([i])) for i in range(10)])
    batched.append_many([leaf_hash(bytes([i])) for i in range(10, 11)])
    rows = batched.append_many([leaf_hash(bytes([i])) for i in range(11, 37)])
    assert rows[0] == NodeRow(0, 11, leaf_hash(bytes([11])))
    assert batched.append_many([]) == []
    for size in range(38):
        assert one_by_one.root(size) == batched.root(size)


def test_append_many_rows_are_exactly_the_new_perfect_subtrees() -> None:
    """Growing a tree from 3 to 8 leaves adds the leaves and every subtree they complete."""
    tree = _tree(3)
    rows = tree.append_many([leaf_hash(bytes([i])) for i in range(5)])
    keys = sorted((row.level, row.index) for row in rows)
    assert keys == [
        (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (1, 1), (1, 2), (1, 3), (2, 0), (2, 1), (3, 0)
    ]  # fmt: skip


class CountingStore(MemoryNodeStore):
    """A memory store that counts calls and keys read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[int] = []
        self.writes = 0

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Count, then read."""
        self.reads.append(len(keys))
        return super().get_nodes(keys)

    def put_nodes(self, rows: Sequence[NodeRow]) -> None:
        """Count, then write."""
        self.writes += 1
        super().put_nodes(rows)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 9, 100, 1000, 1023, 1024, 1025])
def test_one_round_trip_and_logarithmic_reads(size: int) -> None:
    """Append: one read, one write. Root and proofs: one read of at most 2 log2(n) + 2 nodes."""
    store = CountingStore()
    tree = MerkleTree(store)
    tree.append_many([leaf_hash(i.to_bytes(4, "big")) for i in range(size)])
    assert (len(store.reads), store.writes) == (1, 1)
    bound = 2 * size.bit_length() + 2
    for call in (
        lambda: tree.root(),
        lambda: tree.root(size // 2 + 1),
        lambda: tree.inclusion_proof(size // 3, size),
        lambda: tree.inclusion_proof(size - 1),
        lambda: tree.consistency_proof(max(1, size // 3), size),
    ):
        store.reads.clear()
        call()
        assert len(store.reads) == 1
        assert store.reads[0] <= bound
    store.reads.clear()
    tree.append(leaf_hash(b"one more"))
    assert len(store.reads) == 1
    assert store.reads[0] <= size.bit_length()
    assert store.writes == 2


def test_memory_store_is_append_only() -> None:
    """Overwrites, gaps in the leaves and wrong-length hashes are refused, atomically."""
    store = MemoryNodeStore()
    good = leaf_hash(b"x")
    store.put_nodes([NodeRow(0, 0, good)])
    with pytest.raises(LedgerError, match="already stored"):
        store.put_nodes([NodeRow(0, 0, good)])
    with pytest.raises(LedgerError, match="does not follow"):
        store.put_nodes([NodeRow(0, 2, good)])
    with pytest.raises(LedgerError, match="bytes, not 32"):
        store.put_nodes([NodeRow(0, 1, b"short")])
    with pytest.raises(LedgerError, match="already stored"):
        store.put_nodes([NodeRow(0, 1, good), NodeRow(0, 0, good)])
    assert store.leaf_count() == 1  # the failed batch left nothing behind
    with pytest.raises(LedgerError, match="no node"):
        store.get_nodes([(0, 1)])


def test_tree_refuses_bad_arguments() -> None:
    """Sizes and indexes outside the tree raise LedgerError."""
    tree = _tree(5)
    with pytest.raises(LedgerError, match=r"outside 0\.\.5"):
        tree.root(6)
    with pytest.raises(LedgerError, match="outside a tree of size 3"):
        tree.inclusion_proof(3, 3)
    with pytest.raises(LedgerError, match="outside a tree of size 5"):
        tree.leaf(-1)
    with pytest.raises(LedgerError, match="0 < old size <= new size"):
        tree.consistency_proof(0, 5)
    with pytest.raises(LedgerError, match="0 < old size <= new size"):
        tree.consistency_proof(4, 3)
    with pytest.raises(LedgerError, match="leaf hash 1 is 3 bytes"):
        tree.append_many([leaf_hash(b""), b"abc"])
    assert tree.size == 5
    assert tree.consistency_proof(5) == []


def test_verifier_messages_name_the_failed_check() -> None:
    """Each refusal says which check failed."""
    tree = _tree(6)
    root, leaf = tree.root(), tree.leaf(2)
    proof = tree.inclusion_proof(2)
    with pytest.raises(ProofInvalid, match="leaf index 6 is not less than tree size 6"):
        verify_inclusion(leaf, 6, 6, proof, root)
    with pytest.raises(ProofInvalid, match="leaf index must be a non-negative integer"):
        verify_inclusion(leaf, -1, 6, proof, root)
    with pytest.raises(ProofInvalid, match="proof element 1 is 31 bytes, expected 32"):
        verify_inclusion(leaf, 2, 6, [proof[0], proof[1][:31], proof[2]], root)
    with pytest.raises(ProofInvalid, match="root hash is 0 bytes"):
        verify_inclusion(leaf, 2, 6, proof, b"")
    with pytest.raises(ProofInvalid, match="leaf hash is 33 bytes"):
        verify_inclusion(leaf + b"!", 2, 6, proof, root)
    with pytest.raises(ProofInvalid, match="has 4 hashes; leaf 2 of a tree of size 6 needs 3"):
        verify_inclusion(leaf, 2, 6, [*proof, root], root)
    with pytest.raises(ProofInvalid, match="leads to root"):
        verify_inclusion(tree.leaf(3), 2, 6, proof, root)
    assert root_from_inclusion_proof(leaf, 2, 6, proof) == root

    old_root = tree.root(3)
    consistency = tree.consistency_proof(3, 6)
    with pytest.raises(ProofInvalid, match="old tree size 4 is greater than new tree size 3"):
        verify_consistency(4, 3, old_root, root, consistency)
    with pytest.raises(ProofInvalid, match="old tree size is 0"):
        verify_consistency(0, 6, EMPTY_ROOT, root, [])
    with pytest.raises(ProofInvalid, match="sizes are equal \\(6\\) but the roots differ"):
        verify_consistency(6, 6, old_root, root, [])
    with pytest.raises(ProofInvalid, match="sizes are equal \\(6\\) but the proof has 1"):
        verify_consistency(6, 6, root, root, [root])
    with pytest.raises(ProofInvalid, match="has 2 hashes; sizes 3 -> 6 need 4"):
        verify_consistency(3, 6, old_root, root, consistency[:2])
    with pytest.raises(ProofInvalid, match="does not reproduce the old root of size 3"):
        verify_consistency(3, 6, tree.root(2), root, consistency)
    with pytest.raises(ProofInvalid, match="does not reproduce the new root of size 6"):
        verify_consistency(3, 6, old_root, tree.root(5), consistency)
    verify_consistency(3, 6, old_root, root, consistency)
    verify_consistency(6, 6, root, root, [])


def test_proof_lengths_match_generated_proofs() -> None:
    """The expected-length formulas agree with the proofs the tree generates."""
    tree = _tree(70)
    for size in range(1, 71):
        for index in range(size):
            assert len(tree.inclusion_proof(index, size)) == inclusion_proof_length(index, size)
        for old in range(1, size):
            assert len(tree.consistency_proof(old, size)) == consistency_proof_length(old, size)


def _accepts(verify: Callable[..., None], *args: object) -> bool:
    """Whether ``verify(*args)`` accepts; ProofInvalid means it rejects."""
    try:
        verify(*args)
    except ProofInvalid:
        return False
    return True


@pytest.mark.parametrize("size", range(1, CORRUPTION_MAX_SIZE + 1))
def test_inclusion_corruption_is_rejected(size: int) -> None:
    """Every bit flip, wrong index, extra or missing element is rejected; wrong sizes too.

    A wrong size is only detectable where it changes the shape of the computation: RFC 9162
    inclusion proofs do not bind the tree size (the signed checkpoint does), so a size whose
    path has the same shape must pass and every other size must fail.
    """
    tree = _tree(size)
    root = tree.root()
    for index in range(size):
        leaf, proof = tree.leaf(index), tree.inclusion_proof(index)
        assert _accepts(verify_inclusion, leaf, index, size, proof, root)
        for position, bit, corrupted in _bit_flips(proof):
            assert not _accepts(verify_inclusion, leaf, index, size, corrupted, root), (
                f"leaf {index}: flip of bit {bit} of element {position} accepted"
            )
        for _, bit, (flipped_leaf,) in _bit_flips([leaf]):
            assert not _accepts(verify_inclusion, flipped_leaf, index, size, proof, root), bit
        for _, bit, (flipped_root,) in _bit_flips([root]):
            assert not _accepts(verify_inclusion, leaf, index, size, proof, flipped_root), bit
        for wrong_index in [*range(size + 2), 2**64 - 1, -1]:
            if wrong_index != index:
                assert not _accepts(verify_inclusion, leaf, wrong_index, size, proof, root), (
                    f"leaf {index}: index {wrong_index} accepted"
                )
        for altered in _extra_and_missing(proof, leaf_hash(b"filler")):
            assert not _accepts(verify_inclusion, leaf, index, size, altered, root), altered
        shape = inclusion_expression(index, size)
        for wrong_size in [*range(2 * size + 3), -1]:
            if wrong_size != size:
                same_shape = wrong_size > index and inclusion_expression(index, wrong_size) == shape
                accepted = _accepts(verify_inclusion, leaf, index, wrong_size, proof, root)
                assert accepted == same_shape, f"leaf {index}: size {wrong_size}"


@pytest.mark.parametrize("new_size", range(2, CORRUPTION_MAX_SIZE + 1))
def test_consistency_corruption_is_rejected(new_size: int) -> None:
    """Every bit flip, extra or missing element, wrong root or size is rejected.

    As for inclusion, a pair of sizes whose proof has the same shape must pass and every other
    pair must fail.
    """
    tree = _tree(2 * new_size + 2)
    new_root = tree.root(new_size)
    for old_size in range(1, new_size):
        old_root, proof = tree.root(old_size), tree.consistency_proof(old_size, new_size)
        args = (old_size, new_size, old_root, new_root)
        assert _accepts(verify_consistency, *args, proof)
        for position, bit, corrupted in _bit_flips(proof):
            assert not _accepts(verify_consistency, *args, corrupted), (
                f"old size {old_size}: flip of bit {bit} of element {position} accepted"
            )
        for _, _bit, (flipped,) in _bit_flips([old_root]):
            assert not _accepts(verify_consistency, old_size, new_size, flipped, new_root, proof)
        for _, _bit, (flipped,) in _bit_flips([new_root]):
            assert not _accepts(verify_consistency, old_size, new_size, old_root, flipped, proof)
        for altered in _extra_and_missing(proof, leaf_hash(b"filler")):
            assert not _accepts(verify_consistency, *args, altered), altered
        assert not _accepts(verify_consistency, old_size, new_size, new_root, old_root, proof)
        later_root = tree.root(new_size + 1)
        assert not _accepts(verify_consistency, old_size, new_size, old_root, later_root, proof)
        shape = consistency_expressions(old_size, new_size)
        for wrong_old in range(-1, new_size + 2):
            for wrong_new in range(-1, 2 * new_size + 2):
                if (wrong_old, wrong_new) == (old_size, new_size):
                    continue
                same_shape = (
                    0 < wrong_old < wrong_new
                    and consistency_expressions(wrong_old, wrong_new) == shape
                )
                accepted = _accepts(
                    verify_consistency, wrong_old, wrong_new, old_root, new_root, proof
                )
                assert accepted == same_shape, f"{old_size}->{new_size} as {wrong_old}->{wrong_new}"


def test_wrong_size_shape_rule_is_not_vacuous() -> None:
    """Some wrong sizes do share a shape, so the rule above is exercised both ways."""
    assert inclusion_expression(0, 3) == inclusion_expression(0, 4)
    tree = _tree(8)
    verify_inclusion(tree.leaf(0), 0, 4, tree.inclusion_proof(0, 3), tree.root(3))
    assert inclusion_expression(2, 3) != inclusion_expression(2, 4)
    assert consistency_expressions(2, 3) == consistency_expressions(2, 4)
    verify_consistency(2, 4, tree.root(2), tree.root(3), tree.consistency_proof(2, 3))


@pytest.mark.parametrize("size", range(1, CORRUPTION_MAX_SIZE + 1))
def test_rfc_steps_alone_reject_extra_and_missing_elements(size: int) -> None:
    """Without the up-front length check, the RFC 9162 loops still refuse wrong lengths."""
    tree = _tree(size)
    filler = leaf_hash(b"filler")
    for index in range(size):
        proof = tree.inclusion_proof(index)
        assert _rfc_inclusion_root(tree.leaf(index), index, size, proof) == tree.root()
        for altered in _extra_and_missing(proof, filler):
            if len(altered) != len(proof):
                with pytest.raises(ProofInvalid, match="hashes than the path"):
                    _rfc_inclusion_root(tree.leaf(index), index, size, altered)
    for old in range(1, size):
        args = (old, size, tree.root(old), tree.root())
        proof = tree.consistency_proof(old, size)
        _rfc_consistency_check(*args, proof)
        for altered in _extra_and_missing(proof, filler):
            if len(altered) != len(proof):
                assert not _accepts(_rfc_consistency_check, *args, altered), altered
