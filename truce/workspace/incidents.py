"""Incidents in the record: analysts' decisions, corroboration runs, and incidents to list, show
and check.

* :func:`record_decision` stores a person's decision (detach, split, merge) as a ledgered record;
  every later run replays all decisions, oldest first, so a run never undoes one.
* :func:`corroborate_workspace` groups every stored report into incidents
  (:func:`truce.verification.corroborate`) and replaces the incidents of the previous run in one
  transaction, with the run itself as a ledgered record: its settings, the last event and decision
  it saw, its counts, and the SHA-256 of its report-to-incident assignments
  (:func:`assignments_digest`), which ``truce ledger verify`` recomputes.
* :func:`list_incidents` and :func:`show_incident` read them back, with filters;
* :func:`incident_batches` turns incidents into events for the check engine: each incident is
  placed and described by its leading report (the most precise), over the time all its reports
  share, with every source's claim of attribution; :class:`IncidentCitations` adds to each finding
  which incident it is and the reports it groups.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from truce.engine.timing import micros
from truce.errors import InputError
from truce.events.model import EVENT_SCHEMA
from truce.ledger.sqlstore import append_leaves
from truce.problems import Problem
from truce.verification import (
    CORROBORATION_COLUMNS,
    CorroborationConfig,
    Override,
    config_from_mapping,
    corroborate,
    explain,
    override_from_dict,
)
from truce.vocabulary import EVENT_KINDS, descendants, suggest
from truce.workspace.clock import micros_to_iso, now_micros
from truce.workspace.eventblocks import ids_named, iter_event_tables, stored_events
from truce.workspace.eventrows import rows_to_batch
from truce.workspace.ingest import next_id
from truce.workspace.records import (
    LeafRecord,
    canonical_json,
    corroboration_content,
    decision_content,
    sha256,
)
from truce.workspace.schema import (
    corroboration_runs,
    decisions,
    events,
    incident_reports,
    incidents,
)
from truce.workspace.workspace import Workspace

Progress = Callable[[str], None]

_CHUNK = 50_000
_UTC_US = pa.timestamp("us", tz="UTC")


# --- decisions -------------------------------------------------------------------------------


def record_decision(workspace: Workspace, decision: Override) -> int:
    """Store an analyst's decision with its ledger leaf; return its id (``decision:<id>``).

    Every report it names must be in the record (by ``event_id``, or as ``event:<id>``).
    """
    with workspace.store.write() as conn:
        named = _resolve_reports(conn, decision.event_ids)
        row: dict[str, Any] = {
            "id": next_id(conn, decisions),
            "action": decision.action,
            "event_ids": json.dumps(named, ensure_ascii=False),
            "who": decision.who.strip(),
            "why": decision.why.strip(),
            "at": now_micros(),
        }
        row["content_hash"] = sha256(decision_content(row))
        conn.execute(decisions.insert(), [row])
        leaf = LeafRecord("decision", row["id"], row["content_hash"])
        append_leaves(workspace.store, conn, [leaf])
    return int(row["id"])


def _resolve_reports(conn: Connection, names: Sequence[str]) -> list[str]:
    """The ``event_id`` of each named report; :class:`InputError` naming any not in the record."""
    resolved: list[str] = []
    missing: list[str] = []
    for name in names:
        found: str | None = None
        if name.startswith("event:") and name[6:].isdigit():
            named = stored_events(conn, [int(name[6:])], ["event_id"]).column("event_id")
            found = named[0].as_py() if len(named) else None
        elif ids_named(conn, name):
            found = name
        if found is None:
            missing.append(name)
        else:
            resolved.append(str(found))
    if missing:
        raise InputError(
            "no report " + ", ".join(repr(m) for m in missing) + " in the record "
            "(name reports by event_id, as `truce incidents show` lists them, or as event:<id>)"
        )
    return resolved


def list_decisions(conn: Connection) -> list[dict[str, Any]]:
    """Every recorded decision, oldest first, as JSON-ready dicts with their ``id``."""
    rows = conn.execute(sa.select(decisions).order_by(decisions.c.id)).all()
    return [_decision_dict(dict(row._mapping)) for row in rows]


def _decision_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": f"decision:{row['id']}",
        "action": row["action"],
        "event_ids": json.loads(row["event_ids"]),
        "who": row["who"],
        "why": row["why"],
        "at": micros_to_iso(int(row["at"])),
    }


def _overrides(conn: Connection) -> tuple[list[Override], int]:
    rows = list_decisions(conn)
    last = int(rows[-1]["id"].split(":")[1]) if rows else 0
    return [override_from_dict(row) for row in rows], last


# --- corroboration runs ----------------------------------------------------------------------


@dataclass
class RunSummary:
    """What one corroboration run did."""

    run_id: int
    reports: int
    incidents: int
    by_grade: dict[str, int]
    contested: int
    merged_across_sources: int
    decisions: int
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "run": f"corroboration:{self.run_id}",
            "reports": self.reports,
            "incidents": self.incidents,
            "by_grade": self.by_grade,
            "contested_attribution": self.contested,
            "merged_across_sources": self.merged_across_sources,
            "decisions_applied": self.decisions,
            "warnings": [str(p) for p in self.problems],
        }

    def render(self) -> str:
        """A few lines of text."""
        grades = ", ".join(f"{g} {n}" for g, n in sorted(self.by_grade.items()))
        lines = [
            f"corroboration:{self.run_id}: {self.reports:,} reports -> {self.incidents:,} "
            f"incidents ({grades or 'none'})",
            f"  {self.merged_across_sources:,} incidents bring reports of several sources "
            f"together; {self.contested:,} with contested attribution; "
            f"{self.decisions} analysts' decisions replayed",
        ]
        lines.extend(f"  warning: {p}" for p in self.problems)
        return "\n".join(lines) + "\n"


def settings_text(given: Mapping[str, Any] | None) -> str:
    """The settings of a run as stored: canonical JSON of what was given ({} = defaults)."""
    return canonical_json(dict(given or {})).decode("utf-8")


def corroborate_workspace(
    workspace: Workspace,
    config: CorroborationConfig | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Group every stored report into incidents and store them as the current run.

    ``settings`` is the plain data ``config`` was made from (stored with the run); when neither
    is given, the current run's settings are used again. The recorded decisions are replayed
    after the automatic grouping.
    """
    report = progress or (lambda _message: None)
    started = now_micros()
    with workspace.store.read() as conn:
        if config is None and settings is None:
            # nothing given: the settings of the current run stand (an empty mapping resets)
            previous = current_run(conn)
            settings = previous["settings"] if previous is not None else None
            config = config_from_mapping(settings) if settings else None
        overrides, last_decision = _overrides(conn)
        report("reading the reports")
        table, row_ids = _all_reports(conn)
    report(f"grouping {table.num_rows:,} reports")
    outcome = corroborate(table, config, overrides)
    report(f"storing {outcome.incidents.num_rows:,} incidents")
    assignments = outcome.assignments
    incident_of = pc.cast(assignments.column("incident_id"), pa.string())
    digest = _digest(row_ids, incident_of, pc.cast(assignments.column("role"), pa.string()))
    leaders = _leader_rows(outcome.incidents, row_ids, incident_of, assignments)
    grades = Counter(outcome.incidents.column("grade").to_pylist())
    with workspace.store.write() as conn:
        run: dict[str, Any] = {
            "id": next_id(conn, corroboration_runs),
            "started_at": started,
            "finished_at": now_micros(),
            "settings": settings_text(settings),
            "last_event_id": int(row_ids.max()) if row_ids.size else 0,
            "last_decision_id": last_decision,
            "reports": table.num_rows,
            "incidents": outcome.incidents.num_rows,
            "grades": canonical_json(dict(sorted(grades.items()))).decode("utf-8"),
            "assignments_sha256": digest,
        }
        run["content_hash"] = sha256(corroboration_content(run))
        conn.execute(incident_reports.delete())
        conn.execute(incidents.delete())
        conn.execute(corroboration_runs.insert(), [run])
        _store_incidents(conn, run["id"], outcome.incidents, leaders, _report_sources(assignments))
        _store_assignments(conn, row_ids, incident_of, assignments)
        append_leaves(
            workspace.store, conn, [LeafRecord("corroboration", run["id"], run["content_hash"])]
        )
    sources = outcome.incidents.column("sources").to_pylist()
    contested = outcome.incidents.column("contested_attribution").to_pylist()
    return RunSummary(
        run_id=run["id"],
        reports=table.num_rows,
        incidents=outcome.incidents.num_rows,
        by_grade=dict(sorted(grades.items())),
        contested=sum(1 for c in contested if c),
        merged_across_sources=sum(1 for s in sources if len(s) > 1),
        decisions=len(overrides),
        problems=outcome.problems,
    )


_REPORT_SCHEMA = pa.schema([EVENT_SCHEMA.field(name) for name in CORROBORATION_COLUMNS])
"""The fields of the event schema corroboration reads (the ``raw`` row, for one, is left)."""


def _all_reports(conn: Connection) -> tuple[pa.Table, np.ndarray]:
    """Every stored event as one table of the columns corroboration reads, and their ids."""
    batches: list[pa.RecordBatch] = []
    ids: list[np.ndarray] = []
    for stored in iter_event_tables(conn, ["id", *CORROBORATION_COLUMNS]):
        if stored.num_rows == 0:
            continue
        batches.append(rows_to_batch(stored, _REPORT_SCHEMA))
        ids.append(stored.column("id").to_numpy())
    table = pa.Table.from_batches(batches, schema=_REPORT_SCHEMA)
    return table, np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)


def _digest(row_ids: np.ndarray, incident_of: pa.Array | pa.ChunkedArray, roles: Any) -> bytes:
    """SHA-256 of ``event-id<TAB>incident<TAB>role<LF>`` per report, by record id."""
    order = np.argsort(row_ids, kind="stable")
    hasher = hashlib.sha256()
    ids = row_ids[order].tolist()
    names = incident_of.take(pa.array(order)).to_pylist()
    kinds = roles.take(pa.array(order)).to_pylist()
    for start in range(0, len(ids), _CHUNK):
        part = slice(start, start + _CHUNK)
        lines = zip(ids[part], names[part], kinds[part], strict=True)
        hasher.update("".join(f"{i}\t{n}\t{r}\n" for i, n, r in lines).encode("utf-8"))
    return hasher.digest()


def assignments_digest(conn: Connection) -> tuple[int, bytes, bytes] | None:
    """``(run id, stored digest, digest of the stored assignments)`` of the current run, or None
    when there has been no run."""
    run = conn.execute(
        sa.select(corroboration_runs.c.id, corroboration_runs.c.assignments_sha256)
        .order_by(corroboration_runs.c.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    rows = conn.execute(
        sa.select(incident_reports.c.event, incident_reports.c.incident_id, incident_reports.c.role)
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    digest = _digest(
        ids,
        pa.array([r[1] for r in rows], pa.string()),
        pa.array([r[2] for r in rows], pa.string()),
    )
    return int(run.id), bytes(run.assignments_sha256), digest


def _leader_rows(
    table: pa.Table, row_ids: np.ndarray, incident_of: Any, assignments: pa.Table
) -> np.ndarray:
    """The record id of each incident's leading report, in the incidents' order."""
    pairs = pa.table(
        {
            "incident_id": incident_of,
            "event_id": assignments.column("event_id"),
            "row": pa.array(row_ids),
        }
    )
    heads = pa.table(
        {
            "incident_id": table.column("incident_id"),
            "event_id": table.column("leader_event_id"),
            "position": pa.array(np.arange(table.num_rows, dtype=np.int64)),
        }
    )
    joined = heads.join(pairs, keys=["incident_id", "event_id"], join_type="left outer")
    joined = joined.group_by("position").aggregate([("row", "min")]).sort_by("position")
    return np.asarray(joined.column("row_min").to_numpy(), dtype=np.int64)


def _report_sources(assignments: pa.Table) -> dict[str, str]:
    return dict(
        zip(
            assignments.column("event_id").to_pylist(),
            assignments.column("source").to_pylist(),
            strict=True,
        )
    )


def _store_incidents(
    conn: Connection,
    run_id: int,
    table: pa.Table,
    leaders: np.ndarray,
    source_of: Mapping[str, str],
) -> None:
    for offset in range(0, table.num_rows, _CHUNK):
        part = table.slice(offset, _CHUNK).to_pylist()
        rows = []
        for position, incident in enumerate(part, start=offset):
            data = _json_ready(incident)
            data["report_sources"] = [source_of.get(e, "") for e in incident["event_ids"]]
            claimed = sorted({c["perpetrator"] for c in incident["claims"] if c["perpetrator"]})
            rows.append(
                {
                    "incident_id": incident["incident_id"],
                    "run_id": run_id,
                    "position": position,
                    "leader_event": int(leaders[position]),
                    "grade": incident["grade"],
                    "reasons": json.dumps(incident["reasons"]),
                    "report_count": incident["report_count"],
                    "independent_sources": incident["independent_sources"],
                    "sources": json.dumps(incident["sources"], ensure_ascii=False),
                    "time_start": micros(incident["time_start"]),
                    "time_end": micros(incident["time_end"]),
                    "lon": incident["lon"],
                    "lat": incident["lat"],
                    "precision_m": incident["precision_m"],
                    "area_precision": incident["area_precision"],
                    "kinds": "|" + "|".join(incident["kinds"]) + "|",
                    "claimed": "|" + "|".join(claimed) + "|",
                    "contested_attribution": bool(incident["contested_attribution"]),
                    "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
                }
            )
        conn.execute(incidents.insert(), rows)


def _store_assignments(
    conn: Connection, row_ids: np.ndarray, incident_of: Any, assignments: pa.Table
) -> None:
    roles = pc.cast(assignments.column("role"), pa.string())
    origins = pc.cast(assignments.column("origin"), pa.string())
    for offset in range(0, row_ids.size, _CHUNK):
        stop = offset + _CHUNK
        conn.execute(
            incident_reports.insert(),
            [
                {
                    "event": int(event),
                    "incident_id": incident,
                    "role": role,
                    "re_report_of": again,
                    "candidates": candidates,
                    "origin": origin,
                }
                for event, incident, role, again, candidates, origin in zip(
                    row_ids[offset:stop].tolist(),
                    incident_of[offset:stop].to_pylist(),
                    roles[offset:stop].to_pylist(),
                    assignments.column("re_report_of")[offset:stop].to_pylist(),
                    assignments.column("candidates")[offset:stop].to_pylist(),
                    origins[offset:stop].to_pylist(),
                    strict=True,
                )
            ],
        )


def current_run(conn: Connection) -> dict[str, Any] | None:
    """The latest corroboration run, as a dict, or None."""
    row = conn.execute(
        sa.select(corroboration_runs).order_by(corroboration_runs.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    values = dict(row._mapping)
    return {
        "run": f"corroboration:{values['id']}",
        "id": values["id"],
        "finished_at": micros_to_iso(int(values["finished_at"])),
        "settings": json.loads(values["settings"]),
        "last_event_id": values["last_event_id"],
        "last_decision_id": values["last_decision_id"],
        "reports": values["reports"],
        "incidents": values["incidents"],
        "by_grade": json.loads(values["grades"]),
    }


def stale_reasons(conn: Connection, settings: str | None = None) -> list[str]:
    """Why the current run no longer reflects the record ([] when it does)."""
    run = current_run(conn)
    if run is None:
        return ["no corroboration run yet"]
    reasons = []
    last_event = conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
    if int(last_event) > int(run["last_event_id"]):
        reasons.append("reports were imported after it")
    last_decision = conn.execute(sa.select(sa.func.max(decisions.c.id))).scalar() or 0
    if int(last_decision) > int(run["last_decision_id"]):
        reasons.append("analysts' decisions were recorded after it")
    if settings is not None and settings != canonical_json(run["settings"]).decode("utf-8"):
        reasons.append("it ran with other settings")
    return reasons


# --- reading incidents -----------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents to list. Every field is optional; all given must hold."""

    since: int | None = None
    """Microseconds: incidents whose time ends at or after it."""
    until: int | None = None
    """Microseconds: incidents whose time starts before it."""
    grades: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    """Event kinds; a broader kind covers its narrower ones (``strike`` covers drone strikes)."""
    parties: tuple[str, ...] = ()
    """Parties claimed as perpetrator by some source."""
    sources: tuple[str, ...] = ()
    """Incidents with a report from one of these sources."""
    area: Any = None
    """A shapely geometry (lon/lat) the incident's place must lie in."""
    min_reports: int = 1
    contested: bool | None = None
    limit: int | None = None


def list_incidents(conn: Connection, which: IncidentFilter | None = None) -> list[dict[str, Any]]:
    """The incidents of the current run that pass the filter, in time order."""
    which = which or IncidentFilter()
    query = sa.select(incidents.c.data, incidents.c.lon, incidents.c.lat).order_by(
        incidents.c.position
    )
    conditions: list[Any] = []
    if which.since is not None:
        conditions.append(incidents.c.time_end >= which.since)
    if which.until is not None:
        conditions.append(incidents.c.time_start < which.until)
    if which.grades:
        conditions.append(incidents.c.grade.in_(which.grades))
    if which.min_reports > 1:
        conditions.append(incidents.c.report_count >= which.min_reports)
    if which.contested is not None:
        conditions.append(incidents.c.contested_attribution == which.contested)
    if which.kinds:
        for kind in which.kinds:
            if kind not in EVENT_KINDS:
                raise InputError(f"unknown event kind {kind!r}: {suggest(EVENT_KINDS, kind)}")
        wanted = sorted(descendants(EVENT_KINDS, list(which.kinds)))
        conditions.append(sa.or_(*(incidents.c.kinds.contains(f"|{k}|") for k in wanted)))
    if which.parties:
        conditions.append(sa.or_(*(incidents.c.claimed.contains(f"|{p}|") for p in which.parties)))
    if which.sources:
        conditions.append(
            sa.or_(*(incidents.c.sources.contains(json.dumps(s)) for s in which.sources))
        )
    if conditions:
        query = query.where(*conditions)
    if which.limit is not None and which.area is None:
        query = query.limit(which.limit)
    rows = conn.execute(query).all()
    if which.area is not None and rows:
        lon = np.array([np.nan if r.lon is None else r.lon for r in rows], dtype=np.float64)
        lat = np.array([np.nan if r.lat is None else r.lat for r in rows], dtype=np.float64)
        inside = shapely.contains_xy(which.area, lon, lat)
        rows = [r for r, keep in zip(rows, inside.tolist(), strict=True) if keep]
        if which.limit is not None:
            rows = rows[: which.limit]
    return [_public(json.loads(r.data)) for r in rows]


def _public(data: dict[str, Any]) -> dict[str, Any]:
    """An incident as commands show it: ``id``, ``grade``, ``reports`` first."""
    return {
        "id": data["incident_id"],
        "grade": data["grade"],
        "reports": data["source_records"],
        **data,
    }


def show_incident(conn: Connection, incident_id: str) -> dict[str, Any]:
    """One incident with every report it groups (each with its role) and its grade explained."""
    row = conn.execute(
        sa.select(incidents.c.data).where(incidents.c.incident_id == incident_id)
    ).first()
    if row is None:
        near = conn.execute(
            sa.select(incidents.c.incident_id)
            .where(incidents.c.incident_id.contains(incident_id))
            .limit(5)
        ).scalars()
        hint = ", ".join(near)
        raise InputError(
            f"no incident {incident_id!r} in the current corroboration run"
            + (f" (did you mean {hint}?)" if hint else "")
        )
    data = json.loads(row.data)
    incident = _public(data)
    roles = {
        int(row.event): row
        for row in conn.execute(
            sa.select(
                incident_reports.c.event, incident_reports.c.role, incident_reports.c.re_report_of
            ).where(incident_reports.c.incident_id == incident_id)
        )
    }
    reports = []
    for stored in stored_events(conn, roles).to_pylist():
        values = {**stored, **roles[int(stored["id"])]._mapping}
        reports.append(
            {
                "record": f"event:{values['id']}",
                "event_id": values["event_id"],
                "source": values["source"],
                "source_record": values["source_record"],
                "role": values["role"],
                "re_report_of": values["re_report_of"],
                "time_start": micros_to_iso(int(values["time_start"])),
                "time_end": micros_to_iso(int(values["time_end"])),
                "lon": values["lon"],
                "lat": values["lat"],
                "precision_m": values["precision_m"],
                "area_id": values["area_id"],
                "kind": values["kind"],
                "outcome": values["outcome"],
                "target": values["target"],
                "claims": json.loads(values["claims"]),
                "text": values["text"],
                "link": values["link"],
            }
        )
    order = {event_id: i for i, event_id in enumerate(incident["event_ids"])}
    reports.sort(key=lambda r: order.get(r["event_id"], len(order)))
    incident["report_details"] = reports
    incident["explanation"] = explain(data)
    return incident


# --- incidents for the check engine ----------------------------------------------------------


@dataclass
class IncidentCitations:
    """For each incident checked: the sentence that cites it and its reports, and the data."""

    sentences: dict[str, str] = field(default_factory=dict)
    reports: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, incident: Mapping[str, Any]) -> None:
        """Remember an incident's citation."""
        listed = [
            {"event_id": e, "source_record": r, "source": s}
            for e, r, s in zip(
                incident["event_ids"],
                incident["source_records"],
                incident["report_sources"],
                strict=True,
            )
        ]
        self.reports[incident["incident_id"]] = listed
        words = ", ".join(f"{r['source_record']} ({r['source']})" for r in listed)
        count = len(listed)
        self.sentences[incident["incident_id"]] = (
            f" Incident {incident['incident_id']} ({incident['grade']}; "
            f"{incident['independent_sources']} independent source"
            f"{'' if incident['independent_sources'] == 1 else 's'}) groups {count} "
            f"report{'' if count == 1 else 's'}: {words}."
        )

    def cite(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` of findings with the citation appended to each incident's explanation."""
        if batch.num_rows == 0 or "explanation" not in batch.schema.names:
            return batch
        ids = batch.column("event_id").to_pylist()
        extra = pa.array([self.sentences.get(i or "", "") for i in ids], pa.string())
        index = batch.schema.get_field_index("explanation")
        joined = pc.binary_join_element_wise(batch.column(index), extra, "")
        return batch.set_column(index, batch.schema.field(index), joined)


def incident_batches(
    conn: Connection,
    citations: IncidentCitations,
    sources: Sequence[str] = (),
    chunk_rows: int = _CHUNK,
) -> Iterator[pa.RecordBatch]:
    """Each incident of the current run as one event (see the module docstring), in batches.

    With ``sources``, only incidents with a report from one of them.
    """
    which = incidents.c.sources
    conditions = [which.contains(json.dumps(s)) for s in sources]
    last = -1
    while True:
        query = (
            sa.select(
                incidents.c.leader_event,
                incidents.c.position.label("incident_position"),
                incidents.c.data.label("incident_data"),
                incidents.c.time_start.label("incident_start"),
                incidents.c.time_end.label("incident_end"),
            )
            .where(incidents.c.position > last)
            .order_by(incidents.c.position)
            .limit(chunk_rows)
        )
        if conditions:
            query = query.where(sa.or_(*conditions))
        rows = conn.execute(query).all()
        if not rows:
            return
        last = int(rows[-1].incident_position)
        datas = [json.loads(row.incident_data) for row in rows]
        for data in datas:
            citations.add(data)
        times = np.array([(row.incident_start, row.incident_end) for row in rows], np.int64)
        leaders = [int(row.leader_event) for row in rows]
        stored = stored_events(conn, leaders)
        order = pa.array(np.searchsorted(stored.column("id").to_numpy(), leaders))
        yield _as_events(rows_to_batch(stored.take(order)), datas, times)


def _as_events(
    leaders: pa.RecordBatch, datas: list[dict[str, Any]], times: np.ndarray
) -> pa.RecordBatch:
    """Leaders' rows turned into incidents: id, sources, shared time and every claim."""
    columns = {name: leaders.column(name) for name in leaders.schema.names}
    columns["event_id"] = pa.array([d["incident_id"] for d in datas], pa.string())
    columns["source"] = pa.array(["+".join(d["sources"]) for d in datas], pa.string())
    columns["source_record"] = pa.array([",".join(d["source_records"]) for d in datas], pa.string())
    columns["time_start"] = pa.array(times[:, 0]).cast(_UTC_US)
    columns["time_end"] = pa.array(times[:, 1]).cast(_UTC_US)
    columns["claims"] = pa.array(
        [
            [
                {
                    "claimant": c["claimant"],
                    "perpetrator": c["perpetrator"],
                    "note": _claim_note(c),
                }
                for c in d["claims"]
            ]
            for d in datas
        ],
        EVENT_SCHEMA.field("claims").type,
    )
    return pa.RecordBatch.from_arrays([columns[f.name] for f in EVENT_SCHEMA], schema=EVENT_SCHEMA)


def _claim_note(claim: Mapping[str, Any]) -> str:
    report = str(claim["event_id"])
    source = str(claim["source"])
    if report.startswith(source + ":"):
        report = report[len(source) + 1 :]
    where = f"as reported by {source}, report {report}"
    note = str(claim.get("note") or "").strip()
    return f"{note}; {where}" if note else where


# --- small helpers ---------------------------------------------------------------------------


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if hasattr(value, "isoformat"):
        return str(value.isoformat()).replace("+00:00", "Z")
    return value
