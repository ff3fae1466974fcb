"""What every term kind shares: identity, the clause it encodes, whom it binds, when it applies."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol

from pydantic import Field

from truce.agreement.base import ActiveWindow, StrictModel
from truce.agreement.fields import Identifier, Text
from truce.problems import Severity

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class LayerRef:
    """A term's reference to a layer, and the layer kinds it accepts there."""

    path: Path
    layer: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class IdRef:
    """A term's reference to a party or another term."""

    path: Path
    target: str


class TermContext(Protocol):
    """What a term may ask of the agreement while checking itself."""

    def problem(
        self, path: Path, type: str, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        """Report a problem at ``path`` relative to the term."""

    def feature_ids(self, layer: str) -> set[str] | None:
        """Every feature id of the layer across its versions (None if the layer is unusable)."""

    def feature_classes(self, layer: str) -> set[str] | None:
        """Every object class present in the layer across its versions."""

    def layer_kind(self, layer: str) -> str | None:
        """The layer's kind, or None if there is no such layer."""

    def term_type(self, term: str) -> str | None:
        """The type of another term, or None if there is no such term."""


class TermBase(StrictModel):
    """Fields every term has; each kind adds its own."""

    id: Identifier = Field(description="stable id of the term, unique in the agreement")
    title: Text | None = Field(default=None, description="a short name")
    clause: Text = Field(description="the text of the clause this term encodes")
    source: Identifier = Field(description="id of the source (in 'sources') quoting the clause")
    pinpoint: Text | None = Field(default=None, description="where in the source: point, page")
    binds: list[Identifier] = Field(min_length=1, description="ids of the parties it binds")
    active: ActiveWindow | None = Field(
        default=None, description="when it applies, if narrower than the agreement's time in force"
    )
    note: Text | None = Field(default=None, description="drafters' note, shown with the term")

    @abstractmethod
    def describe(self) -> str:
        """The term's own content in plain words (kind-specific)."""

    def layer_refs(self) -> list[LayerRef]:
        """The layers this term uses."""
        return []

    def party_refs(self) -> list[IdRef]:
        """Parties referred to besides ``binds``."""
        return []

    def term_refs(self) -> list[IdRef]:
        """Other terms referred to."""
        return []

    def check(self, context: TermContext) -> None:
        """Kind-specific checks beyond the field types (reported through ``context``)."""
        return None

    @property
    def checkable(self) -> bool:
        """Whether the check engine can test events against this term."""
        return True
