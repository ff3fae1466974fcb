"""The tamper-evident ledger: an append-only Merkle log with signed checkpoints.

Every record truce keeps (evidence, findings, decisions) is appended to the log as a leaf
hash. The log is an RFC 9162 (Certificate Transparency v2) Merkle tree, so anyone holding only
hashes can check two things without trusting the operator:

* **inclusion**: a record is in the log at a given position, with a proof of O(log n) hashes
  (:func:`verify_inclusion`);
* **consistency**: a later state of the log extends an earlier one, i.e. nothing was removed
  or rewritten, again with O(log n) hashes (:func:`verify_consistency`).

The operator periodically publishes a *checkpoint* (origin, tree size, root hash, UTC time),
signed with Ed25519 in the C2SP signed-note format (:mod:`truce.ledger.checkpoint`). A monitor
that keeps the checkpoints it has seen and checks consistency proofs between them
(:func:`verify_checkpoint_chain`) detects any fork: two signed views of the log that cannot
both be true.

Storage is behind the small :class:`NodeStore` protocol (hashes of perfect subtrees by level
and index); :class:`MemoryNodeStore` is the in-memory implementation.
"""

from truce.ledger.checkpoint import (
    Checkpoint,
    generate_private_key,
    key_id,
    parse_verifier_key,
    private_key_from_pem,
    private_key_to_pem,
    public_key_from_pem,
    public_key_from_raw,
    public_key_to_pem,
    public_key_to_raw,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
    verify_checkpoint_chain,
)
from truce.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    MemoryNodeStore,
    MerkleTree,
    NodeKey,
    NodeRow,
    NodeStore,
    consistency_proof_length,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Checkpoint",
    "MemoryNodeStore",
    "MerkleTree",
    "NodeKey",
    "NodeRow",
    "NodeStore",
    "consistency_proof_length",
    "generate_private_key",
    "inclusion_proof_length",
    "key_id",
    "leaf_hash",
    "node_hash",
    "parse_verifier_key",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_from_pem",
    "public_key_from_raw",
    "public_key_to_pem",
    "public_key_to_raw",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "verifier_key",
    "verify_checkpoint",
    "verify_checkpoint_chain",
    "verify_consistency",
    "verify_inclusion",
]
