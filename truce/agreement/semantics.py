"""Checks of meaning once the structure is sound: references, dates, layer versions, scope."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from truce import vocabulary
from truce.agreement.in_force import Window, term_window, window
from truce.agreement.model import Agreement, Layer
from truce.agreement.terms import LayerRef, TermBase
from truce.agreement.yamlsource import Path
from truce.problems import Severity

if TYPE_CHECKING:
    from truce.agreement.geometry import LayerGeometry

Found = tuple[Path, str, str, Severity]
_ERROR = Severity.ERROR
_WARNING = Severity.WARNING
_NON_COMBATANT_KINDS = {"mediator", "monitor"}


class SemanticChecker:
    """Finds every problem of meaning in a structurally valid agreement."""

    def __init__(
        self,
        agreement: Agreement,
        geometry: dict[str, list[LayerGeometry | None]],
        dropped: set[str],
    ) -> None:
        self.agreement = agreement
        self.geometry = geometry
        self.dropped = dropped
        self.found: list[Found] = []

    def run(self) -> list[Found]:
        """Run every check and return what was found."""
        self._unique_ids()
        self._approvals()
        self._entry_into_force()
        self._releases()
        for i, layer in enumerate(self.agreement.layers):
            self._layer(i, layer)
        for i, term in enumerate(self.agreement.terms):
            self._term(i, term)
        return self.found

    # -- helpers ---------------------------------------------------------------------------
    def add(self, path: Path, kind: str, message: str, severity: Severity = _ERROR) -> None:
        """Record one finding of the checker."""
        self.found.append((path, kind, message, severity))

    def _party(self, path: Path, party: str) -> None:
        if self.agreement.party(party) is None and party not in self.dropped:
            known = ", ".join(p.id for p in self.agreement.parties)
            self.add(path, "unknown-reference", f"no party '{party}' (parties: {known})")

    def _source(self, path: Path, source: str | None) -> None:
        if (
            source is not None
            and self.agreement.source(source) is None
            and source not in self.dropped
        ):
            known = ", ".join(s.id for s in self.agreement.sources)
            self.add(path, "unknown-reference", f"no source '{source}' (sources: {known})")

    def _window(self) -> Window:
        return window(self.agreement)

    # -- checks ----------------------------------------------------------------------------
    def _unique_ids(self) -> None:
        groups: dict[str, list[str]] = {
            "sources": [s.id for s in self.agreement.sources],
            "parties": [p.id for p in self.agreement.parties],
            "layers": [lay.id for lay in self.agreement.layers],
            "terms": [t.id for t in self.agreement.terms],
            "reciprocal_release": [r.id for r in self.agreement.reciprocal_release],
        }
        conditions = [c.id for c in self.agreement.entry_into_force.conditions_precedent]
        for key, ids in groups.items():
            self._repeats((key,), ids)
        self._repeats(("entry_into_force", "conditions_precedent"), conditions)

    def _repeats(self, base: Path, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                self.add((*base, i, "id"), "duplicate-id", f"id '{item_id}' is used twice")
            seen.add(item_id)

    def _approvals(self) -> None:
        approved: set[str] = set()
        for i, approval in enumerate(self.agreement.approvals):
            self._party(("approvals", i, "party"), approval.party)
            self._source(("approvals", i, "source"), approval.source)
            if approval.party in approved:
                self.add(
                    ("approvals", i, "party"),
                    "duplicate-approval",
                    f"a second approval by '{approval.party}': the earliest counts",
                    _WARNING,
                )
            approved.add(approval.party)
        for i, party in enumerate(self.agreement.parties):
            if party.must_approve and party.id not in approved:
                self.add(
                    ("parties", i, "must_approve"),
                    "never-in-force",
                    f"no approval by '{party.id}' is recorded, so the agreement is never in force",
                    _WARNING,
                )

    def _entry_into_force(self) -> None:
        eif = self.agreement.entry_into_force
        base: Path = ("entry_into_force",)
        if eif.duration is not None and eif.until is not None:
            self.add((*base, "until"), "conflicting-fields", "give 'duration' or 'until', not both")
        if eif.until is not None and eif.until.utc <= eif.at.utc:
            self.add((*base, "until"), "impossible-date", "'until' is not after entry into force")
        for i, alt in enumerate(eif.disputed):
            for j, party in enumerate(alt.claimed_by):
                self._party((*base, "disputed", i, "claimed_by", j), party)
            self._source((*base, "disputed", i, "source"), alt.source)
        for i, ext in enumerate(eif.extensions):
            path = (*base, "extensions", i)
            if (ext.by is None) == (ext.until is None):
                self.add(
                    path, "conflicting-fields", "an extension needs exactly one of 'by' and 'until'"
                )
            if eif.duration is None and eif.until is None and ext.by is not None:
                self.add(
                    (*path, "by"),
                    "never-applies",
                    "the agreement has no end, so extending it 'by' a duration has no effect",
                    _WARNING,
                )
            for j, party in enumerate(ext.approved_by):
                self._party((*path, "approved_by", j), party)
            self._source((*path, "source"), ext.source)
            missing = [
                p.id
                for p in self.agreement.parties
                if p.must_approve and p.id not in ext.approved_by
            ]
            if missing:
                self.add(
                    (*path, "approved_by"),
                    "unapproved-extension",
                    f"not approved by {', '.join(missing)}: it has no effect",
                    _WARNING,
                )
        for i, condition in enumerate(eif.conditions_precedent):
            path = (*base, "conditions_precedent", i)
            for j, party in enumerate(condition.demanded_by):
                self._party((*path, "demanded_by", j), party)
            self._source((*path, "source"), condition.source)
            if condition.met is not None:
                self._source((*path, "met", "source"), condition.met.source)
        if eif.ended is not None:
            for j, party in enumerate(eif.ended.by):
                self._party((*base, "ended", "by", j), party)
            self._source((*base, "ended", "source"), eif.ended.source)
            if eif.ended.at.utc < eif.at.utc:
                self.add(
                    (*base, "ended", "at"),
                    "impossible-date",
                    "declared ended before entry into force",
                )

    def _releases(self) -> None:
        term_ids = {t.id for t in self.agreement.terms}
        for i, clause in enumerate(self.agreement.reciprocal_release):
            path: Path = ("reciprocal_release", i)
            self._source((*path, "source"), clause.source)
            if clause.terms != "all":
                for j, term in enumerate(clause.terms):
                    if term not in term_ids and term not in self.dropped:
                        self.add((*path, "terms", j), "unknown-reference", f"no term '{term}'")
            for j, invocation in enumerate(clause.invocations):
                ipath = (*path, "invocations", j)
                self._party((*ipath, "party"), invocation.party)
                self._party((*ipath, "because_of"), invocation.because_of)
                self._source((*ipath, "source"), invocation.source)
                if invocation.party == invocation.because_of:
                    self.add(
                        ipath, "self-release", "a party cannot be released by its own violation"
                    )
                if invocation.at.utc < self.agreement.entry_into_force.at.utc:
                    self.add(
                        (*ipath, "at"),
                        "impossible-date",
                        "a release recorded before entry into force",
                    )

    def _layer(self, i: int, layer: Layer) -> None:
        path: Path = ("layers", i)
        if layer.party is not None:
            self._party((*path, "party"), layer.party)
        ordered = sorted(
            enumerate(layer.versions),
            key=lambda item: (
                item[1].valid_from.utc.timestamp() if item[1].valid_from else float("-inf")
            ),
        )
        for j, version in enumerate(layer.versions):
            self._source((*path, "versions", j, "source"), version.source)
            if (
                version.valid_from
                and version.valid_until
                and version.valid_until.utc <= version.valid_from.utc
            ):
                self.add(
                    (*path, "versions", j, "valid_until"),
                    "impossible-date",
                    "'valid_until' is not after 'valid_from'",
                )
        for (_, earlier), (j, later) in itertools.pairwise(ordered):
            start = later.valid_from
            end = earlier.valid_until
            if end is None or (start is not None and start.utc < end.utc):
                self.add(
                    (*path, "versions", j, "valid_from"),
                    "overlapping-versions",
                    f"layer '{layer.id}': this version overlaps the one valid from "
                    f"{earlier.valid_from or 'the beginning'}: "
                    "at any instant one version must apply",
                )
            elif start is not None and start.utc > end.utc:
                self.add(
                    (*path, "versions", j, "valid_from"),
                    "layer-version-gap",
                    f"layer '{layer.id}': no version is valid from {end} to {start}",
                    _WARNING,
                )
        self._layer_coverage(path, layer)

    def _layer_coverage(self, path: Path, layer: Layer) -> None:
        span = self._window()
        starts = [v.valid_from.utc if v.valid_from else None for v in layer.versions]
        first = None if None in starts else min(s for s in starts if s is not None)
        if first is not None and first > span.start.utc:
            self.add(
                (*path, "versions"),
                "layer-version-gap",
                f"layer '{layer.id}': no version is valid at entry into force "
                f"({span.start.describe()})",
                _WARNING,
            )
        if all(v.valid_until is not None for v in layer.versions):
            last = max(v.valid_until.utc for v in layer.versions if v.valid_until is not None)
            if span.end is None or last < span.end.utc:
                self.add(
                    (*path, "versions"),
                    "layer-version-gap",
                    f"layer '{layer.id}': no version is valid after the last one ends, while the "
                    "agreement is still in force",
                    _WARNING,
                )

    def _term(self, i: int, term: TermBase) -> None:
        path: Path = ("terms", i)
        self._source((*path, "source"), term.source)
        for j, party in enumerate(term.binds):
            self._party((*path, "binds", j), party)
        bound = [self.agreement.party(p) for p in term.binds]
        kinds = {party.kind for party in bound if party is not None}
        if kinds and kinds <= _NON_COMBATANT_KINDS:
            self.add(
                (*path, "binds"),
                "never-applies",
                "the term binds only mediators or monitors, who commit no acts it could prohibit",
                _WARNING,
            )
        for party_ref in term.party_refs():
            self._party((*path, *party_ref.path), party_ref.target)
        for term_ref in term.term_refs():
            target = term_ref.target
            if self.agreement.term(target) is None and target not in self.dropped:
                self.add((*path, *term_ref.path), "unknown-reference", f"no term '{target}'")
        for layer_ref in term.layer_refs():
            self._layer_ref(path, layer_ref)
        self._term_window(path, term)
        term.check(_TermContext(self, path))

    def _layer_ref(self, path: Path, ref: LayerRef) -> None:
        layer = self.agreement.layer(ref.layer)
        if layer is None:
            if ref.layer not in self.dropped:
                known = ", ".join(lay.id for lay in self.agreement.layers) or "none"
                self.add(
                    (*path, *ref.path),
                    "unknown-reference",
                    f"no layer '{ref.layer}' (layers: {known})",
                )
        elif layer.kind not in ref.kinds:
            self.add(
                (*path, *ref.path),
                "wrong-reference",
                f"layer '{ref.layer}' is a {layer.kind} layer; "
                f"{' or '.join(ref.kinds)} expected here",
            )

    def _term_window(self, path: Path, term: TermBase) -> None:
        span = self._window()
        own = term_window(term, span)
        if own.end is not None and own.end.utc <= own.start.utc:
            self.add(
                (*path, "active"),
                "never-applies",
                "the term's active window lies outside the agreement's time in force, so it can "
                "never apply",
                _WARNING,
            )


class _TermContext:
    """What a term may ask while checking itself, with paths relative to the term."""

    def __init__(self, checker: SemanticChecker, base: Path) -> None:
        self.checker = checker
        self.base = base

    def problem(self, path: Path, type: str, message: str, severity: Severity = _ERROR) -> None:
        self.checker.add((*self.base, *path), type, message, severity)

    def _loaded(self, layer: str) -> Iterator[LayerGeometry]:
        for geometry in self.checker.geometry.get(layer, []):
            if geometry is not None:
                yield geometry

    def feature_ids(self, layer: str) -> set[str] | None:
        loaded = list(self._loaded(layer))
        return set().union(*(g.ids() for g in loaded)) if loaded else None

    def feature_classes(self, layer: str) -> set[str] | None:
        loaded = list(self._loaded(layer))
        if not loaded:
            return None
        classes: set[str] = set().union(*(g.classes() for g in loaded))
        unknown = sorted(c for c in classes if c not in vocabulary.OBJECT_CLASSES)
        if unknown:
            self.problem(
                (),
                "unknown-object-class",
                f"layer '{layer}' has objects of classes not in the vocabulary: "
                f"{', '.join(unknown[:5])}",
                _WARNING,
            )
        return classes

    def layer_kind(self, layer: str) -> str | None:
        found = self.checker.agreement.layer(layer)
        return found.kind if found else None

    def term_type(self, term: str) -> str | None:
        found = self.checker.agreement.term(term)
        return getattr(found, "type", None) if found else None
