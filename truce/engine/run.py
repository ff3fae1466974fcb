"""The check engine's entry point: every event against every term in force, batch by batch.

:func:`check` streams event batches once. For each batch: one prefilter pass (bit masks by
cell, kind and time), then each unit's exact checks on the events left, then findings with
their explanations. Term-level findings (quiet periods, overdue steps) and the findings of terms
gated by a quiet period are settled at the end, when every event has been seen. With an assumed
start, the same pass also evaluates the agreements under their stated start, so the summary can
say which findings change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import perf_counter
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.agreement import Agreement
from truce.agreement.in_force import gated_by
from truce.engine import kernels
from truce.engine.batch import PreparedBatch
from truce.engine.checks import EventUnit
from truce.engine.checks.base import RunFacts
from truce.engine.compose import Composer
from truce.engine.explain import concat, literal, pick
from truce.engine.findings import (
    ATTEMPT,
    EVENT_STATUSES,
    FINDING_SCHEMA,
    POSSIBLE,
    STATUSES,
    VIOLATION,
    Finding,
    findings_to_batch,
    status_codes,
    status_rank,
    status_words,
    table_to_findings,
)
from truce.engine.layers import FieldCache
from truce.engine.plan import AgreementPlan, compile_agreement, note_reaches
from truce.engine.prefilter import Prefilter
from truce.engine.summary import Summary, diff_findings
from truce.engine.timing import from_micros
from truce.errors import InputError
from truce.instant import Instant

AT_LEAST = {POSSIBLE: (POSSIBLE, ATTEMPT, VIOLATION), VIOLATION: (ATTEMPT, VIOLATION)}
"""Which event statuses ``at_least`` keeps (term-level findings are always kept)."""


class FindingSink(Protocol):
    """Where findings go as they are made (a file writer, for instance)."""

    def write(self, batch: pa.RecordBatch) -> None:
        """Take one batch of findings."""


@dataclass
class CheckResult:
    """Findings (a table in :data:`FINDING_SCHEMA`; empty when they went to a sink) and the
    summary of the run."""

    findings: pa.Table
    summary: Summary

    def finding_list(self) -> list[Finding]:
        """The findings as :class:`Finding` values."""
        return table_to_findings(self.findings)


class _Collect:
    def __init__(self) -> None:
        self.batches: list[pa.RecordBatch] = []

    def write(self, batch: pa.RecordBatch) -> None:
        """Keep the batch."""
        self.batches.append(batch)


class Engine:
    """A check run in progress: feed it batches, then finish it."""

    def __init__(
        self,
        agreements: list[Agreement],
        *,
        assume_start: Instant | None = None,
        at_least: str = POSSIBLE,
        sink: FindingSink | None = None,
        cache: FieldCache | None = None,
    ) -> None:
        if at_least not in AT_LEAST:
            raise InputError(f"at_least must be one of {', '.join(AT_LEAST)}, got {at_least!r}")
        cache = cache or FieldCache()
        kernels.warm()
        for agreement in agreements:
            note_reaches(agreement, cache)
        starts = [None] if assume_start is None else [None, assume_start]
        self.main = len(starts) - 1
        self.plans: list[AgreementPlan] = [
            compile_agreement(a, i, start, cache)
            for i, start in enumerate(starts)
            for a in agreements
        ]
        self.units: list[EventUnit] = [u for p in self.plans for u in p.units]
        self.prefilter = Prefilter(self.units)
        self.composer = Composer()
        self.keep = AT_LEAST[at_least]
        self.weakest = min(status_rank(s) for s in self.keep)
        self.collect = _Collect()
        self.sink: FindingSink = sink or self.collect
        self.facts = RunFacts()
        self.summary = Summary(assumed_start=assume_start.describe() if assume_start else None)
        self.held: dict[tuple[int, str, str], list[pa.Table]] = {}
        self.held_keys: dict[tuple[int, str, str], list[pa.Table]] = {}
        self.timings: dict[str, float] = {}
        """Seconds spent per stage of :meth:`feed` (for benches and progress reports)."""
        self.keys: list[list[pa.Table]] = [[] for _ in starts]
        for plan in self.plans:
            if plan.scenario == self.main:
                self.summary.agreements.append(plan.describe())
                self.summary.not_checkable.extend(plan.not_checkable)
                self.summary.notes.extend(plan.notes)

    def feed(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Check one batch of events."""
        if batch.num_rows == 0:
            return
        clock = perf_counter()
        prepared = PreparedBatch(batch)
        self.facts.see(prepared.start, prepared.end)
        self.summary.events_read += prepared.size
        self.summary.events_unlocated += int((~prepared.located).sum())
        candidates = self.prefilter.candidates(prepared)
        clock = self._tick("prepare and prefilter", clock)
        produced: dict[tuple[int, str, str], list[pa.Table]] = {}
        keyed: dict[tuple[int, str, str], list[pa.Table]] = {}
        gated: set[tuple[int, str, str]] = set()
        comparing = len(self.keys) > 1
        for unit, rows in zip(self.units, candidates, strict=True):
            if len(rows) == 0:
                continue
            hits = unit.evaluate(prepared, rows)
            clock = self._tick("exact checks", clock)
            if len(hits) == 0:
                continue
            if unit.role == "quiet":
                unit.collect(prepared, hits)  # type: ignore[attr-defined]
                continue
            context = unit.context
            key = (context.scenario, context.agreement.id, context.term.id)
            hits = self.composer.settle(unit, prepared, hits)
            if context.gates:
                gated.add(key)
            if comparing:
                keyed.setdefault(key, []).append(self.composer.keys(unit, prepared, hits))
            if context.scenario == self.main:
                if not context.gates:
                    hits = hits.take(hits.status >= self.weakest)
                if len(hits):
                    part = self.composer.compose(unit, prepared, hits)
                    produced.setdefault(key, []).append(pa.Table.from_batches([part]))
            clock = self._tick("findings and explanations", clock)
        for key, parts in keyed.items():
            table = best_per_event(parts)
            if key in gated:
                self.held_keys.setdefault(key, []).append(table)
            else:
                self.keys[key[0]].append(table)
        for key, parts in produced.items():
            table = best_per_event(parts)
            if key in gated:
                self.held.setdefault(key, []).append(table)
            else:
                self._emit(table, key)
        self._tick("summary and output", clock)

    def _tick(self, stage: str, since: float) -> float:
        """Add the time since ``since`` to a stage; the current time."""
        now = perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - since
        return now

    def _emit(self, table: pa.Table, key: tuple[int, str, str]) -> None:
        """Count and write findings of the main scenario that are strong enough (all of the
        term of ``key``: scenario, agreement id, term id)."""
        if len(self.keep) < len(AT_LEAST[POSSIBLE]):
            status = status_codes(table.column("status"))
            wanted = [STATUSES.index(s) for s in self.keep]
            table = table.filter(pa.array(np.isin(status, wanted)))
        if table.num_rows:
            self.summary.add(table, key[1:])
            for batch in table.to_batches():
                self.sink.write(batch)

    def finish(self) -> CheckResult:
        """Settle term checks and gated terms; the result of the run."""
        self.summary.first, self.summary.last = self.facts.first, self.facts.last
        checks = sorted((c for p in self.plans for c in p.checks), key=lambda c: c.order)
        term_findings: list[tuple[int, Finding]] = []
        for check in checks:
            term_findings.extend((check.context.scenario, f) for f in check.finish(self.facts))
        for key, tables in sorted(self.held.items()):
            plan = next(p for p in self.plans if (p.scenario, p.agreement.id) == key[:2])
            self._emit(gate(pa.concat_tables(tables), plan, key[2], self.facts), key)
        for key, tables in sorted(self.held_keys.items()):
            plan = next(p for p in self.plans if (p.scenario, p.agreement.id) == key[:2])
            self.keys[key[0]].append(gate(pa.concat_tables(tables), plan, key[2], self.facts))
        main = [f for scenario, f in term_findings if scenario == self.main]
        self.summary.term_findings = main
        if main:
            batch = findings_to_batch(main)
            self.summary.add(batch)
            self.sink.write(batch)
        if len(self.keys) > 1:
            before, after = (_concat_keys(k) for k in self.keys)
            self.summary.changes = diff_findings(before, after)
        if self.sink is self.collect:
            findings = pa.Table.from_batches(self.collect.batches, schema=FINDING_SCHEMA)
        else:
            findings = FINDING_SCHEMA.empty_table()
        return CheckResult(findings, self.summary)


def _concat_keys(tables: list[pa.Table]) -> pa.Table:
    schema = pa.schema(
        [
            FINDING_SCHEMA.field(n).with_type(pa.string())
            for n in ("agreement", "term", "event_id", "status")
        ]
    )
    return pa.concat_tables(
        [schema.empty_table(), *(t.select(schema.names).cast(schema) for t in tables)]
    )


def best_per_event(parts: list[pa.Table]) -> pa.Table:
    """For findings of one term, only the strongest per event (then the nearest)."""
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables(parts)
    events = pc.dictionary_encode(table.column("event_id")).combine_chunks()
    index = events.indices.to_numpy(zero_copy_only=False)
    rank = _ranks(table.column("status"))
    distance = pc.fill_null(table.column("distance_m"), literal(np.inf)).to_numpy()
    order = np.lexsort((distance, -rank, index))
    first = np.ones(len(order), dtype=bool)
    first[1:] = index[order][1:] != index[order][:-1]
    return table.take(pa.array(np.sort(order[first])))


def _ranks(status: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """:func:`status_rank` of each status, from its code (no Python loop over rows)."""
    codes = status_codes(status)
    return np.where((codes >= 0) & (codes < len(EVENT_STATUSES)), codes + 1, 0)


def gate(table: pa.Table, plan: AgreementPlan, term_id: str, facts: RunFacts) -> pa.Table:
    """Findings of a gated term, kept only from when its quiet period(s) were met."""
    term = plan.agreement.term(term_id)
    gates = gated_by(plan.agreement, term_id)
    outcomes = [facts.quiet.get((plan.scenario, plan.agreement.id, g.id)) for g in gates]
    if term is None or any(o is None or o.early is None for o in outcomes):
        return table.slice(0, 0)
    early = max(o.early for o in outcomes if o is not None and o.early is not None)
    lates = [o.late for o in outcomes if o is not None]
    late = None if any(v is None for v in lates) else max(v for v in lates if v is not None)
    start = pc.cast(table.column("time_start"), pa.int64()).to_numpy(zero_copy_only=False)
    end = pc.cast(table.column("time_end"), pa.int64()).to_numpy(zero_copy_only=False)
    keep = end > early
    unsure = start < early
    if late is None or late > early:
        unsure |= start < (late if late is not None else np.iinfo(np.int64).max)
    names = ", ".join(g.id for g in gates)
    met = from_micros(early).strftime("%Y-%m-%d %H:%MZ")
    note = (
        f" The term binds only once quiet period {names} was met ({met}); this event may come "
        "before that, or the uncertain breaks may have delayed it, so it is at most possible."
    )
    codes = status_codes(table.column("status"))
    status = status_words(np.where(unsure, STATUSES.index(POSSIBLE), codes))
    table = table.set_column(table.schema.get_field_index("status"), "status", status)
    if "explanation" in table.column_names:
        explanation = pick(
            unsure, concat(table.column("explanation"), note), table.column("explanation")
        )
        index = table.schema.get_field_index("explanation")
        table = table.set_column(index, "explanation", explanation)
    table = table.filter(pa.array(keep))
    return table.cast(FINDING_SCHEMA) if "explanation" in table.column_names else table


def check(
    agreements: list[Agreement],
    event_batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    assume_start: Instant | None = None,
    at_least: str = POSSIBLE,
    sink: FindingSink | None = None,
    cache: FieldCache | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> CheckResult:
    """Check every event against every term in force of the agreements.

    ``event_batches`` are record batches (or tables) in the event schema. ``assume_start``
    reruns with another entry into force and reports which findings change. ``at_least``
    (``possible`` or ``violation``) drops weaker event findings. Findings go to ``sink`` as they
    are made when one is given (the result's table is then empty), else into the result.
    ``on_batch`` is called with each batch's size (for progress bars).
    """
    engine = Engine(
        agreements, assume_start=assume_start, at_least=at_least, sink=sink, cache=cache
    )
    for batch in event_batches:
        engine.feed(batch)
        if on_batch is not None:
            on_batch(batch.num_rows)
    return engine.finish()
