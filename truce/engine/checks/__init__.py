"""One evaluator module per kind of term, chosen by the term's ``type``.

Each module's ``compile_term(setup, term)`` turns a term into event units (evaluated on every
batch) and term checks (run once at the end). Undertakings and notified movements compile into
nothing: the summary lists them as not machine-checkable from event data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from truce.engine.checks import (
    phased_obligation,
    prohibited_act,
    quiet_period,
    withdrawal_distance,
    zone_restriction,
)
from truce.engine.checks.base import Compiled, EventUnit, Hits, TermCheck, TermSetup

COMPILERS: dict[str, Callable[[TermSetup, Any], Compiled]] = {
    "prohibited-act": prohibited_act.compile_term,
    "withdrawal-distance": withdrawal_distance.compile_term,
    "zone-restriction": zone_restriction.compile_term,
    "quiet-period": quiet_period.compile_term,
    "phased-obligation": phased_obligation.compile_term,
}
"""The compile function of every checkable term kind, by ``type``."""

NOT_CHECKED: dict[str, str] = {
    "undertaking": "an undertaking: not machine-checkable",
    "notified-movement": (
        "notified movements need the record of notifications, which event data do not carry"
    ),
}
"""Why the other term kinds produce no findings, by ``type``."""

__all__ = ["COMPILERS", "NOT_CHECKED", "Compiled", "EventUnit", "Hits", "TermCheck", "TermSetup"]
