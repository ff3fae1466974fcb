"""The record: a workspace folder with its database (SQLite or PostgreSQL), evidence and ledger.

:class:`Workspace` creates and opens workspaces; :func:`import_file` brings events in;
:mod:`truce.workspace.quarantine` handles rows that could not be imported;
:mod:`truce.workspace.ledger` makes checkpoints and proofs; :mod:`truce.workspace.verify`
checks the whole record against the ledger.
"""

from truce.workspace.importer import FORMATS, ChunkCommitted, ImportSummary, import_file
from truce.workspace.workspace import Workspace

__all__ = ["FORMATS", "ChunkCommitted", "ImportSummary", "Workspace", "import_file"]
