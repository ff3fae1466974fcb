"""The one exception tree of truce.

Library code raises these; only the edges (CLI, web) turn them into user messages.
Findings and validation problems are *values* (see :mod:`truce.problems`), not exceptions:
an exception means the operation itself could not be carried out.

::

    TruceError
    ├── InputError                 a file or argument the user gave cannot be used
    │   └── UnsupportedFormat      no reader for that format
    ├── AgreementInvalid           an agreement file has errors (carries every problem)
    ├── LayerError                 a layer's geometry file cannot be read or used
    ├── StorageError               the workspace store failed or is missing
    │   ├── WorkspaceNotFound
    │   └── IntegrityViolation     stored data disagrees with its hashes or ledger
    ├── LedgerError                the Merkle log or a checkpoint is malformed
    │   └── ProofInvalid           an inclusion or consistency proof does not verify
    └── EvidenceRejected           an uploaded evidence file was refused
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from truce.problems import Problem


class TruceError(Exception):
    """Base of every error truce raises on purpose."""


class InputError(TruceError):
    """A file or argument the user gave cannot be used."""


class UnsupportedFormat(InputError):
    """No reader exists for the requested format."""


class AgreementInvalid(TruceError):
    """An agreement file has errors; ``problems`` lists every one of them."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{source}: {len(errors)} error(s)\n{head}{more}")


class LayerError(TruceError):
    """A layer's geometry file cannot be read or used."""


class StorageError(TruceError):
    """The workspace store failed or is missing."""


class WorkspaceNotFound(StorageError):
    """No workspace exists where one was expected."""


class IntegrityViolation(StorageError):
    """Stored data disagrees with its recorded hashes or with the ledger."""


class LedgerError(TruceError):
    """The Merkle log or a checkpoint is malformed."""


class ProofInvalid(LedgerError):
    """An inclusion or consistency proof does not verify."""


class EvidenceRejected(TruceError):
    """An uploaded evidence file was refused (size, type, archive limits)."""
