"""The agreement language: who is bound, from when, where, and to what.

An agreement file (YAML) is loaded into an :class:`Agreement`. The JSON Schema of the language
is :func:`agreement_schema`; ``truce schema agreement`` prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr

from truce.agreement.base import StrictModel
from truce.agreement.fields import DurationValue, Identifier, InstantValue, PartyKind, Text
from truce.agreement.terms import Term, TermBase
from truce.instant import Instant

if TYPE_CHECKING:
    from truce.agreement.geometry import LayerGeometry

FORMAT_VERSION = 1


class Source(StrictModel):
    """A public text the encoding cites."""

    id: Identifier
    citation: Text = Field(description="author, title, date: enough to find it")
    url: Text | None = None


class Party(StrictModel):
    """A party to the agreement (or a mediator or monitor named in it)."""

    id: Identifier
    name: Text
    kind: PartyKind
    must_approve: bool = Field(description="whether its approval is required for entry into force")
    aliases: list[Text] = Field(
        default_factory=list,
        description="names event sources use for this party (e.g. UCDP's 'Government of "
        "Ukraine'), matched case-insensitively to claimed attribution",
    )
    note: Text | None = None

    def known_as(self, name: str) -> bool:
        """Whether a name used by a source denotes this party."""
        wanted = " ".join(name.split()).casefold()
        names = [self.id, self.name, *self.aliases]
        return any(" ".join(n.split()).casefold() == wanted for n in names)


class Approval(StrictModel):
    """A recorded approval of the agreement by a party."""

    party: Identifier
    at: InstantValue
    source: Identifier | None = None
    note: Text | None = None


class ConditionMet(StrictModel):
    """When and on what evidence a condition precedent was met."""

    at: InstantValue
    source: Identifier | None = None
    note: Text | None = None


class Condition(StrictModel):
    """A condition precedent: the agreement cannot be in force before it is met."""

    id: Identifier
    text: Text
    demanded_by: list[Identifier] = Field(default_factory=list)
    source: Identifier | None = None
    met: ConditionMet | None = Field(default=None, description="absent while unmet")


class DisputedStart(StrictModel):
    """Another entry-into-force instant that a party claims."""

    at: InstantValue
    claimed_by: list[Identifier] = Field(min_length=1)
    note: Text
    source: Identifier | None = None


class Extension(StrictModel):
    """An extension of the agreement's duration, agreed by the listed parties."""

    by: DurationValue | None = Field(default=None, description="added to the end")
    until: InstantValue | None = Field(default=None, description="new end instant")
    agreed_at: InstantValue
    approved_by: list[Identifier] = Field(min_length=1)
    source: Identifier | None = None


class Ended(StrictModel):
    """A declared end (termination, withdrawal or declared expiry) by a party."""

    at: InstantValue
    by: list[Identifier] = Field(min_length=1)
    note: Text | None = None
    source: Identifier | None = None


class EntryIntoForce(StrictModel):
    """When the agreement starts and stops binding."""

    at: InstantValue = Field(description="the instant of entry into force, with its time zone")
    basis: Text | None = Field(default=None, description="why this instant (what the text says)")
    disputed: list[DisputedStart] = Field(default_factory=list)
    duration: DurationValue | None = None
    until: InstantValue | None = None
    extensions: list[Extension] = Field(default_factory=list)
    conditions_precedent: list[Condition] = Field(default_factory=list)
    ended: Ended | None = None


class ReleaseInvocation(StrictModel):
    """A recorded release of a party from terms because of the other party's violation."""

    party: Identifier = Field(description="the party released")
    because_of: Identifier = Field(description="the party whose confirmed violation releases it")
    at: InstantValue
    finding: Text | None = Field(default=None, description="the confirmed finding relied on")
    source: Identifier | None = None
    note: Text | None = None


class ReciprocalRelease(StrictModel):
    """A clause by which a confirmed violation may release the other party (never automatic)."""

    id: Identifier
    terms: list[Identifier] | Literal["all"] = Field(description="term ids it covers, or 'all'")
    text: Text
    source: Identifier | None = None
    invocations: list[ReleaseInvocation] = Field(default_factory=list)

    def covers(self, term_id: str) -> bool:
        """Whether the clause covers the term."""
        return self.terms == "all" or term_id in self.terms


class LayerVersion(StrictModel):
    """One version of a layer, valid for a period; geometry inline or in a file."""

    valid_from: InstantValue | None = Field(default=None, description="absent: since always")
    valid_until: InstantValue | None = Field(default=None, description="absent: until replaced")
    file: Text | None = Field(default=None, description="GeoJSON or GeoParquet, relative path")
    geometry: dict[str, Any] | None = Field(
        default=None, description="inline GeoJSON geometry, Feature or FeatureCollection"
    )
    source: Identifier | None = None
    proxy: Text | None = Field(
        default=None, description="why this geometry only stands in for the true one"
    )
    note: Text | None = None

    def covers(self, instant_utc: Any) -> bool:
        """Whether the version is valid at the instant (a UTC datetime)."""
        if self.valid_from is not None and instant_utc < self.valid_from.utc:
            return False
        return not (self.valid_until is not None and instant_utc >= self.valid_until.utc)


class Layer(StrictModel):
    """A named geographic layer terms refer to, versioned by validity period."""

    id: Identifier
    kind: Literal["line", "zone", "objects"]
    title: Text
    party: Identifier | None = Field(
        default=None, description="whose line or list this is, when it is one party's"
    )
    id_property: str = Field(default="id", description="feature property holding the id")
    class_property: str = Field(
        default="class", description="feature property holding an object's class"
    )
    versions: list[LayerVersion] = Field(min_length=1)


class Agreement(StrictModel):
    """A cease-fire agreement (or one instrument of it) in machine-checkable form."""

    truce: Literal[1] = Field(description="version of the agreement language")
    id: Identifier
    title: Text
    summary: Text | None = None
    sources: list[Source] = Field(min_length=1)
    parties: list[Party] = Field(min_length=2)
    approvals: list[Approval] = Field(default_factory=list)
    entry_into_force: EntryIntoForce
    reciprocal_release: list[ReciprocalRelease] = Field(default_factory=list)
    layers: list[Layer] = Field(default_factory=list)
    terms: list[Term] = Field(min_length=1)

    _path: str | None = PrivateAttr(default=None)
    _base_dir: str | None = PrivateAttr(default=None)
    _geometry: dict[str, list[LayerGeometry | None]] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> str | None:
        """The file the agreement was loaded from, if any."""
        return self._path

    def party(self, party_id: str) -> Party | None:
        """The party with that id."""
        return next((p for p in self.parties if p.id == party_id), None)

    def party_named(self, name: str) -> Party | None:
        """The party a source's name denotes (id, name or alias), if any."""
        return next((p for p in self.parties if p.known_as(name)), None)

    def term(self, term_id: str) -> TermBase | None:
        """The term with that id."""
        return next((t for t in self.terms if t.id == term_id), None)

    def layer(self, layer_id: str) -> Layer | None:
        """The layer with that id."""
        return next((lay for lay in self.layers if lay.id == layer_id), None)

    def source(self, source_id: str) -> Source | None:
        """The source with that id."""
        return next((s for s in self.sources if s.id == source_id), None)

    def layer_at(self, layer_id: str, at: Instant) -> tuple[LayerVersion, LayerGeometry] | None:
        """The version of a layer valid at an instant, with its loaded geometry."""
        layer = self.layer(layer_id)
        if layer is None:
            return None
        loaded = self._geometry.get(layer_id, [])
        for index, version in enumerate(layer.versions):
            if version.covers(at.utc) and index < len(loaded) and loaded[index] is not None:
                geometry = loaded[index]
                assert geometry is not None
                return version, geometry
        return None

    def layer_versions(self, layer_id: str) -> list[tuple[LayerVersion, LayerGeometry]]:
        """Every loaded version of a layer, in file order."""
        layer = self.layer(layer_id)
        if layer is None:
            return []
        loaded = self._geometry.get(layer_id, [])
        return [(v, g) for v, g in zip(layer.versions, loaded, strict=False) if g is not None]


def agreement_schema() -> dict[str, Any]:
    """The JSON Schema of the agreement language."""
    schema = Agreement.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://truce.invalid/schema/agreement-1.json"
    schema["title"] = "truce agreement (format 1)"
    return schema
