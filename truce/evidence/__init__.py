"""Evidence with a chain of custody (Berkeley Protocol), stored in a workspace.

Originals are content-addressed by SHA-256 and write-once (:mod:`truce.evidence.blobs`), typed
by content and refused when they are archives or executables (:mod:`truce.evidence.sniff`);
metadata is read into a separate record (:mod:`truce.evidence.metadata`); images get a thumbnail
and a location-stripped public copy (:mod:`truce.evidence.derive`); every action is a custody
event with a ledger leaf (:mod:`truce.evidence.custody`).
"""

from truce.evidence.custody import ACTIONS, CustodyEvent
from truce.evidence.lookup import EvidenceItem, get_evidence, list_evidence
from truce.evidence.service import (
    EvidencePolicy,
    add_evidence,
    export_evidence,
    link_evidence,
    view_evidence,
)

__all__ = [
    "ACTIONS",
    "CustodyEvent",
    "EvidenceItem",
    "EvidencePolicy",
    "add_evidence",
    "export_evidence",
    "get_evidence",
    "link_evidence",
    "list_evidence",
    "view_evidence",
]
