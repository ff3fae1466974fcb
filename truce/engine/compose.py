"""From a unit's hits to findings rows: event columns, attribution, and the explanation."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.engine.attribution import Attributed, Attributor, party_words, released_masks
from truce.engine.batch import PreparedBatch
from truce.engine.checks import EventUnit, Hits
from truce.engine.checks.base import POSSIBLE
from truce.engine.explain import concat, constant, lookup, paragraph, pick, sentence_if
from truce.engine.findings import EVENT_STATUSES, FINDING_SCHEMA
from truce.engine.timing import micros, relative_words, stamp_words
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

    def compose(self, unit: EventUnit, batch: PreparedBatch, hits: Hits) -> pa.RecordBatch:
        """The findings of ``hits`` as a batch in :data:`FINDING_SCHEMA`."""
        context = unit.context
        term, agreement = context.term, context.agreement
        binds = list(term.binds)
        claims = _column(batch, "claims", hits)
        attributed = self._attributor(unit).attribute(claims, binds)
        released = released_masks(agreement, term.id, binds, batch.start[hits.rows])
        masks = attributed.masks & ~released
        everyone = np.uint64((1 << len(binds)) - 1)
        keep = np.flatnonzero(
            np.where(attributed.masks > 0, masks > 0, (released & everyone) != everyone)
        )
        if len(keep) < len(hits):
            hits = hits.take(keep)
            claims = claims.take(pa.array(keep))
            attributed = self._attributor(unit).attribute(claims, binds)
            masks = masks[keep]
            released = released[keep]
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
            "event_id": _column(batch, "event_id", hits),
            "source": _column(batch, "source", hits),
            "time_start": _column(batch, "time_start", hits),
            "time_end": _column(batch, "time_end", hits),
            "lon": pa.array(batch.lon[hits.rows]),
            "lat": pa.array(batch.lat[hits.rows]),
            "precision_m": pa.array(batch.precision[hits.rows]),
            "party_bound": party_bound,
            "contested": pa.array(attributed.contested),
            "claims": claims,
            "feature_layer": hits.feature_layer,
            "feature_id": hits.feature_id,
            "feature_name": hits.feature_name,
            "distance_m": _floats(hits.distance_m),
            "limit_m": _floats(hits.limit_m),
            "side": hits.side,
            "fraction": pa.array(hits.fraction),
            "time_fraction": pa.array(hits.time_fraction),
            "after_entry_s": pa.array(after),
            "layer_versions": constant(context.versions, size),
            "proxies": constant(context.proxies, size),
        }
        columns["explanation"] = self._explain(unit, batch, hits, attributed, columns, after)
        arrays = [_cast(columns[f.name], f.type) for f in FINDING_SCHEMA]
        return pa.RecordBatch.from_arrays(arrays, schema=FINDING_SCHEMA)

    def _explain(
        self,
        unit: EventUnit,
        batch: PreparedBatch,
        hits: Hits,
        attributed: Attributed,
        columns: dict[str, pa.Array],
        after: np.ndarray,
    ) -> pa.Array:
        context = unit.context
        term, agreement = context.term, context.agreement
        binds = ", ".join(term.binds)
        head = lookup(list(_HEADS), hits.status.astype(np.int64) - 1)
        reasons = pc.utf8_rtrim(pc.fill_null(hits.reasons, ""), characters="; ")
        unattributed = pc.equal(columns["party_bound"], "unattributed").to_numpy(
            zero_copy_only=False
        )
        contested = np.asarray(columns["contested"].to_numpy(zero_copy_only=False), dtype=bool)
        claims_words = attributed.claims_words
        kind = _column(batch, "kind", hits)
        outcome = _column(batch, "outcome", hits)
        return paragraph(
            head,
            ": ",
            hits.where,
            ". ",
            sentence_if(hits.status == POSSIBLE, "Possible because ", reasons, ". "),
            f"Term '{term.id}' ({context.term_type}) of agreement '{agreement.id}': "
            f'"{" ".join(term.clause.split())}" It binds {binds}. ',
            "Event ",
            columns["event_id"],
            " (",
            columns["source"],
            "; ",
            pc.cast(kind, pa.string()),
            ", outcome ",
            pc.cast(outcome, pa.string()),
            ") at ",
            stamp_words(batch.start[hits.rows]),
            ", ",
            relative_words(after, "entry into force"),
            f" (in force from {context.entry.describe()}). ",
            "Claims: ",
            claims_words,
            ". ",
            sentence_if(
                contested, "Attribution is contested: the claims name different perpetrators. "
            ),
            pick(
                unattributed,
                f"No claim names a party the term binds ({binds}): unattributed. ",
                concat("Party bound: ", columns["party_bound"], ". "),
            ),
            f"Layers used: {context.versions}. ",
            context.proxies,
        )


def _column(batch: PreparedBatch, name: str, hits: Hits) -> pa.Array:
    rows = pa.array(hits.rows)
    wanted = EVENT_SCHEMA.field(name).type
    if name == "claims" and name not in batch.batch.schema.names:
        return pa.array([[]] * len(hits), wanted)
    if name in batch.batch.schema.names:
        column = batch.batch.column(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        taken = column.take(rows)
        if isinstance(taken, pa.DictionaryArray):
            taken = taken.dictionary_decode()
        return taken if name != "claims" else taken.cast(wanted)
    return pa.nulls(len(hits), wanted)


def _floats(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.float64)
    return pa.array(values, mask=~np.isfinite(values))


def _cast(array: pa.Array, wanted: pa.DataType) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type == wanted:
        return array
    return array.cast(wanted)
