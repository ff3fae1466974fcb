"""Compiling agreements into what the engine evaluates: units, term checks, and what is left out.

An agreement's terms are checked only while the agreement is in force (its effective window:
entry into force, or an assumed start, no earlier than the last required approval and condition
precedent, until its end) and within each term's own window. A term gated by a quiet period is
compiled like any other; its findings are held until the run knows when the quiet period was met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from truce.agreement import Agreement
from truce.agreement.in_force import Window, effective_window, gated_by, term_window
from truce.agreement.terms import QuietPeriod, WithdrawalDistance, ZoneRestriction
from truce.engine.checks import COMPILERS, NOT_CHECKED, EventUnit, TermCheck, TermSetup
from truce.engine.layers import FieldCache, source_key
from truce.engine.timing import OPEN_END, Span, micros
from truce.instant import Instant


@dataclass
class AgreementPlan:
    """One agreement compiled for one scenario (the stated start, or an assumed one)."""

    agreement: Agreement
    scenario: int
    assume_start: Instant | None
    window: Window | None
    never: list[str]
    units: list[EventUnit] = field(default_factory=list)
    checks: list[TermCheck] = field(default_factory=list)
    not_checkable: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """The agreement's part of the summary."""
        window = self.window
        return {
            "id": self.agreement.id,
            "title": self.agreement.title,
            "file": self.agreement.path,
            "assumed_start": self.assume_start.describe() if self.assume_start else None,
            "in_force": {
                "start": window.start.describe(),
                "end": window.end.describe() if window.end else None,
            }
            if window
            else None,
            "never_in_force_because": self.never,
            "terms": [
                {
                    "id": term.id,
                    "type": getattr(term, "type", ""),
                    "checked": getattr(term, "type", "") in COMPILERS,
                    "gated_by": [g.id for g in gated_by(self.agreement, term.id)],
                }
                for term in self.agreement.terms
            ],
        }


def span_of(window: Window) -> Span:
    """A window in microseconds."""
    return Span(micros(window.start), micros(window.end) if window.end else OPEN_END)


def note_reaches(agreement: Agreement, cache: FieldCache) -> None:
    """Tell the cache how far terms measure from each line, so that one field serves all."""
    for term in agreement.terms:
        layers: dict[str, float] = {}
        if isinstance(term, WithdrawalDistance):
            reach = max((d.metres for d in term.per_side_distances().values()), default=0.0)
            layers = dict.fromkeys(term.reference_lines.values(), reach)
        elif (
            isinstance(term, ZoneRestriction | QuietPeriod)
            and term.zone.within is not None
            and term.zone.features is None
        ):
            layers = {term.zone.layer: term.zone.within.metres}
        for layer_id, reach in layers.items():
            layer = agreement.layer(layer_id)
            for version in range(len(layer.versions) if layer else 0):
                cache.widen(source_key(agreement, layer_id, version), reach)


def compile_agreement(
    agreement: Agreement,
    scenario: int = 0,
    assume_start: Instant | None = None,
    cache: FieldCache | None = None,
) -> AgreementPlan:
    """Compile every term of an agreement."""
    cache = cache or FieldCache()
    window, never = effective_window(agreement, assume_start)
    plan = AgreementPlan(agreement, scenario, assume_start, window, never)
    for term in agreement.terms:
        kind = str(getattr(term, "type", ""))
        if kind in NOT_CHECKED or not term.checkable:
            why = str(getattr(term, "why_not_checkable", "")) or NOT_CHECKED.get(kind, "")
            plan.not_checkable.append(
                {"agreement": agreement.id, "term": term.id, "type": kind, "why": why}
            )
            continue
        if window is None:
            continue
        own = term_window(term, window)
        if own.end is not None and own.end.utc <= own.start.utc:
            plan.notes.append(f"{agreement.id} / {term.id}: its window is empty")
            continue
        gates = tuple(g.id for g in gated_by(agreement, term.id))
        setup = TermSetup(agreement, term, span_of(own), window.start, gates, scenario, cache)
        compiled = COMPILERS[kind](setup, term)
        plan.units.extend(compiled.units)
        plan.checks.extend(compiled.checks)
        plan.notes.extend(f"{agreement.id} / {note}" for note in compiled.notes)
    return plan
