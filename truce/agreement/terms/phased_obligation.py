"""Phased obligations due by deadlines relative to entry into force (or to a quiet period)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from truce.agreement.base import QUIET_PERIOD, StrictModel, TimeRefValue
from truce.agreement.fields import Identifier, InstantValue, Text
from truce.agreement.terms.base import IdRef, TermBase, TermContext


class Step(StrictModel):
    """One stage of a phased obligation and its deadline."""

    id: Identifier
    text: Text = Field(description="what must be done by the deadline")
    due: TimeRefValue = Field(description="the deadline, e.g. '14 days after entry into force'")


class Completion(StrictModel):
    """A recorded completion of a step by a party."""

    party: Identifier
    step: Identifier
    at: InstantValue
    source: Identifier | None = None
    note: Text | None = None


class PhasedObligation(TermBase):
    """Steps each bound party must complete by their deadlines."""

    type: Literal["phased-obligation"]
    obligation: Text = Field(description="the obligation in a few words")
    after: Identifier | None = Field(
        default=None,
        description="id of a quiet-period term whose completion starts the clock "
        "(entry into force when absent)",
    )
    steps: list[Step] = Field(min_length=1)
    completions: list[Completion] = Field(default_factory=list)

    def describe(self) -> str:
        """Plain words."""
        anchor = f" (clock starts when quiet period '{self.after}' is met)" if self.after else ""
        steps = "; ".join(f"{step.text}: by {step.due}" for step in self.steps)
        return f"{self.obligation}{anchor}. {steps}."

    def term_refs(self) -> list[IdRef]:
        """The quiet period it waits for."""
        return [IdRef(("after",), self.after)] if self.after else []

    def party_refs(self) -> list[IdRef]:
        """Parties with recorded completions."""
        return [IdRef(("completions", i, "party"), c.party) for i, c in enumerate(self.completions)]

    def check(self, context: TermContext) -> None:
        """Unique step ids, deadlines in order, completions naming real steps and bound parties."""
        seen: set[str] = set()
        previous = None
        for i, step in enumerate(self.steps):
            if step.id in seen:
                context.problem(("steps", i, "id"), "duplicate-id", f"step id '{step.id}' repeats")
            seen.add(step.id)
            if (
                step.due.offset is not None
                and previous is not None
                and step.due.offset.seconds < previous
            ):
                context.problem(
                    ("steps", i, "due"),
                    "impossible-date",
                    f"step '{step.id}' is due before the step listed before it",
                )
            if step.due.offset is not None:
                previous = step.due.offset.seconds
            if step.due.anchor == QUIET_PERIOD and self.after is None:
                context.problem(
                    ("steps", i, "due"),
                    "wrong-reference",
                    "'after the quiet period' needs the term's 'after' to name a quiet-period term",
                )
            if step.due.anchor != QUIET_PERIOD and step.due.offset is not None and self.after:
                context.problem(
                    ("steps", i, "due"),
                    "wrong-reference",
                    "this obligation waits for a quiet period: say 'N days after the quiet period'",
                )
        if self.after is not None and context.term_type(self.after) not in (None, "quiet-period"):
            context.problem(
                ("after",),
                "wrong-reference",
                f"'after' must name a quiet-period term, '{self.after}' is a "
                f"{context.term_type(self.after)}",
            )
        for i, completion in enumerate(self.completions):
            if completion.step not in seen:
                context.problem(
                    ("completions", i, "step"),
                    "unknown-reference",
                    f"no step '{completion.step}' in this term",
                )
            if completion.party not in self.binds:
                context.problem(
                    ("completions", i, "party"),
                    "unknown-reference",
                    f"party '{completion.party}' is not bound by this term",
                )
