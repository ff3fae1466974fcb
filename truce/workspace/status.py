"""``truce status``: what the record holds, what is quarantined, where the ledger stands."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.ledger.sqlstore import SqlNodeStore
from truce.workspace.incidents import current_run, stale_reasons
from truce.workspace.ledger import last_checkpoint
from truce.workspace.schema import (
    agreements,
    custody_events,
    decisions,
    derivatives,
    event_identities,
    events,
    evidence,
    evidence_links,
    findings,
    imports,
    incidents,
    layers,
    quarantine,
    sources,
)
from truce.workspace.workspace import Workspace

_COUNTED = {
    "events": events,
    "evidence": evidence,
    "custody_events": custody_events,
    "derivatives": derivatives,
    "evidence_links": evidence_links,
    "findings": findings,
    "incidents": incidents,
    "decisions": decisions,
    "agreements": agreements,
    "layers": layers,
    "sources": sources,
    "imports": imports,
}


def _count(conn: Connection, table: sa.Table, *where: Any) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if where:
        query = query.where(*where)
    return int(conn.execute(query).scalar_one())


def _grouped(conn: Connection, column: Any, *where: Any) -> dict[str, int]:
    query = sa.select(column, sa.func.count()).group_by(column).order_by(column)
    if where:
        query = query.where(*where)
    return {str(key): int(number) for key, number in conn.execute(query)}


def _by_source(conn: Connection) -> dict[str, int]:
    """Stored events by source, from the identity runs (one row per source and write)."""
    query = (
        sa.select(event_identities.c.source, sa.func.sum(event_identities.c.count))
        .group_by(event_identities.c.source)
        .order_by(event_identities.c.source)
    )
    return {str(key): int(number) for key, number in conn.execute(query)}


def workspace_status(workspace: Workspace) -> dict[str, Any]:
    """Counts by kind, quarantined rows by status and reason, and the ledger's state."""
    with workspace.store.read() as conn:
        counts = {name: _count(conn, table) for name, table in _COUNTED.items()}
        leaves = SqlNodeStore(workspace.store, conn).leaf_count()
        checkpoint = last_checkpoint(conn)
        document: dict[str, Any] = {
            "workspace": str(workspace.root),
            "database": workspace.store.url,
            "records": counts,
            "events_by_source": _by_source(conn),
            "quarantine": {
                "by_status": _grouped(conn, quarantine.c.status),
                "open_by_reason": _grouped(conn, quarantine.c.type, quarantine.c.status == "open"),
            },
            "imports_unfinished": _count(conn, imports, imports.c.status == "running"),
            "corroboration": _corroboration(conn),
            "ledger": {
                "origin": workspace.config.origin,
                "leaves": leaves,
                "last_checkpoint": None if checkpoint is None else checkpoint.to_dict(),
                "leaves_after_last_checkpoint": leaves - (checkpoint.size if checkpoint else 0),
            },
        }
    return document


def _corroboration(conn: Connection) -> dict[str, Any] | None:
    run = current_run(conn)
    if run is None:
        return None
    return {
        "run": run["run"],
        "finished_at": run["finished_at"],
        "reports": run["reports"],
        "incidents": run["incidents"],
        "by_grade": run["by_grade"],
        "out_of_date_because": stale_reasons(conn),
    }


def render_status(document: dict[str, Any]) -> str:
    """The status as a few lines of text."""
    counts = document["records"]
    quarantine_state = document["quarantine"]["by_status"]
    ledger = document["ledger"]
    lines = [
        f"workspace {document['workspace']}",
        f"database  {document['database']}",
        "records   " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items()),
        f"quarantined rows: {quarantine_state.get('open', 0)} open, "
        f"{quarantine_state.get('resolved', 0)} resolved, "
        f"{quarantine_state.get('superseded', 0)} superseded",
    ]
    reasons = document["quarantine"]["open_by_reason"]
    if reasons:
        lines.append("  open by reason: " + ", ".join(f"{k} {v}" for k, v in reasons.items()))
    if document["imports_unfinished"]:
        lines.append(f"unfinished imports: {document['imports_unfinished']} (run them again)")
    run = document.get("corroboration")
    if run is None:
        lines.append("incidents: none yet (truce corroborate)")
    else:
        grades = ", ".join(f"{k} {v}" for k, v in sorted(run["by_grade"].items()))
        stale = run["out_of_date_because"]
        lines.append(
            f"incidents: {run['incidents']} from {run['reports']} reports ({grades}) by "
            f"{run['run']} at {run['finished_at']}"
            + (f"; out of date: {'; '.join(stale)}" if stale else "")
        )
    lines.append(f"ledger    {ledger['leaves']} leaves, origin {ledger['origin']}")
    last = ledger["last_checkpoint"]
    if last is None:
        lines.append("last checkpoint: none (truce ledger checkpoint)")
    else:
        lines.append(
            f"last checkpoint: {last['id']} at {last['created_at']}, size {last['size']}, "
            f"root {last['root_hash']}; {ledger['leaves_after_last_checkpoint']} leaves since"
        )
    return "\n".join(lines)
