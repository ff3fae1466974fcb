"""Signed checkpoints: format, keys, signatures, chains of checkpoints."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from truce.errors import LedgerError, ProofInvalid
from truce.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    MerkleTree,
    generate_private_key,
    key_id,
    leaf_hash,
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

ORIGIN = "truce.example/ledger/test"
START = datetime(2025, 3, 18, 14, 0, 0, tzinfo=UTC)
# A fixed Ed25519 seed, so that runs are reproducible.
SEED = bytes(range(32))
SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(SEED)
PUBLIC_KEY = SIGNING_KEY.public_key()


def _tree(size: int, tag: bytes = b"") -> MerkleTree:
    tree = MerkleTree()
    tree.append_many([leaf_hash(tag + i.to_bytes(4, "big")) for i in range(size)])
    return tree


def _checkpoint(tree: MerkleTree, size: int, minutes: int = 0) -> Checkpoint:
    return Checkpoint(ORIGIN, size, tree.root(size), START + timedelta(minutes=minutes))


def test_body_format_is_exactly_as_documented() -> None:
    """Origin, size, base64 root, time line; each ending in a newline."""
    root = hashlib.sha256(b"root").digest()
    checkpoint = Checkpoint(ORIGIN, 1234, root, START)
    expected = (
        f"{ORIGIN}\n1234\n{base64.b64encode(root).decode()}\ntime 2025-03-18T14:00:00Z\n"
    ).encode()
    assert checkpoint.to_body() == expected
    assert Checkpoint.from_body(expected) == checkpoint


def test_note_format_is_a_c2sp_signed_note() -> None:
    """Body, empty line, '— name base64(key id || signature)'; Ed25519 is deterministic."""
    checkpoint = _checkpoint(_tree(3), 3)
    note = sign_checkpoint(checkpoint, SIGNING_KEY)
    body, signatures = note.split(b"\n\n")
    assert body + b"\n" == checkpoint.to_body()
    assert signatures.startswith(f"\u2014 {ORIGIN} ".encode())
    assert signatures.endswith(b"\n")
    blob = base64.b64decode(signatures.split(b" ")[-1])
    expected_id = hashlib.sha256(
        ORIGIN.encode() + b"\n\x01" + public_key_to_raw(PUBLIC_KEY)
    ).digest()[:4]
    assert blob[:4] == expected_id == key_id(ORIGIN, PUBLIC_KEY)
    assert blob[4:] == SIGNING_KEY.sign(checkpoint.to_body())
    assert sign_checkpoint(checkpoint, SIGNING_KEY) == note


def test_round_trip() -> None:
    """A signed checkpoint verifies and parses back to the same value."""
    for size in (0, 1, 7, 1024):
        checkpoint = _checkpoint(_tree(size), size)
        assert verify_checkpoint(sign_checkpoint(checkpoint, SIGNING_KEY), PUBLIC_KEY) == checkpoint
    named = sign_checkpoint(checkpoint, SIGNING_KEY, key_name="monitor-key")
    assert verify_checkpoint(named, PUBLIC_KEY, key_name="monitor-key") == checkpoint


def test_time_is_normalised_to_utc_whole_seconds() -> None:
    """Other offsets become UTC; microseconds are dropped before signing."""
    kyiv_summer = timezone(timedelta(hours=3))
    moment = datetime(2025, 3, 18, 17, 0, 5, 999_999, tzinfo=kyiv_summer)
    checkpoint = Checkpoint(ORIGIN, 0, EMPTY_ROOT, moment)
    assert checkpoint.timestamp == datetime(2025, 3, 18, 14, 0, 5, tzinfo=UTC)
    assert checkpoint.timestamp.tzinfo is UTC
    assert checkpoint.to_body().endswith(b"time 2025-03-18T14:00:05Z\n")


@pytest.mark.parametrize(
    ("origin", "size", "root", "moment", "message"),
    [
        ("", 1, EMPTY_ROOT, START, "origin"),
        ("has space", 1, EMPTY_ROOT, START, "origin"),
        ("a+b", 1, EMPTY_ROOT, START, "origin"),
        ("line\nbreak", 1, EMPTY_ROOT, START, "origin"),
        (ORIGIN, -1, EMPTY_ROOT, START, "outside"),
        (ORIGIN, 2**64, EMPTY_ROOT, START, "outside"),
        (ORIGIN, 1, b"short", START, "5 bytes"),
        (ORIGIN, 0, leaf_hash(b""), START, "empty-tree root"),
        (ORIGIN, 1, EMPTY_ROOT, datetime(2025, 1, 1), "timezone-aware"),
    ],
)
def test_invalid_checkpoints_are_refused(
    origin: str, size: int, root: bytes, moment: datetime, message: str
) -> None:
    """Each field is validated when the checkpoint is made."""
    with pytest.raises(LedgerError, match=message):
        Checkpoint(origin, size, root, moment)


@pytest.mark.parametrize(
    "body",
    [
        b"o\n01\nROOT\ntime 2025-03-18T14:00:00Z\n",  # leading zero
        b"o\n+1\nROOT\ntime 2025-03-18T14:00:00Z\n",
        b"o\n1\nROOT\ntime 2025-03-18T14:00:00Z",  # no final newline
        b"o\n1\nROOT\n",  # no time line
        b"o\n1\nROOT\ntime 2025-03-18T14:00:00Z\nextra\n",
        b"o\n1\nROOT\ntime 2025-03-18T14:00:00+00:00\n",
        b"o\n1\nROOT\ntime 2025-02-30T14:00:00Z\n",
        b"o\n1\nROOT\ntime 2025-03-18T14:00:00.5Z\n",
        b"o\n1\nROOT\ntime 2025-03-18 14:00:00Z\n",
        b"o\n1\n" + base64.b64encode(b"x" * 31) + b"\ntime 2025-03-18T14:00:00Z\n",
        b"o\n1\n" + base64.b64encode(b"x" * 32)[:-1] + b"\ntime 2025-03-18T14:00:00Z\n",
        # Same 32 bytes as "...eHg=", but with the two unused padding bits set:
        b"o\n1\neHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh=\ntime 2025-03-18T14:00:00Z\n",
        b"\xff\n1\nROOT\ntime 2025-03-18T14:00:00Z\n",
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    """Only the canonical form parses."""
    root = base64.b64encode(leaf_hash(b"")).decode().encode()
    with pytest.raises(LedgerError):
        Checkpoint.from_body(body.replace(b"ROOT", root))


def test_canonical_body_of_the_malformed_template_parses() -> None:
    """The template the malformed bodies are made from is itself valid."""
    root = base64.b64encode(leaf_hash(b"")).decode().encode()
    body = b"o\n1\n" + root + b"\ntime 2025-03-18T14:00:00Z\n"
    assert Checkpoint.from_body(body).size == 1


def test_every_flipped_bit_of_the_note_is_rejected() -> None:
    """Flipping any bit of any byte (fields, separators, signature) fails verification."""
    note = sign_checkpoint(_checkpoint(_tree(5), 5), SIGNING_KEY)
    for position in range(len(note)):
        for bit in range(8):
            tampered = bytearray(note)
            tampered[position] ^= 1 << bit
            with pytest.raises(ProofInvalid):
                verify_checkpoint(bytes(tampered), PUBLIC_KEY)


def test_wrong_key_or_name_is_rejected() -> None:
    """Another key, or the right key under another name, does not verify."""
    note = sign_checkpoint(_checkpoint(_tree(5), 5), SIGNING_KEY)
    with pytest.raises(ProofInvalid, match="no signature by key"):
        verify_checkpoint(note, generate_private_key().public_key())
    with pytest.raises(ProofInvalid, match="no signature by key 'other'"):
        verify_checkpoint(note, PUBLIC_KEY, key_name="other")


def test_signature_by_impostor_with_same_name_and_id_is_rejected() -> None:
    """A signature line claiming the right key id but made by another key fails Ed25519."""
    checkpoint = _checkpoint(_tree(5), 5)
    impostor = generate_private_key()
    blob = key_id(ORIGIN, PUBLIC_KEY) + impostor.sign(checkpoint.to_body())
    note = checkpoint.to_body() + f"\n\u2014 {ORIGIN} {base64.b64encode(blob).decode()}\n".encode()
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_checkpoint(note, PUBLIC_KEY)


def test_cosignatures_are_ignored_and_each_key_finds_its_own() -> None:
    """A note with a witness cosignature verifies under either key."""
    checkpoint = _checkpoint(_tree(5), 5)
    witness = generate_private_key()
    note = sign_checkpoint(checkpoint, SIGNING_KEY)
    cosigned = sign_checkpoint(checkpoint, witness, key_name="witness.example")
    both = note + cosigned.split(b"\n\n")[1]
    assert verify_checkpoint(both, PUBLIC_KEY) == checkpoint
    assert verify_checkpoint(both, witness.public_key(), key_name="witness.example") == checkpoint
    too_many = note + cosigned.split(b"\n\n")[1] * 100
    with pytest.raises(ProofInvalid, match="more than 100"):
        verify_checkpoint(too_many, PUBLIC_KEY)


def test_key_export_and_import() -> None:
    """Raw, PEM, encrypted PEM and verifier-key forms round-trip; other key types refused."""
    raw = public_key_to_raw(PUBLIC_KEY)
    assert len(raw) == 32
    assert public_key_to_raw(public_key_from_raw(raw)) == raw
    assert public_key_to_raw(public_key_from_pem(public_key_to_pem(PUBLIC_KEY))) == raw
    pem = private_key_to_pem(SIGNING_KEY, password=b"secret")
    assert b"ENCRYPTED" in pem
    restored = private_key_from_pem(pem, password=b"secret")
    assert public_key_to_raw(restored.public_key()) == raw
    with pytest.raises(LedgerError):
        private_key_from_pem(pem, password=b"wrong")
    with pytest.raises(LedgerError):
        public_key_from_raw(raw[:31])
    other = ec.generate_private_key(ec.SECP256R1())
    other_public_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(LedgerError, match="not Ed25519"):
        public_key_from_pem(other_public_pem)
    other_private_pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(LedgerError, match="not Ed25519"):
        private_key_from_pem(other_private_pem)
    with pytest.raises(LedgerError):
        public_key_from_pem(b"not a key")


def test_verifier_key_string() -> None:
    """name+keyid+base64(0x01 || key) round-trips and a wrong id is caught."""
    vkey = verifier_key(ORIGIN, PUBLIC_KEY)
    name, id_hex, encoded = vkey.split("+", 2)
    assert (name, id_hex) == (ORIGIN, key_id(ORIGIN, PUBLIC_KEY).hex())
    assert base64.b64decode(encoded) == b"\x01" + public_key_to_raw(PUBLIC_KEY)
    parsed_name, parsed_key = parse_verifier_key(vkey)
    assert parsed_name == ORIGIN
    assert public_key_to_raw(parsed_key) == public_key_to_raw(PUBLIC_KEY)
    with pytest.raises(LedgerError, match="key id does not match"):
        parse_verifier_key(f"other+{id_hex}+{encoded}")
    wrong_type = base64.b64encode(b"\x02" + bytes(32)).decode()
    with pytest.raises(LedgerError, match="not an Ed25519"):
        parse_verifier_key(f"{name}+{id_hex}+{wrong_type}")


def _chain(tree: MerkleTree, sizes: list[int]) -> tuple[list[bytes], list[list[bytes]]]:
    """Signed checkpoints at ``sizes`` and the consistency proofs between them."""
    notes = [
        sign_checkpoint(_checkpoint(tree, size, minutes), SIGNING_KEY)
        for minutes, size in enumerate(sizes)
    ]
    proofs = [
        tree.consistency_proof(old, new) if 0 < old < new else [] for old, new in pairwise(sizes)
    ]
    return notes, proofs


def test_chain_of_an_honest_log_verifies() -> None:
    """Growing sizes, repeats and a start from the empty tree all verify."""
    tree = _tree(40)
    sizes = [0, 1, 5, 5, 17, 32, 40]
    notes, proofs = _chain(tree, sizes)
    checkpoints = verify_checkpoint_chain(notes, proofs, PUBLIC_KEY)
    assert [c.size for c in checkpoints] == sizes
    assert verify_checkpoint_chain([], [], PUBLIC_KEY) == []
    assert len(verify_checkpoint_chain(notes[:1], [], PUBLIC_KEY)) == 1


def test_chain_detects_a_fork_at_equal_size() -> None:
    """Two checkpoints of the same size with different roots are a fork."""
    honest, forked = _tree(10), _tree(10, tag=b"rewritten")
    notes = [
        sign_checkpoint(_checkpoint(honest, 10, 0), SIGNING_KEY),
        sign_checkpoint(_checkpoint(forked, 10, 1), SIGNING_KEY),
    ]
    with pytest.raises(ProofInvalid, match="fork"):
        verify_checkpoint_chain(notes, [[]], PUBLIC_KEY)


def test_chain_detects_an_inconsistent_later_root() -> None:
    """A later checkpoint whose tree rewrote an old leaf fails its consistency proof."""
    honest = _tree(8)
    rewritten = _tree(3)
    rewritten.append(leaf_hash(b"changed entry 3"))
    rewritten.append_many([leaf_hash(i.to_bytes(4, "big")) for i in range(4, 20)])
    old_note = sign_checkpoint(_checkpoint(honest, 8, 0), SIGNING_KEY)
    new_note = sign_checkpoint(_checkpoint(rewritten, 20, 1), SIGNING_KEY)
    proof = rewritten.consistency_proof(8, 20)
    with pytest.raises(ProofInvalid, match=r"checkpoints 0 -> 1 \(sizes 8 -> 20\)"):
        verify_checkpoint_chain([old_note, new_note], [proof], PUBLIC_KEY)
    # The honest log's own proof does not rescue the rewritten root either.
    honest.append_many([leaf_hash(i.to_bytes(4, "big")) for i in range(8, 20)])
    with pytest.raises(ProofInvalid, match="does not reproduce"):
        verify_checkpoint_chain([old_note, new_note], [honest.consistency_proof(8)], PUBLIC_KEY)


def test_chain_refuses_other_breaks() -> None:
    """Shrinking, time going back, origin changes, bad proofs, bad signatures, miscounts."""
    tree = _tree(20)
    notes, proofs = _chain(tree, [4, 9, 20])
    with pytest.raises(ProofInvalid, match="need 2 consistency proofs, got 1"):
        verify_checkpoint_chain(notes, proofs[:1], PUBLIC_KEY)
    with pytest.raises(ProofInvalid, match="shrank"):
        verify_checkpoint_chain([notes[1], notes[0]], [[]], PUBLIC_KEY)
    late_first = sign_checkpoint(_checkpoint(tree, 4, 30), SIGNING_KEY)
    with pytest.raises(ProofInvalid, match="time goes back"):
        verify_checkpoint_chain([late_first, notes[1]], [proofs[0]], PUBLIC_KEY)
    elsewhere = Checkpoint("other.example/log", 9, tree.root(9), START + timedelta(minutes=1))
    with pytest.raises(ProofInvalid, match="origin changes"):
        verify_checkpoint_chain(
            [notes[0], sign_checkpoint(elsewhere, SIGNING_KEY, key_name=ORIGIN)],
            [proofs[0]],
            PUBLIC_KEY,
            key_name=ORIGIN,
        )
    with pytest.raises(ProofInvalid, match="checkpoints 1 -> 2"):
        verify_checkpoint_chain(notes, [proofs[0], proofs[1][:-1]], PUBLIC_KEY)
    with pytest.raises(ProofInvalid, match="consistency proof must be empty"):
        verify_checkpoint_chain([notes[0], notes[0]], [[tree.root(4)]], PUBLIC_KEY)
    stranger = sign_checkpoint(_checkpoint(tree, 9, 1), generate_private_key())
    with pytest.raises(ProofInvalid, match="checkpoint 1: no signature"):
        verify_checkpoint_chain([notes[0], stranger, notes[2]], proofs, PUBLIC_KEY)
    empty = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT, START), SIGNING_KEY)
    with pytest.raises(ProofInvalid, match="must be empty"):
        verify_checkpoint_chain([empty, notes[0]], [[tree.root(4)]], PUBLIC_KEY)
