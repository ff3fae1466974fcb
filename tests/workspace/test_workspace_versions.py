"""Findings, agreement versions and layer versions in the record."""

from __future__ import annotations

import json

from truce.workspace import Workspace
from truce.workspace.findings import record_finding, store_agreement, store_layer
from truce.workspace.ledger import check_proof, make_checkpoint, prove
from truce.workspace.status import workspace_status
from truce.workspace.verify import verify_workspace


def test_versions_are_stored_once_per_text(workspace: Workspace) -> None:
    first = store_agreement(workspace, "moratorium-2025", "id: moratorium-2025\n")
    assert store_agreement(workspace, "moratorium-2025", "id: moratorium-2025\n") == first
    second = store_agreement(workspace, "moratorium-2025", "id: moratorium-2025\nv: 2\n")
    assert second != first
    layer = store_layer(workspace, "contact-line", json.dumps({"type": "FeatureCollection"}))
    assert (
        store_layer(workspace, "contact-line", json.dumps({"type": "FeatureCollection"})) == layer
    )
    counts = workspace_status(workspace)["records"]
    assert (counts["agreements"], counts["layers"]) == (2, 1)


def test_findings_are_ledgered(workspace: Workspace) -> None:
    finding = record_finding(
        workspace, "energy-strike", "a strike within 5 km of a substation", {"event": "event:1"}
    )
    make_checkpoint(workspace)
    check_proof(prove(workspace, f"finding:{finding}"), workspace)
    status = workspace_status(workspace)
    assert status["ledger"]["leaves"] == 1
    assert status["ledger"]["leaves_after_last_checkpoint"] == 0
    assert verify_workspace(workspace).ok
