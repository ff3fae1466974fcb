"""From a unit's hits to findings rows: event columns, attribution, and the explanation."""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.engine.attribution import Attributed, Attributor, party_words, released_masks
from truce.engine.batch import KIND_SLUGS, OUTCOME_SLUGS, PreparedBatch
from truce.engine.checks import EventUnit, Hits
from truce.engine.checks.base import Words
from truce.engine.explain import (
    Part,
    Text,
    choose,
    constant,
    join,
    literal,
    lookup,
    paragraph,
    place,
    sentence_when,
    value_words,
    words_of,
)
from truce.engine.findings import EVENT_STATUSES, FINDING_SCHEMA, UNATTRIBUTED
from truce.engine.timing import micros, minutes_words, stamp_text
from truce.events.model import EVENT_SCHEMA

_HEADS = ("POSSIBLE VIOLATION", "ATTEMPT", "VIOLATION")


class Composer:
    """Builds findings batches, keeping one :class:`Attributor` per agreement."""

    def __init__(self) -> None:
        self._attributors: dict[int, Attributor] = {}

    def _attributor(self, unit: EventUnit) -> Attributor:
        agreement = unit.context.agreement
        if id(agreement) not in self._attributors:
            self._attributors[id(agreement)] = Attributor(agreement)
        return self._attributors[id(agreement)]

    def settle(self, unit: EventUnit, batch: PreparedBatch, hits: Hits) -> Hits:
        """The hits left once recorded releases apply: a finding attributed only to released
        parties, or unattributed when every bound party is released, goes."""
        context = unit.context
        if not context.agreement.reciprocal_release or len(hits) == 0:
            return hits
        binds = list(context.term.binds)
        masks = self._attributor(unit).attribute(_column(batch, "claims", hits), binds).masks
        released = released_masks(context.agreement, context.term.id, binds, batch.start[hits.rows])
        everyone = np.uint64((1 << len(binds)) - 1)
        keep = np.where(masks > 0, (masks & ~released) > 0, (released & everyone) != everyone)
        return hits if keep.all() else hits.take(np.flatnonzero(keep))

    def keys(self, unit: EventUnit, batch: PreparedBatch, hits: Hits) -> pa.Table:
        """Only what says which finding it is and how strong: for comparing scenarios."""
        context = unit.context
        size = len(hits)
        event = _columns(batch, hits, ("event_id", "time_start", "time_end"))
        columns = {
            "agreement": constant(context.agreement.id, size),
            "term": constant(context.term.id, size),
            "event_id": event["event_id"],
            "status": lookup(list(EVENT_STATUSES), hits.status.astype(np.int64) - 1),
            "time_start": event["time_start"],
            "time_end": event["time_end"],
            "distance_m": _floats(hits.distance_m),
        }
        return pa.table({k: _cast(v, FINDING_SCHEMA.field(k).type) for k, v in columns.items()})

    def compose(self, unit: EventUnit, batch: PreparedBatch, hits: Hits) -> pa.RecordBatch:
        """The findings of (settled) ``hits`` as a batch in :data:`FINDING_SCHEMA`."""
        context = unit.context
        term, agreement = context.term, context.agreement
        binds = list(term.binds)
        event = _columns(batch, hits, ("event_id", "source", "time_start", "time_end", "claims"))
        claims = event["claims"]
        attributed = self._attributor(unit).attribute(claims, binds)
        released = released_masks(agreement, term.id, binds, batch.start[hits.rows])
        masks = attributed.masks & ~released
        words = unit.words(batch, hits)
        size = len(hits)
        party_bound = party_words(masks, binds)
        status = lookup(list(EVENT_STATUSES), hits.status.astype(np.int64) - 1)
        entry = micros(context.entry)
        after = (batch.start[hits.rows] - entry) / 1_000_000.0
        columns = {
            "agreement": constant(agreement.id, size),
            "term": constant(term.id, size),
            "term_type": constant(context.term_type, size),
            "status": status,
            "event_id": event["event_id"],
            "source": event["source"],
            "time_start": event["time_start"],
            "time_end": event["time_end"],
            "lon": pa.array(batch.lon[hits.rows]),
            "lat": pa.array(batch.lat[hits.rows]),
            "precision_m": pa.array(batch.precision[hits.rows]),
            "party_bound": party_bound,
            "contested": pa.array(attributed.contested),
            "claims": claims,
            "feature_layer": words.feature_layer,
            "feature_id": words.feature_id,
            "feature_name": words.feature_name,
            "distance_m": _floats(hits.distance_m),
            "limit_m": _floats(hits.limit_m),
            "side": words.side,
            "fraction": pa.array(hits.fraction),
            "time_fraction": pa.array(hits.time_fraction),
            "after_entry_s": pa.array(after),
            "layer_versions": constant(context.versions, size),
            "proxies": constant(context.proxies, size),
        }
        columns["explanation"] = self._explain(unit, batch, hits, words, attributed, columns, after)
        arrays = [_cast(columns[f.name], f.type) for f in FINDING_SCHEMA]
        return pa.RecordBatch.from_arrays(arrays, schema=FINDING_SCHEMA)

    def _explain(
        self,
        unit: EventUnit,
        batch: PreparedBatch,
        hits: Hits,
        words: Words,
        attributed: Attributed,
        columns: dict[str, pa.Array],
        after: np.ndarray,
    ) -> pa.Array:
        context = unit.context
        term, agreement = context.term, context.agreement
        binds = ", ".join(term.binds)
        clause = " ".join(term.clause.split())
        entry = context.entry.describe()
        return paragraph(
            words_of(_HEADS, hits.status.astype(np.int64) - 1),
            ": ",
            words.where,
            ". ",
            words.reasons,
            f"Term '{term.id}' ({context.term_type}) of agreement '{agreement.id}': "
            f'"{clause}" It binds {binds}. Event ',
            columns["event_id"],
            _event_words(batch, hits, columns["source"]),
            value_words(
                np.trunc(after / 60.0).astype(np.int64),
                partial(_relative, entry=entry),
            ),
            _attribution_words(attributed, columns, binds),
            f"Layers used: {context.versions}. {context.proxies}",
        )


@lru_cache(maxsize=65536)
def _relative(minutes: int, entry: str) -> str:
    """' 3 h 0 min before entry into force (in force from ...). '"""
    side = "before" if minutes < 0 else "after"
    return f" {minutes_words(minutes)} {side} entry into force (in force from {entry}). "


def _event_words(batch: PreparedBatch, hits: Hits, source: pa.Array) -> Text:
    """' (source; kind, outcome impact) at 2025-03-19 00:20Z,' per hit."""
    sources = pc.dictionary_encode(source)
    names = sources.dictionary.to_pylist()
    source_code = sources.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    kind = batch.kind[hits.rows].astype(np.int64)
    outcome = batch.outcome[hits.rows].astype(np.int64)
    key = (source_code * (len(KIND_SLUGS) + 1) + kind + 1) * 4 + outcome

    def words(value: int) -> str:
        rest, outcome_code = divmod(value, 4)
        source_code, kind_code = divmod(rest, len(KIND_SLUGS) + 1)
        kind_words = KIND_SLUGS[kind_code - 1] if kind_code else "unknown kind"
        return f" ({names[source_code]}; {kind_words}, outcome {OUTCOME_SLUGS[outcome_code]}) at "

    minute = np.floor_divide(batch.start[hits.rows], 60_000_000)
    return join(value_words(key, words), stamp_text(minute * 60_000_000), ",")


def _attribution_words(attributed: Attributed, columns: dict[str, pa.Array], binds: str) -> Part:
    """Claims, contestedness and the parties bound, as sentences (built only where there are
    claims; the others share one text, given as a plain string when no hit has a claim)."""
    nobody = (
        "Claims: no source attributes it. "
        f"No claim names a party the term binds ({binds}): unattributed. "
    )
    claimed = np.flatnonzero(
        pc.greater(pc.list_value_length(columns["claims"]), literal(0)).to_numpy(
            zero_copy_only=False
        )
    )
    if len(claimed) == 0:
        return nobody
    index = pa.array(claimed)
    party = columns["party_bound"].take(index)
    unattributed = pc.equal(party, literal(UNATTRIBUTED)).to_numpy(zero_copy_only=False)
    words = join(
        "Claims: ",
        attributed.claims_words.take(index),
        ". ",
        sentence_when(
            attributed.contested[claimed],
            "Attribution is contested: the claims name different perpetrators. ",
        ),
        choose(
            unattributed,
            f"No claim names a party the term binds ({binds}): unattributed. ",
            join("Party bound: ", party, ". "),
        ),
    )
    return place(claimed, words, len(attributed.contested), nobody)


def _column(batch: PreparedBatch, name: str, hits: Hits) -> pa.Array:
    return _columns(batch, hits, (name,))[name]


def _columns(batch: PreparedBatch, hits: Hits, names: tuple[str, ...]) -> dict[str, pa.Array]:
    """The hits' rows of some event columns (taken together; dictionaries decoded; a missing
    column null, or empty lists for claims)."""
    present = [n for n in names if n in batch.batch.schema.names]
    taken = batch.batch.select(present).take(pa.array(hits.rows)) if present else None
    out = {}
    for name in names:
        wanted = EVENT_SCHEMA.field(name).type
        if taken is None or name not in present:
            if name == "claims":
                offsets = pa.array(np.zeros(len(hits) + 1, dtype=np.int32))
                out[name] = pa.ListArray.from_arrays(
                    offsets, pa.array([], wanted.value_type), type=wanted
                )
            else:
                out[name] = pa.nulls(len(hits), wanted)
            continue
        column = taken.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if isinstance(column, pa.DictionaryArray):
            column = column.dictionary_decode()
        out[name] = column.cast(wanted) if name == "claims" else column
    return out


def _floats(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.float64)
    return pa.array(values, mask=~np.isfinite(values))


def _cast(array: pa.Array, wanted: pa.DataType) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type == wanted:
        return array
    return array.cast(wanted)
