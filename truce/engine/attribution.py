"""Who a finding is attributed to: each source's claim, mapped to the parties a term binds.

Claims are never merged: every claim stays in the finding with its claimant. The parties bound
by the finding (``party_bound``) are the bound parties some claim names as perpetrator (through
the parties' names and aliases); when no claim names one, the finding is ``unattributed``.
Claims naming different perpetrators make the attribution *contested*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.agreement import Agreement
from truce.engine.explain import concat, constant, literal, pick
from truce.engine.findings import UNATTRIBUTED, repeated, words
from truce.engine.grid import IntArray


@dataclass(frozen=True)
class Attributed:
    """Attribution of some findings: bound-party bit masks, contestedness, words."""

    masks: NDArray[np.uint64]
    contested: NDArray[np.bool_]
    party_bound: pa.Array
    claims_words: pa.Array


class Attributor:
    """Maps the claims of events to one agreement's parties, remembering names already seen."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self._names: dict[str, str] = {}

    def identity(self, name: str) -> str:
        """The party id a name denotes, or the name itself (case-folded) if it is no party's."""
        if name not in self._names:
            party = self.agreement.party_named(name)
            self._names[name] = party.id if party else "?" + " ".join(name.split()).casefold()
        return self._names[name]

    def attribute(self, claims: pa.Array, binds: list[str]) -> Attributed:
        """Attribute findings whose events carry ``claims`` (list<struct>), for a term binding
        ``binds`` (at most 64 parties)."""
        size = len(claims)
        counts = np.asarray(
            pc.fill_null(pc.list_value_length(claims), 0).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
        flat = pc.list_flatten(claims)
        if len(flat) == 0:
            nobody = np.zeros(size, dtype=np.uint64)
            return Attributed(
                nobody,
                np.zeros(size, dtype=bool),
                party_words(nobody, binds),
                _claim_words(flat, counts),
            )
        parent = np.repeat(np.arange(size, dtype=np.int64), counts)
        perpetrators = (
            pc.fill_null(flat.field("perpetrator"), literal(""))
            if len(flat)
            else pa.array([], pa.string())
        )
        unique_names = pc.unique(perpetrators).to_pylist()
        identities = [self.identity(name) for name in unique_names]
        unique = sorted(set(identities))
        name_code = np.array([unique.index(i) for i in identities], dtype=np.int64)
        found = pc.index_in(perpetrators, value_set=pa.array(unique_names, pa.string()))
        codes = (
            name_code[np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)]
            if len(flat)
            else np.zeros(0, dtype=np.int64)
        )
        bit_of = {party: np.uint64(1) << np.uint64(i) for i, party in enumerate(binds)}
        bits = np.array([bit_of.get(i, np.uint64(0)) for i in unique], dtype=np.uint64)
        masks = np.zeros(size, dtype=np.uint64)
        if len(codes):
            np.bitwise_or.at(masks, parent, bits[codes])
        distinct = np.unique(parent * (len(unique) + 1) + codes) // (len(unique) + 1)
        contested = np.bincount(distinct, minlength=size)[:size] > 1
        return Attributed(
            masks,
            contested,
            party_words(masks, binds),
            _claim_words(flat, counts),
        )


def party_words(masks: NDArray[np.uint64], binds: list[str]) -> pa.Array:
    """'russia, ukraine' for each mask of bound parties, or 'unattributed', as a dictionary
    array (:data:`truce.engine.findings.WORDS`: one entry per distinct mask)."""
    if not masks.any():
        return repeated(UNATTRIBUTED, len(masks))
    unique, inverse = np.unique(masks, return_inverse=True)
    names = []
    for mask in unique:
        named = [p for i, p in enumerate(binds) if int(mask) >> i & 1]
        names.append(", ".join(named) if named else UNATTRIBUTED)
    return words(inverse.reshape(-1), pa.array(names, pa.string()))


def _claim_words(flat: pa.Array, counts: IntArray) -> pa.Array:
    if len(flat) == 0:
        return constant("no source attributes it", len(counts))
    note = flat.field("note")
    has_note = pc.greater(pc.utf8_length(pc.fill_null(note, literal(""))), literal(0))
    noted = concat(" (", note, ")")
    each = concat(
        pc.fill_null(flat.field("claimant"), literal("a source")),
        " says ",
        pc.fill_null(flat.field("perpetrator"), literal("someone")),
        " did it",
        pc.if_else(has_note, noted, literal("")),
    )
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), each), literal("; "))
    return pick(counts > 0, joined, "no source attributes it")


def released_masks(
    agreement: Agreement, term_id: str, binds: list[str], start: IntArray
) -> NDArray[np.uint64]:
    """For each event start (microseconds), the bound parties released from the term by then."""
    from truce.engine.timing import micros

    released = np.zeros(len(start), dtype=np.uint64)
    for clause in agreement.reciprocal_release:
        if not clause.covers(term_id):
            continue
        for invocation in clause.invocations:
            if invocation.party in binds:
                bit = np.uint64(1) << np.uint64(binds.index(invocation.party))
                released |= np.where(start >= micros(invocation.at), bit, np.uint64(0))
    return released
