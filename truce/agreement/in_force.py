"""When an agreement and each of its terms binds whom, and why not where they don't.

An agreement is in force at an instant when every required approval was recorded by then, every
condition precedent was met by then, and the instant lies in its window: from entry into force
(or an assumed start, for counterfactual runs) until its end (duration or end instant, extended
by approved extensions, cut short by a declared end). A term binds a party when the agreement is
in force, the term's own active window contains the instant, the party is among those it binds,
and no recorded reciprocal release has freed that party from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from truce.agreement.model import Agreement
from truce.agreement.terms import QuietPeriod, TermBase
from truce.instant import Instant


@dataclass(frozen=True)
class Window:
    """A half-open period [start, end); ``end`` None means open-ended."""

    start: Instant
    end: Instant | None

    def contains(self, at: Instant) -> bool:
        """Whether the instant lies in the window."""
        return self.start.utc <= at.utc and (self.end is None or at.utc < self.end.utc)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "start": self.start.isoformat(),
            "start_stated": self.start.describe(),
            "end": self.end.isoformat() if self.end else None,
            "end_stated": self.end.describe() if self.end else None,
        }


BINDING = "binding"
NOT_BINDING = "not-binding"
CONDITIONAL = "conditional"


@dataclass(frozen=True)
class TermBinding:
    """Whether a term binds a party at an instant (``binding``, ``not-binding`` or
    ``conditional`` on something only the record can tell, such as a quiet period), and why."""

    term: str
    party: str
    status: str
    reason: str

    @property
    def binding(self) -> bool:
        """True only when the term certainly binds the party."""
        return self.status == BINDING

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "term": self.term,
            "party": self.party,
            "status": self.status,
            "binding": self.binding,
            "reason": self.reason,
        }


@dataclass
class InForce:
    """The answer to 'what binds whom at this instant'."""

    agreement: str
    at: Instant
    in_force: bool
    window: Window | None
    reasons: list[str] = field(default_factory=list)
    terms: list[TermBinding] = field(default_factory=list)
    assumed_start: Instant | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "agreement": self.agreement,
            "at": self.at.isoformat(),
            "in_force": self.in_force,
            "window": self.window.to_dict() if self.window else None,
            "assumed_start": self.assumed_start.isoformat() if self.assumed_start else None,
            "reasons": list(self.reasons),
            "terms": [t.to_dict() for t in self.terms],
        }


def window(agreement: Agreement, assume_start: Instant | None = None) -> Window:
    """The agreement's window, ignoring approvals and conditions (see :func:`in_force`)."""
    eif = agreement.entry_into_force
    start = assume_start or eif.at
    end: Instant | None = None
    if eif.until is not None:
        end = eif.until
    elif eif.duration is not None:
        end = start + eif.duration.delta
    for extension in sorted(eif.extensions, key=lambda e: e.agreed_at.utc):
        if not _extension_approved(agreement, extension.approved_by):
            continue
        if extension.until is not None:
            end = extension.until
        elif extension.by is not None and end is not None:
            end = end + extension.by.delta
    if eif.ended is not None and (end is None or eif.ended.at.utc < end.utc):
        end = eif.ended.at
    return Window(start, end)


def _extension_approved(agreement: Agreement, approved_by: list[str]) -> bool:
    required = {p.id for p in agreement.parties if p.must_approve}
    return required.issubset(approved_by)


def blockers(agreement: Agreement, at: Instant) -> list[str]:
    """Why the agreement cannot be in force at ``at`` for want of approvals or conditions."""
    reasons: list[str] = []
    for party in agreement.parties:
        if not party.must_approve:
            continue
        approvals = [a for a in agreement.approvals if a.party == party.id]
        if not approvals:
            reasons.append(f"no approval by {party.id} is recorded")
        elif min(a.at.utc for a in approvals) > at.utc:
            first = min(approvals, key=lambda a: a.at.utc)
            reasons.append(f"{party.id} approved only at {first.at.describe()}")
    for condition in agreement.entry_into_force.conditions_precedent:
        if condition.met is None:
            reasons.append(f"condition precedent '{condition.id}' is not met ({condition.text})")
        elif condition.met.at.utc > at.utc:
            met = condition.met.at.describe()
            reasons.append(f"condition precedent '{condition.id}' was met only at {met}")
    return reasons


def in_force(agreement: Agreement, at: Instant, assume_start: Instant | None = None) -> InForce:
    """Which terms bind whom at ``at``, and why not where they don't."""
    reasons = blockers(agreement, at)
    span = window(agreement, assume_start)
    if not reasons:
        if at.utc < span.start.utc:
            reasons.append(f"not yet in force: enters into force at {span.start.describe()}")
        elif span.end is not None and at.utc >= span.end.utc:
            reasons.append(f"no longer in force: ended at {_end_words(agreement, span)}")
    result = InForce(agreement.id, at, not reasons, span, reasons, [], assume_start)
    for term in agreement.terms:
        for party in term.binds:
            result.terms.append(
                _binding(agreement, term, party, at, span, result.in_force, reasons)
            )
    return result


def _end_words(agreement: Agreement, span: Window) -> str:
    assert span.end is not None
    ended = agreement.entry_into_force.ended
    if ended is not None and ended.at.utc == span.end.utc:
        return f"{span.end.describe()} (declared by {', '.join(ended.by)})"
    return span.end.describe()


def term_window(term: TermBase, span: Window) -> Window:
    """The term's own active window, clipped to the agreement's window."""
    start, end = span.start, span.end
    if term.active is not None:
        if term.active.from_ is not None:
            candidate = term.active.from_.resolve(span.start)
            if candidate.utc > start.utc:
                start = candidate
        if term.active.until is not None:
            candidate = term.active.until.resolve(span.start)
            if end is None or candidate.utc < end.utc:
                end = candidate
    return Window(start, end)


def _binding(
    agreement: Agreement,
    term: TermBase,
    party: str,
    at: Instant,
    span: Window,
    agreement_in_force: bool,
    reasons: list[str],
) -> TermBinding:
    if not agreement_in_force:
        return TermBinding(term.id, party, NOT_BINDING, "; ".join(reasons))
    own = term_window(term, span)
    if not own.contains(at):
        when = f"from {own.start.describe()}" + (f" until {own.end.describe()}" if own.end else "")
        return TermBinding(term.id, party, NOT_BINDING, f"the term applies only {when}")
    release = released(agreement, term.id, party, at)
    if release is not None:
        return TermBinding(term.id, party, NOT_BINDING, release)
    gates = gated_by(agreement, term.id)
    if gates:
        words = "; ".join(f"'{g.id}' ({g.describe()})" for g in gates)
        return TermBinding(
            term.id,
            party,
            CONDITIONAL,
            f"binding once the quiet period {words} has been met; the record decides when",
        )
    if not term.checkable:
        return TermBinding(
            term.id, party, BINDING, "binding (an undertaking: not machine-checkable)"
        )
    return TermBinding(term.id, party, BINDING, "binding")


def gated_by(agreement: Agreement, term_id: str) -> list[QuietPeriod]:
    """The quiet-period terms that a term must wait for."""
    return [t for t in agreement.terms if isinstance(t, QuietPeriod) and term_id in t.gates]


def released(agreement: Agreement, term_id: str, party: str, at: Instant) -> str | None:
    """Why ``party`` is released from the term at ``at``, or None if it is not."""
    for clause in agreement.reciprocal_release:
        if not clause.covers(term_id):
            continue
        for invocation in clause.invocations:
            if invocation.party == party and invocation.at.utc <= at.utc:
                basis = f" on finding {invocation.finding}" if invocation.finding else ""
                return (
                    f"released under '{clause.id}' from {invocation.at.describe()} because of "
                    f"{invocation.because_of}'s violation{basis} (recorded, not automatic)"
                )
    return None


def effective_window(
    agreement: Agreement, assume_start: Instant | None = None
) -> tuple[Window | None, list[str]]:
    """The period in which the agreement is actually in force, or None and why it never is.

    The window starts at entry into force (or the assumed start) but no earlier than the last
    required approval and the last condition precedent met.
    """
    span = window(agreement, assume_start)
    start = span.start
    never: list[str] = []
    for party in agreement.parties:
        if not party.must_approve:
            continue
        approvals = [a.at for a in agreement.approvals if a.party == party.id]
        if not approvals:
            never.append(f"no approval by {party.id} is recorded")
            continue
        first = min(approvals, key=lambda i: i.utc)
        if first.utc > start.utc:
            start = first
    for condition in agreement.entry_into_force.conditions_precedent:
        if condition.met is None:
            never.append(f"condition precedent '{condition.id}' is not met")
        elif condition.met.at.utc > start.utc:
            start = condition.met.at
    if never:
        return None, never
    if span.end is not None and start.utc >= span.end.utc:
        return None, [
            f"its approvals and conditions came only after its end ({span.end.describe()})"
        ]
    return Window(start, span.end), []
