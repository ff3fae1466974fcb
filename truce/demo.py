"""The main job on bundled real data: what ``make demo`` runs.

For now it validates every bundled agreement, writes a readable summary and a JSON summary of
each, and answers 'what is in force' at instants that matter for each agreement. Later stages
(the check engine, the workspace, incidents) grow it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truce.agreement import in_force, validate_file
from truce.agreement.in_force import effective_window
from truce.agreement.summary import render_text, summarise
from truce.instant import Instant, parse_instant

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples" / "agreements"

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


@dataclass
class DemoResult:
    """What the demo did and where its output is."""

    out_dir: Path
    agreements: list[dict[str, Any]] = field(default_factory=list)
    problems: int = 0


def run(
    out_dir: Path,
    examples: Path = EXAMPLES,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Validate and summarise every bundled agreement into ``out_dir``."""
    report = progress or (lambda _message: None)
    target = out_dir / "agreements"
    target.mkdir(parents=True, exist_ok=True)
    result = DemoResult(out_dir)
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
            entry["id"] = agreement.id
            entry["title"] = agreement.title
            effective, never = effective_window(agreement)
            entry["in_force"] = effective.to_dict() if effective else None
            entry["never_in_force_because"] = never
            entry["terms"] = len(agreement.terms)
            entry["probes"] = [
                _probe(agreement, label, parse_instant(text))
                for label, text in PROBES.get(agreement.id, [])
            ]
            (target / f"{agreement.id}.txt").write_text(render_text(agreement), encoding="utf-8")
            (target / f"{agreement.id}.json").write_text(
                json.dumps(summarise(agreement), indent=2, ensure_ascii=False), encoding="utf-8"
            )
        result.agreements.append(entry)
    (out_dir / "summary.json").write_text(
        json.dumps({"agreements": result.agreements}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return result


def _probe(agreement: Any, label: str, at: Instant) -> dict[str, Any]:
    answer = in_force(agreement, at)
    binding = sorted({t.term for t in answer.terms if t.binding})
    return {
        "label": label,
        "at": at.describe(),
        "in_force": answer.in_force,
        "reasons": answer.reasons,
        "binding_terms": binding,
    }
