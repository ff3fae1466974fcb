"""Property tests: MerkleTree against the naive RFC 9162 reference, sizes 1..1024."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ledger.merkle_reference import mth, path_ranges, proof_ranges
from truce.errors import ProofInvalid
from truce.ledger import MerkleTree, leaf_hash, verify_consistency, verify_inclusion

MAX_SIZE = 1024
LEAVES = [f"entry {i}".encode() for i in range(MAX_SIZE)]


@cache
def _shared_tree() -> MerkleTree:
    tree = MerkleTree()
    tree.append_many([leaf_hash(data) for data in LEAVES])
    return tree


@cache
def _reference_mth(low: int, high: int) -> bytes:
    """MTH(LEAVES[low:high]) by the naive recursion, remembered per range."""
    return mth(LEAVES[low:high])


def test_every_root_equals_the_reference() -> None:
    """The incrementally built root of every size 0..1024 equals MTH over the list."""
    tree = _shared_tree()
    for size in range(MAX_SIZE + 1):
        assert tree.root(size) == _reference_mth(0, size), size


def test_every_proof_verifies_up_to_128() -> None:
    """Exhaustively, every inclusion and consistency proof up to size 128 verifies."""
    tree = _shared_tree()
    for size in range(1, 129):
        root = tree.root(size)
        for index in range(size):
            verify_inclusion(tree.leaf(index), index, size, tree.inclusion_proof(index, size), root)
        for old in range(1, size + 1):
            verify_consistency(old, size, tree.root(old), root, tree.consistency_proof(old, size))


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    """A tree size in 1..1024 and a leaf index inside it."""
    size = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(0, size - 1)), size


@st.composite
def old_and_new_size(draw: st.DrawFn) -> tuple[int, int]:
    """Tree sizes 1 <= old <= new <= 1024."""
    new = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(1, new)), new


@settings(max_examples=500, deadline=None)
@given(index_and_size())
def test_inclusion_proof_matches_reference_and_verifies(case: tuple[int, int]) -> None:
    """The proof equals the reference PATH, verifies, and fails for the neighbour leaf."""
    index, size = case
    tree = _shared_tree()
    proof = tree.inclusion_proof(index, size)
    assert proof == [_reference_mth(low, high) for low, high in path_ranges(index, 0, size)]
    root = _reference_mth(0, size)
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, root)
    other = (index + 1) % MAX_SIZE
    with pytest.raises(ProofInvalid):
        verify_inclusion(leaf_hash(LEAVES[other]), index, size, proof, root)


@settings(max_examples=500, deadline=None)
@given(old_and_new_size())
def test_consistency_proof_matches_reference_and_verifies(case: tuple[int, int]) -> None:
    """The proof equals the reference PROOF, verifies, and fails for another old root."""
    old, new = case
    tree = _shared_tree()
    proof = tree.consistency_proof(old, new)
    expected = [] if old == new else proof_ranges(old, new)
    assert proof == [_reference_mth(low, high) for low, high in expected]
    verify_consistency(old, new, _reference_mth(0, old), _reference_mth(0, new), proof)
    with pytest.raises(ProofInvalid):
        verify_consistency(old, new, _reference_mth(0, old - 1), _reference_mth(0, new), proof)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, MAX_SIZE),
    st.binary(max_size=8),
    st.lists(st.integers(1, 300), max_size=20),
)
def test_batched_random_appends_match_reference(
    size: int, salt: bytes, batch_sizes: list[int]
) -> None:
    """Leaves appended in random batches give the reference root at every cut."""
    leaves = [salt + i.to_bytes(2, "big") for i in range(size)]
    tree = MerkleTree()
    position = 0
    cuts = []
    for batch in [*batch_sizes, size]:
        chunk = leaves[position : position + batch]
        tree.append_many([leaf_hash(data) for data in chunk])
        position += len(chunk)
        cuts.append(position)
    assert tree.size == size
    for cut in cuts:
        assert tree.root(cut) == mth(leaves[:cut])
    last = size - 1
    verify_inclusion(leaf_hash(leaves[last]), last, size, tree.inclusion_proof(last), mth(leaves))
