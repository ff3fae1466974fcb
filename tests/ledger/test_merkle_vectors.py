"""The transparency-dev/merkle test vectors (tests/fixtures/merkle): 196 cases."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from truce.errors import ProofInvalid
from truce.ledger import MerkleTree, leaf_hash, verify_consistency, verify_inclusion

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "merkle"
CASES = sorted(VECTORS.glob("*/**/*.json"))

# RFC 6962's eight test leaves, from which the numbered vector directories were built.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]

# Cases where truce is stricter than the Go verifier that produced the vectors.


def _case_id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text())
    return case


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _run(case: dict[str, Any]) -> None:
    proof = [_b64(element) for element in case.get("proof") or []]
    if "leafIdx" in case:
        verify_inclusion(
            _b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof, _b64(case["root"])
        )
    else:
        verify_consistency(
            case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof
        )


def test_all_cases_present() -> None:
    """The fixture directory holds the 196 upstream cases."""
    assert len(CASES) == 196
    assert sum(_load(path)["wantErr"] is False for path in CASES) == 12


@pytest.mark.parametrize("path", CASES, ids=_case_id)
def test_vector(path: Path) -> None:
    """Accept every case upstream accepts, reject every case upstream rejects."""
    case = _load(path)
    if case["wantErr"]:
        with pytest.raises(ProofInvalid):
            _run(case)
    else:
        _run(case)


HAPPY = [path for path in CASES if path.name == "happy-path.json"]


@pytest.mark.parametrize("path", HAPPY, ids=_case_id)
def test_tree_reproduces_happy_path_proofs(path: Path) -> None:
    """MerkleTree over the RFC 6962 leaves generates exactly the upstream proofs and roots."""
    tree = MerkleTree()
    tree.append_many([leaf_hash(data) for data in RFC6962_LEAVES])
    case = _load(path)
    proof = [_b64(element) for element in case.get("proof") or []]
    if "leafIdx" in case:
        assert tree.leaf(case["leafIdx"]) == _b64(case["leafHash"])
        assert tree.root(case["treeSize"]) == _b64(case["root"])
        assert tree.inclusion_proof(case["leafIdx"], case["treeSize"]) == proof
    else:
        assert tree.root(case["size1"]) == _b64(case["root1"])
        assert tree.root(case["size2"]) == _b64(case["root2"])
        assert tree.consistency_proof(case["size1"], case["size2"]) == proof
