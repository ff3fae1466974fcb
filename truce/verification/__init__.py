"""Verification: one incident from many reports, corroboration graded, competing claims kept.

A pure library (no storage, no command line):

* :func:`corroborate` groups reports (event batches) into incidents and grades each one;
* :mod:`~truce.verification.grouping` is the grouping rule: re-reports merge, precise reports
  lead, every other report joins the best leader it matches, and matches never chain;
* :mod:`~truce.verification.grading` counts independent origins, finds disputes and contested
  attribution, and gives each incident its grade and reasons;
* :mod:`~truce.verification.overrides` records a person's decisions (detach, split, merge) as
  values and replays them on every run;
* :mod:`~truce.verification.config` holds the settings: source types and their windows,
  sources and their lineage, which kinds may match (:mod:`~truce.verification.compatibility`);
* :mod:`~truce.verification.naive` is the same rule by brute force, for tests and benchmarks.
"""

from truce.verification.compatibility import DEFAULT_KIND_RULES, KindRule, kind_table
from truce.verification.config import (
    SETTINGS,
    CorroborationConfig,
    SourceDeclaration,
    SourceType,
    config_from_mapping,
)
from truce.verification.corroborate import Corroboration, corroborate
from truce.verification.grading import GRADES, REASONS
from truce.verification.incidents import ASSIGNMENT_SCHEMA, INCIDENT_SCHEMA, explain
from truce.verification.overrides import (
    Detach,
    Merge,
    Override,
    Split,
    apply_overrides,
    override_from_dict,
)
from truce.verification.reports import CORROBORATION_COLUMNS

__all__ = [
    "ASSIGNMENT_SCHEMA",
    "CORROBORATION_COLUMNS",
    "DEFAULT_KIND_RULES",
    "GRADES",
    "INCIDENT_SCHEMA",
    "REASONS",
    "SETTINGS",
    "Corroboration",
    "CorroborationConfig",
    "Detach",
    "KindRule",
    "Merge",
    "Override",
    "SourceDeclaration",
    "SourceType",
    "Split",
    "apply_overrides",
    "config_from_mapping",
    "corroborate",
    "explain",
    "kind_table",
    "override_from_dict",
]
