"""Corroboration in one call: reports in, incidents and the report-to-incident mapping out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from truce.problems import Problem
from truce.verification.config import CorroborationConfig
from truce.verification.grouping import Grouping, group_reports
from truce.verification.incidents import build_tables
from truce.verification.overrides import Override, apply_overrides
from truce.verification.reports import CORROBORATION_COLUMNS, Reports, as_table, report_arrays

__all__ = ["CORROBORATION_COLUMNS", "Corroboration", "corroborate"]


@dataclass
class Corroboration:
    """The result: incidents, each report's incident, and any problems (as warnings)."""

    incidents: pa.Table
    assignments: pa.Table
    problems: list[Problem] = field(default_factory=list)
    grouping: Grouping | None = None


def corroborate(
    reports: Reports,
    config: CorroborationConfig | None = None,
    overrides: Iterable[Override] = (),
) -> Corroboration:
    """Group ``reports`` into incidents, apply the recorded ``overrides``, and grade each one.

    ``reports`` is a table or batch in the event schema, or any number of them; the result does
    not depend on their order or on how they are split into batches. Only the columns of
    :data:`CORROBORATION_COLUMNS` are read (a caller may leave the others out), and any of
    them that holds strings may be dictionary-encoded.
    """
    config = config or CorroborationConfig()
    table = as_table(reports)
    arrays = report_arrays(table, config)
    grouping = group_reports(arrays)
    arrays = arrays.without_geometry()
    # what reading the columns and grouping freed goes back to the system before the tables
    pa.default_memory_pool().release_unused()
    applied = apply_overrides(
        table.column("event_id"), grouping.leader, grouping.order_key, overrides
    )
    incidents, assignments = build_tables(arrays, grouping, applied, config.party_aliases)
    return Corroboration(incidents, assignments, applied.problems, grouping)
