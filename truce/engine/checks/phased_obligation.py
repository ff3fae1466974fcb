"""Phased obligations: a step whose deadline passed with no recorded completion is overdue.

Deadlines run from entry into force (the start of the agreement's effective window, or the
assumed start) or, for an obligation that waits for a quiet period, from the moment that quiet
period was first met. Only deadlines within the checked period (from the earliest to the latest
event seen) are judged: the record says nothing about the others.
"""

from __future__ import annotations

from truce.agreement.base import QUIET_PERIOD
from truce.agreement.terms import PhasedObligation
from truce.engine.checks.base import Compiled, RunFacts, TermCheck, TermSetup, UnitContext
from truce.engine.findings import OVERDUE, Finding
from truce.engine.timing import from_micros, micros
from truce.instant import Instant


class PhasedObligationCheck(TermCheck):
    """Overdue steps of a phased obligation, per bound party."""

    order = 1

    def __init__(self, context: UnitContext, term: PhasedObligation) -> None:
        super().__init__(context)
        self.term = term

    def _anchor(self, facts: RunFacts) -> tuple[Instant | None, str]:
        if self.term.after is None:
            return self.context.entry, "entry into force"
        key = (self.context.scenario, self.context.agreement.id, self.term.after)
        outcome = facts.quiet.get(key)
        if outcome is None or outcome.early is None:
            return None, f"quiet period '{self.term.after}'"
        return Instant.from_utc(from_micros(outcome.early)), f"quiet period '{self.term.after}'"

    def finish(self, facts: RunFacts) -> list[Finding]:
        """One finding per bound party and step overdue within the checked period."""
        anchor, anchor_words = self._anchor(facts)
        if anchor is None or facts.last is None:
            return []
        found = []
        for step in self.term.steps:
            due = step.due.resolve(anchor)
            if step.due.anchor == QUIET_PERIOD and self.term.after is None:
                continue
            if facts.first is None or not facts.first <= micros(due) <= facts.last:
                continue
            for party in self.term.binds:
                done = [
                    c.at for c in self.term.completions if c.party == party and c.step == step.id
                ]
                first = min(done, key=lambda i: i.utc) if done else None
                if first is not None and first.utc <= due.utc:
                    continue
                found.append(self._finding(step.id, step.text, party, due, first, anchor_words))
        return found

    def _finding(
        self,
        step: str,
        text: str,
        party: str,
        due: Instant,
        completed: Instant | None,
        anchor_words: str,
    ) -> Finding:
        context = self.context
        late = (
            f"completed late, at {completed.describe()}"
            if completed is not None
            else "no completion is recorded"
        )
        return Finding(
            agreement=context.agreement.id,
            term=self.term.id,
            term_type="phased-obligation",
            status=OVERDUE,
            time_start=due.utc,
            time_end=due.utc,
            party_bound=party,
            layer_versions=context.versions,
            proxies=context.proxies,
            explanation=(
                f"Overdue: step '{step}' ({text}) was due from {party} by {due.describe()} "
                f"(counted from {anchor_words}); {late}. Term '{self.term.id}' "
                f"(phased-obligation) of agreement '{context.agreement.id}': "
                f'"{self.term.clause}" Obligation: {self.term.obligation}.'
            ),
        )


def compile_term(setup: TermSetup, term: PhasedObligation) -> Compiled:
    """A term check only: phased obligations are judged on their deadlines."""
    return Compiled(checks=[PhasedObligationCheck(setup.whole([]), term)])
