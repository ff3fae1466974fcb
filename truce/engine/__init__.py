"""The check engine: every event against every term in force, explained.

Typical use::

    from truce.agreement import load_agreement
    from truce.engine import check

    agreement = load_agreement("examples/agreements/energy-moratorium-2025.yaml")
    result = check([agreement], batches)          # batches: event record batches
    result.findings                               # a pyarrow Table in FINDING_SCHEMA
    result.summary.to_dict()                      # per term, per party bound, per day

See ``docs/engine.md`` for how findings are decided.
"""

from truce.engine.findings import (
    ATTEMPT,
    FINDING_SCHEMA,
    OVERDUE,
    POSSIBLE,
    QUIET_PERIOD_MET,
    QUIET_PERIOD_NOT_MET,
    STATUSES,
    UNATTRIBUTED,
    VIOLATION,
    Finding,
)
from truce.engine.run import CheckResult, Engine, FindingSink, check
from truce.engine.summary import Summary

__all__ = [
    "ATTEMPT",
    "FINDING_SCHEMA",
    "OVERDUE",
    "POSSIBLE",
    "QUIET_PERIOD_MET",
    "QUIET_PERIOD_NOT_MET",
    "STATUSES",
    "UNATTRIBUTED",
    "VIOLATION",
    "CheckResult",
    "Engine",
    "Finding",
    "FindingSink",
    "Summary",
    "check",
]
