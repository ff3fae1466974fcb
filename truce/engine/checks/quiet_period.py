"""Quiet periods: when (if ever) a zone first had N consecutive days with no counted act.

Counted acts are events of the listed kinds (narrower included) in the zone, during the term's
window. Quiet can only be seen where there are events: the search runs from the later of the
term's start and the first event checked, to the earlier of its end and the last event.

Two answers are computed: counting only certain breaks (``early``: the soonest the quiet period
can have been met) and counting possible breaks too (``late``). Terms gated by the quiet period
bind from ``early``; their findings before ``late`` are at most possible.
"""

from __future__ import annotations

import numpy as np

from truce.agreement.terms import QuietPeriod
from truce.engine.batch import PreparedBatch
from truce.engine.checks.base import (
    VIOLATION,
    Compiled,
    EventUnit,
    Hits,
    QuietOutcome,
    RunFacts,
    TermCheck,
    TermSetup,
    UnitContext,
    Words,
    act_levels,
    final_status,
    kind_level,
    screen,
)
from truce.engine.checks.zone_restriction import against_area, area_hits, area_words
from truce.engine.fields import Field
from truce.engine.findings import QUIET_PERIOD_MET, QUIET_PERIOD_NOT_MET, Finding
from truce.engine.grid import IntArray
from truce.engine.layers import AreaSet, area_set
from truce.engine.timing import from_micros


class QuietPeriodCheck(TermCheck):
    """Collects the breaks of a quiet period and says when it was first met."""

    order = 0

    def __init__(self, context: UnitContext, term: QuietPeriod, area: AreaSet) -> None:
        super().__init__(context)
        self.term = term
        self.area = area
        self._starts: list[IntArray] = []
        self._ends: list[IntArray] = []
        self._certain: list[np.ndarray] = []

    def add(self, start: IntArray, end: IntArray, certain: np.ndarray) -> None:
        """Record breaks (event spans) and whether each is certain."""
        self._starts.append(start)
        self._ends.append(end)
        self._certain.append(certain)

    def outcome(self, facts: RunFacts) -> QuietOutcome:
        """When the quiet period was first met, counting certain breaks only, then all."""
        start = np.concatenate([np.zeros(0, np.int64), *self._starts])
        end = np.concatenate([np.zeros(0, np.int64), *self._ends])
        certain = np.concatenate([np.zeros(0, bool), *self._certain])
        span = self.context.span
        if facts.first is None or facts.last is None:
            return QuietOutcome(None, None, 0)
        origin = max(span.start, facts.first)
        until = min(span.end, facts.last)
        period = int(self.term.period.seconds * 1_000_000)
        early = first_quiet(start[certain], end[certain], origin, period, until)
        late = first_quiet(start, end, origin, period, until)
        return QuietOutcome(early, late, int((~certain).sum()))

    def finish(self, facts: RunFacts) -> list[Finding]:
        """The term-level finding: met (when) or not met in the checked period."""
        outcome = self.outcome(facts)
        context = self.context
        facts.quiet[(context.scenario, context.agreement.id, self.term.id)] = outcome
        period = self.term.period
        zone = f"{', '.join(self.area.features.names)} (layer {self.area.features.layer})"
        gates = ", ".join(self.term.gates)
        checked = _checked_words(facts)
        if outcome.early is None:
            status = QUIET_PERIOD_NOT_MET
            head = (
                f"Quiet period not met: {checked} there were never {period} in a row without a "
                f"counted act in {zone}, so {gates} never became binding"
            )
            start = end = None
        else:
            status = QUIET_PERIOD_MET
            met = from_micros(outcome.early)
            head = (
                f"Quiet period met: {period} without a counted act in {zone} ended at "
                f"{met:%Y-%m-%d %H:%MZ}; {gates} bind from then"
            )
            if outcome.late != outcome.early:
                late = (
                    "never"
                    if outcome.late is None
                    else f"{from_micros(outcome.late):%Y-%m-%d %H:%MZ}"
                )
                head += (
                    f". Counting the {outcome.possible_breaks} possible break(s) as breaks, it "
                    f"was met only at: {late}; findings under {gates} before then are possible"
                )
            start = from_micros(outcome.early - int(period.seconds * 1_000_000))
            end = met
        return [
            Finding(
                agreement=context.agreement.id,
                term=self.term.id,
                term_type="quiet-period",
                status=status,
                time_start=start,
                time_end=end,
                party_bound=", ".join(self.term.binds),
                feature_layer=self.area.features.layer,
                feature_id=", ".join(self.area.features.ids),
                feature_name=", ".join(self.area.features.names),
                layer_versions=context.versions,
                proxies=context.proxies,
                explanation=(
                    f"{head}. Term '{self.term.id}' (quiet-period) of agreement "
                    f"'{context.agreement.id}': \"{self.term.clause}\" It binds "
                    f"{', '.join(self.term.binds)}. Counted acts: {', '.join(self.term.acts)}. "
                    f"Layers used: {context.versions}. {context.proxies}"
                ).strip(),
            )
        ]


def _checked_words(facts: RunFacts) -> str:
    if facts.first is None or facts.last is None:
        return "with no events checked,"
    first, last = from_micros(facts.first), from_micros(facts.last)
    return f"in the checked period ({first:%Y-%m-%d} to {last:%Y-%m-%d})"


def first_quiet(start: IntArray, end: IntArray, origin: int, period: int, until: int) -> int | None:
    """The first instant ending ``period`` microseconds from ``origin`` on with no break span,
    at or before ``until``; None if there is none."""
    keep = (end >= origin) & (start < until)
    start, end = start[keep], end[keep]
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(np.maximum(end, origin)) if len(end) else np.zeros(0, np.int64)
    opens = np.concatenate([[origin], reach])
    closes = np.concatenate([start, [until]])
    gaps = np.flatnonzero(closes - opens >= period)
    if len(gaps) == 0:
        return None
    met = int(opens[gaps[0]]) + period
    return met if met <= until else None


class QuietPeriodUnit(EventUnit):
    """Finds the breaks of a quiet period in one span; they go to its :class:`QuietPeriodCheck`."""

    role = "quiet"

    def __init__(
        self, context: UnitContext, term: QuietPeriod, area: AreaSet, sink: QuietPeriodCheck
    ) -> None:
        super().__init__(context)
        self.term = term
        self.area = area
        self.sink = sink
        self.kind_levels = act_levels(list(term.acts))

    def near(self) -> list[tuple[Field, float]]:
        """The zone (or corridor)."""
        return [(self.area.field, self.area.corridor_m or 0.0)]

    def evaluate(self, batch: PreparedBatch, rows: IntArray) -> Hits:
        """The breaks among ``rows`` (certain ones have status VIOLATION)."""
        screened = screen(batch, rows, self.context.span, kind_level(batch, rows, self.kind_levels))
        match = against_area(batch, screened.rows, self.area)
        status = final_status(match.space, screened)
        keep = np.flatnonzero(status > 0)
        return area_hits(screened, keep, status, match, self.area)

    def words(self, batch: PreparedBatch, hits: Hits) -> Words:
        """The area (breaks are not findings; words only for completeness)."""
        return area_words(batch, hits, self.area, "the counted acts")

    def collect(self, batch: PreparedBatch, hits: Hits) -> None:
        """Hand the breaks to the term's check."""
        self.sink.add(batch.start[hits.rows], batch.end[hits.rows], hits.status == VIOLATION)


def compile_term(setup: TermSetup, term: QuietPeriod) -> Compiled:
    """A term check gathering breaks, and one unit per version of the zone's layer."""
    compiled = Compiled()
    contexts = setup.contexts([term.zone.layer])
    if not contexts:
        compiled.notes.append(f"{term.id}: no version of layer '{term.zone.layer}' applies")
        return compiled
    first = area_set(setup.agreement, term.zone, contexts[0][1][term.zone.layer], setup.cache)
    check = QuietPeriodCheck(setup.whole([term.zone.layer]), term, first)
    compiled.checks.append(check)
    for context, versions in contexts:
        area = area_set(setup.agreement, term.zone, versions[term.zone.layer], setup.cache)
        compiled.units.append(QuietPeriodUnit(context, term, area, check))
    return compiled
