"""The main job on bundled real data: what ``make demo`` runs.

1. Validate and summarise every bundled agreement; answer 'what binds whom' at instants that
   matter.
2. Create a SQLite workspace and import the bundled events into it (the documented incidents of
   the 2025 moratorium, the Air Force reports around it, UCDP GED events in Donbas 2015-2021):
   idempotent, with bad rows quarantined and every record a ledger leaf.
3. Group the reports into incidents (``truce corroborate``) and grade their corroboration: the
   documented incidents of 2025 merge with the Air Force reports of the same strike.
4. Check, from the workspace, on incidents: the 2025 energy moratorium against the incidents of
   the documented-incident file and the Air Force reports (and again under Kyiv's disputed
   start), and the Minsk instruments against UCDP with the pre-2022 line; write the findings
   (GeoJSON, CSV), each citing its incident and reports, and record them in the ledger.
5. Sign a checkpoint and verify the whole ledger.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truce.agreement import Agreement, in_force, validate_file
from truce.agreement.in_force import effective_window
from truce.agreement.summary import render_text, summarise
from truce.engine.output import FindingWriter
from truce.instant import Instant, parse_instant
from truce.workspace import Workspace, import_file
from truce.workspace.adjudication import check_workspace
from truce.workspace.config import CONFIG_NAME
from truce.workspace.incidents import IncidentFilter, corroborate_workspace, list_incidents
from truce.workspace.ledger import make_checkpoint
from truce.workspace.verify import verify_workspace

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples" / "agreements"
EVENTS = REPO_ROOT / "data" / "events"

# Instants worth asking about, per bundled agreement: (label, instant).
PROBES: dict[str, list[tuple[str, str]]] = {
    "energy-moratorium-2025": [
        ("first night (Sloviansk)", "2025-03-19T00:00 Europe/Kyiv"),
        ("Sudzha station claimed hit", "2025-03-21T00:20 Europe/Moscow"),
        ("after expiry (Kherson)", "2025-04-22T12:00 Europe/Kyiv"),
    ],
    "black-sea-2025": [("a week after announcement", "2025-04-01T12:00 Europe/Kyiv")],
    "minsk-package-2015": [
        ("before the cease-fire", "2015-02-14T23:59 Europe/Kyiv"),
        ("day 5 (withdrawal under way)", "2015-02-20T12:00 Europe/Kyiv"),
        ("summer 2016", "2016-07-01T12:00 Europe/Kyiv"),
    ],
    "minsk-addendum-2015": [("after the 41 days", "2015-12-01T12:00 Europe/Kyiv")],
    "minsk-framework-disengagement-2016": [("October 2016", "2016-10-05T12:00 Europe/Kyiv")],
    "minsk-ceasefire-measures-2020": [("August 2020", "2020-08-15T12:00 Europe/Kyiv")],
}

# What the demo imports: (file, format, mapping).
IMPORTS: list[tuple[str, str, str | None]] = [
    ("moratorium-2025-incidents.csv", "csv", "moratorium-2025-incidents.mapping.yaml"),
    ("airforce-2025-03-01_2025-05-31.csv", "airforce", None),
    ("ucdp-ged-donbas-2015-2021.csv", "ucdp", None),
]


@dataclass(frozen=True)
class CheckPlan:
    """One check the demo runs: which agreements against which sources' events."""

    name: str
    agreements: tuple[str, ...]
    sources: tuple[str, ...]
    assume_start: str | None = None


CHECKS = [
    CheckPlan(
        "moratorium-2025",
        ("energy-moratorium-2025",),
        ("moratorium-2025-incidents", "airforce-daily"),
        assume_start="2025-03-25T00:00 Europe/Kyiv",
    ),
    CheckPlan(
        "minsk-2015-2021",
        (
            "minsk-package-2015",
            "minsk-addendum-2015",
            "minsk-framework-disengagement-2016",
            "minsk-ceasefire-measures-2020",
        ),
        ("ucdp-ged",),
    ),
]
INCIDENT_SOURCES = ("moratorium-2025-incidents", "airforce-daily")

Progress = Callable[[str], None]


@dataclass
class DemoResult:
    """What the demo did and where its output is."""

    out_dir: Path
    agreements: list[dict[str, Any]] = field(default_factory=list)
    problems: int = 0
    workspace: Path | None = None
    imports: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    incidents: dict[str, Any] = field(default_factory=dict)
    checkpoint: dict[str, Any] = field(default_factory=dict)
    verify: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (also written to ``summary.json``)."""
        return {
            "agreements": self.agreements,
            "workspace": str(self.workspace) if self.workspace else None,
            "imports": self.imports,
            "checks": self.checks,
            "incidents": self.incidents,
            "checkpoint": self.checkpoint,
            "verify": self.verify,
        }


def run(
    out_dir: Path,
    examples: Path = EXAMPLES,
    events: Path = EVENTS,
    progress: Progress | None = None,
) -> DemoResult:
    """Run every step of the main job, writing into ``out_dir``."""
    report = progress or (lambda _message: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = DemoResult(out_dir)
    loaded = summarise_agreements(result, examples, report)
    workspace = _fresh_workspace(out_dir / "workspace")
    result.workspace = workspace.root
    try:
        for name, fmt, mapping in IMPORTS:
            report(f"importing {name} ({fmt})")
            summary = import_file(
                workspace, events / name, fmt, mapping=events / mapping if mapping else None
            )
            result.imports.append(summary.to_dict())
        report("corroborating the reports into incidents")
        result.incidents = _incidents(workspace, out_dir / "incidents")
        for plan in CHECKS:
            report(f"checking {plan.name}")
            result.checks.append(_run_check(workspace, plan, loaded, out_dir / "findings"))
        report("signing a checkpoint and verifying the ledger")
        result.checkpoint = make_checkpoint(workspace).to_dict()
        result.verify = verify_workspace(workspace).to_dict()
    finally:
        workspace.close()
    (out_dir / "summary.json").write_text(
        json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    return result


def summarise_agreements(
    result: DemoResult, examples: Path, report: Progress
) -> dict[str, Agreement]:
    """Validate and summarise every agreement file; return the valid ones by id."""
    target = result.out_dir / "agreements"
    target.mkdir(parents=True, exist_ok=True)
    loaded: dict[str, Agreement] = {}
    for path in sorted(examples.glob("*.yaml")):
        report(f"validating {path.name}")
        validation = validate_file(path)
        result.problems += len(validation.errors)
        entry: dict[str, Any] = {
            "file": str(path),
            "valid": validation.ok,
            "warnings": [str(p) for p in validation.warnings],
            "errors": [str(p) for p in validation.errors],
        }
        agreement = validation.agreement
        if agreement is not None:
            loaded[agreement.id] = agreement
            effective, never = effective_window(agreement)
            entry.update(
                id=agreement.id,
                title=agreement.title,
                in_force=effective.to_dict() if effective else None,
                never_in_force_because=never,
                terms=len(agreement.terms),
                probes=[
                    _probe(agreement, label, parse_instant(text))
                    for label, text in PROBES.get(agreement.id, [])
                ],
            )
            (target / f"{agreement.id}.txt").write_text(render_text(agreement), encoding="utf-8")
            (target / f"{agreement.id}.json").write_text(
                json.dumps(summarise(agreement), indent=2, ensure_ascii=False), encoding="utf-8"
            )
        result.agreements.append(entry)
    return loaded


def _probe(agreement: Agreement, label: str, at: Instant) -> dict[str, Any]:
    answer = in_force(agreement, at)
    return {
        "label": label,
        "at": at.describe(),
        "in_force": answer.in_force,
        "reasons": answer.reasons,
        "binding_terms": sorted({t.term for t in answer.terms if t.binding}),
    }


def _fresh_workspace(folder: Path) -> Workspace:
    """A new workspace; an earlier demo workspace in the same place is replaced."""
    if (folder / CONFIG_NAME).exists():
        shutil.rmtree(folder)
    return Workspace.create(folder, origin="truce-demo")


def _run_check(
    workspace: Workspace, plan: CheckPlan, loaded: dict[str, Agreement], folder: Path
) -> dict[str, Any]:
    agreements = [loaded[name] for name in plan.agreements]
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"{plan.name}.geojson", folder / f"{plan.name}.csv"]
    checked = check_workspace(workspace, agreements, sources=plan.sources, out=files[0])
    result = checked.result
    with FindingWriter(files[1]) as writer:
        for batch in result.findings.to_batches():
            writer.write(batch)
    counterfactual = None
    if plan.assume_start:
        assume = parse_instant(plan.assume_start)
        rerun = check_workspace(
            workspace, agreements, sources=plan.sources, assume_start=assume, record=False
        )
        counterfactual = {
            "assumed_start": assume.describe(),
            "findings": rerun.result.findings.num_rows,
            "changes": rerun.result.summary.changes,
        }
    statuses = result.findings.column("status").to_pylist()
    summary = result.summary.to_dict()
    return {
        "name": plan.name,
        "agreements": list(plan.agreements),
        "sources": list(plan.sources),
        "on": checked.on,
        "checked": result.summary.events_read,
        "files": [str(p) for p in files],
        "findings": len(statuses),
        "recorded": len(checked.recorded),
        "by_status": dict(Counter(statuses)),
        "summary": summary,
        "text": result.summary.render(),
        "counterfactual": counterfactual,
    }


def _incidents(workspace: Workspace, folder: Path) -> dict[str, Any]:
    run = corroborate_workspace(workspace)
    which = IncidentFilter(sources=INCIDENT_SOURCES)
    with workspace.store.read() as conn:
        incidents = list_incidents(conn, which)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "moratorium-2025-incidents.json"
    path.write_text(
        json.dumps(incidents, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    merged = [i for i in incidents if len(set(i["sources"])) > 1]
    return {
        "run": run.to_dict(),
        "reports": sum(i["report_count"] for i in incidents),
        "incidents": len(incidents),
        "by_grade": dict(Counter(i["grade"] for i in incidents)),
        "contested": sum(1 for i in incidents if i.get("contested_attribution")),
        "merged_across_sources": [
            {"incident": i["id"], "grade": i["grade"], "reports": i["reports"]} for i in merged
        ],
        "file": str(path),
    }
