"""A naive reference of RFC 9162 §2.1, written straight from the recursive definitions.

Independent of :mod:`truce.ledger.merkle` except for the two hash functions: MTH over a list,
PATH and PROOF as leaf ranges, and the *expression* a verifier evaluates, used to decide
whether a proof made for one (index, size) must also pass for another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

Range = tuple[int, int]
Expression = str | int | tuple["Expression", "Expression"]


def sha256(data: bytes) -> bytes:
    """Plain SHA-256."""
    return hashlib.sha256(data).digest()


def largest_power_below(count: int) -> int:
    """The k of RFC 9162: the largest power of two smaller than ``count`` (count > 1)."""
    k = 1
    while k * 2 < count:
        k *= 2
    return k


def mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1 over leaf *data*, recursively."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0])
    k = largest_power_below(len(leaves))
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path_ranges(m: int, low: int, high: int) -> list[Range]:
    """PATH(m, D[low:high]) of RFC 9162 §2.1.3.1, each element given as its leaf range."""
    if high - low == 1:
        return []
    k = largest_power_below(high - low)
    if m < k:
        return [*path_ranges(m, low, low + k), (low + k, high)]
    return [*path_ranges(m - k, low + k, high), (low, low + k)]


def subproof_ranges(m: int, low: int, high: int, whole: bool) -> list[Range]:
    """SUBPROOF(m, D[low:high], b) of RFC 9162 §2.1.4.1, each element as its leaf range."""
    n = high - low
    if m == n:
        return [] if whole else [(low, high)]
    k = largest_power_below(n)
    if m <= k:
        return [*subproof_ranges(m, low, low + k, whole), (low + k, high)]
    return [*subproof_ranges(m - k, low + k, high, False), (low, low + k)]


def proof_ranges(m: int, n: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 as leaf ranges."""
    return subproof_ranges(m, 0, n, True)


def _expression(low: int, high: int, symbols: dict[Range, str | int]) -> Expression:
    """MTH(D[low:high]) written in terms of the labelled ranges (the proof's elements)."""
    if (low, high) in symbols:
        return symbols[(low, high)]
    if high - low == 1:
        return f"uncovered leaf {low}"
    k = largest_power_below(high - low)
    return (_expression(low, low + k, symbols), _expression(low + k, high, symbols))


def inclusion_expression(index: int, size: int) -> Expression:
    """The root a verifier computes for (index, size), over symbols 'leaf' and proof positions."""
    symbols: dict[Range, str | int] = {(index, index + 1): "leaf"}
    symbols.update((r, j) for j, r in enumerate(path_ranges(index, 0, size)))
    return _expression(0, size, symbols)


def consistency_expressions(old: int, new: int) -> tuple[Expression, Expression]:
    """Old and new roots a verifier computes for (old, new) over proof positions and 'old'."""
    symbols: dict[Range, str | int] = {}
    if old & (old - 1) == 0:  # the verifier seeds with the old root itself (§2.1.4.2 step 2)
        symbols[(0, old)] = "old"
    symbols.update((r, j) for j, r in enumerate(proof_ranges(old, new)))
    return _expression(0, old, symbols), _expression(0, new, symbols)
