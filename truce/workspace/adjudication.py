"""Checking a workspace: the agreements against its incidents (by default) or its raw reports.

:func:`check_workspace` stores the agreements' texts as versions, brings the incidents up to date
(running corroboration again when reports or decisions were added since, or with other settings),
runs the check engine over the incidents (or the reports), writes the findings to a file if asked,
and records every finding in the ledger. A finding on an incident cites it: its explanation ends
with the incident, its grade and the reports it groups, and the recorded finding carries the
incident id and its reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from truce.agreement import Agreement
from truce.engine import CheckResult, check
from truce.engine.output import FindingWriter
from truce.errors import InputError
from truce.instant import Instant
from truce.verification import CorroborationConfig
from truce.workspace.eventrows import iter_event_batches
from truce.workspace.findings import record_findings, store_agreement
from truce.workspace.incidents import (
    IncidentCitations,
    RunSummary,
    corroborate_workspace,
    incident_batches,
    settings_text,
    stale_reasons,
)
from truce.workspace.workspace import Workspace

ON_CHOICES: tuple[str, ...] = ("incidents", "reports")
"""What a workspace check runs on."""

Progress = Callable[[str], None]


@dataclass
class WorkspaceCheck:
    """The result of checking a workspace."""

    result: CheckResult
    on: str
    sources: tuple[str, ...]
    corroboration: RunSummary | None = None
    refreshed_because: list[str] = field(default_factory=list)
    recorded: list[int] = field(default_factory=list)
    out: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the engine's summary, what it ran on, what was recorded."""
        return {
            "on": self.on,
            "sources": list(self.sources),
            "corroborated_again": self.corroboration.to_dict() if self.corroboration else None,
            "corroborated_because": self.refreshed_because,
            "recorded_findings": len(self.recorded),
            "out": self.out,
            **self.result.summary.to_dict(),
        }


class _Sink:
    """Findings cited (for incidents), kept for the ledger, and written to a file if asked."""

    def __init__(self, citations: IncidentCitations | None, writer: FindingWriter | None) -> None:
        self.citations = citations
        self.writer = writer
        self.batches: list[pa.RecordBatch] = []

    def write(self, batch: pa.RecordBatch) -> None:
        if self.citations is not None:
            batch = self.citations.cite(batch)
        self.batches.append(batch)
        if self.writer is not None:
            self.writer.write(batch)


def check_workspace(
    workspace: Workspace,
    agreements: Sequence[Agreement],
    *,
    on: str = "incidents",
    sources: Sequence[str] = (),
    out: str | Path | None = None,
    at_least: str = "possible",
    assume_start: Instant | None = None,
    config: CorroborationConfig | None = None,
    settings: dict[str, Any] | None = None,
    record: bool = True,
    on_batch: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> WorkspaceCheck:
    """Check ``agreements`` against the workspace's incidents (or reports); see the module
    docstring. ``sources`` limits the check to incidents with a report from one of them (or to
    reports from them)."""
    if on not in ON_CHOICES:
        raise InputError(f"check on {on!r}: expected one of {', '.join(ON_CHOICES)}")
    report = progress or (lambda _message: None)
    for agreement in agreements:
        if agreement.path:
            text = Path(agreement.path).read_text(encoding="utf-8")
            store_agreement(workspace, agreement.id, text)
    refreshed: RunSummary | None = None
    because: list[str] = []
    if on == "incidents":
        with workspace.store.read() as conn:
            # without settings given, the current run's settings stand
            given = None if settings is None else settings_text(settings)
            because = stale_reasons(conn, given)
        if because:
            report("corroborating again: " + "; ".join(because))
            refreshed = corroborate_workspace(
                workspace, config, settings=settings, progress=progress
            )
    citations = IncidentCitations() if on == "incidents" else None
    writer = FindingWriter(out) if out is not None else None
    sink = _Sink(citations, writer)
    try:
        with workspace.store.read() as conn:
            if citations is not None:
                batches = incident_batches(conn, citations, tuple(sources))
            else:
                batches = _reports(iter_event_batches(conn), tuple(sources))
            result = check(
                list(agreements),
                batches,
                assume_start=assume_start,
                at_least=at_least,
                sink=sink,
                on_batch=on_batch,
            )
    finally:
        if writer is not None:
            writer.close()
    outcome = WorkspaceCheck(
        result=result,
        on=on,
        sources=tuple(sources),
        corroboration=refreshed,
        refreshed_because=because,
        out=None if out is None else str(out),
    )
    if sink.batches:
        result.findings = pa.Table.from_batches(sink.batches)
    if record:
        report(f"recording {result.findings.num_rows:,} findings in the ledger")
        outcome.recorded = _record(workspace, result.findings, citations)
    return outcome


def _reports(
    batches: Iterator[pa.RecordBatch], sources: tuple[str, ...]
) -> Iterator[pa.RecordBatch]:
    if not sources:
        yield from batches
        return
    wanted = pa.array(sources, pa.string())
    for batch in batches:
        kept = batch.filter(pc.is_in(batch.column("source"), value_set=wanted))
        if kept.num_rows:
            yield kept


def _record(
    workspace: Workspace, findings: pa.Table, citations: IncidentCitations | None
) -> list[int]:
    ids: list[int] = []
    for batch in findings.to_batches(max_chunksize=10_000):
        items = []
        for row in batch.to_pylist():
            data: dict[str, Any] = json.loads(json.dumps(row, default=str))
            if citations is not None and row.get("event_id") in citations.reports:
                data["incident"] = row["event_id"]
                data["reports"] = citations.reports[row["event_id"]]
            items.append((str(row["status"]), str(row["explanation"]), data))
        ids.extend(record_findings(workspace, items))
    return ids
