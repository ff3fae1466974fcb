"""A readable summary of an agreement: parties, approvals, when in force, terms in plain words."""

from __future__ import annotations

import textwrap
from typing import Any

from truce import vocabulary
from truce.agreement.in_force import effective_window, gated_by, term_window, window
from truce.agreement.model import Agreement, Layer
from truce.agreement.terms import TermBase


def layer_proxies(agreement: Agreement, layer_id: str) -> list[str]:
    """The proxy notes of a layer's versions (what stands in for unavailable true geometry)."""
    notes = []
    for version, geometry in agreement.layer_versions(layer_id):
        note = version.proxy or geometry.proxy
        if note and note not in notes:
            notes.append(note)
    return notes


def term_proxies(agreement: Agreement, term: TermBase) -> dict[str, list[str]]:
    """Proxy notes of every layer the term uses, by layer id."""
    result: dict[str, list[str]] = {}
    for ref in term.layer_refs():
        notes = layer_proxies(agreement, ref.layer)
        if notes:
            result[ref.layer] = notes
    return result


def summarise(agreement: Agreement) -> dict[str, Any]:
    """The summary as data (the JSON form of ``truce agreement show``)."""
    eif = agreement.entry_into_force
    span = window(agreement)
    effective, never = effective_window(agreement)
    return {
        "id": agreement.id,
        "title": agreement.title,
        "file": agreement.path,
        "summary": agreement.summary,
        "parties": [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "must_approve": p.must_approve,
                "approvals": [
                    {"at": a.at.isoformat(), "stated": str(a.at), "note": a.note}
                    for a in agreement.approvals
                    if a.party == p.id
                ],
            }
            for p in agreement.parties
        ],
        "entry_into_force": {
            "stated": str(eif.at),
            "utc": eif.at.isoformat(),
            "basis": eif.basis,
            "disputed": [
                {
                    "at": d.at.isoformat(),
                    "stated": str(d.at),
                    "claimed_by": d.claimed_by,
                    "note": d.note,
                }
                for d in eif.disputed
            ],
            "window": span.to_dict(),
            "conditions_precedent": [
                {"id": c.id, "text": c.text, "met": c.met.at.isoformat() if c.met else None}
                for c in eif.conditions_precedent
            ],
            "ended": {"at": eif.ended.at.isoformat(), "by": eif.ended.by, "note": eif.ended.note}
            if eif.ended
            else None,
        },
        "in_force": effective.to_dict() if effective else None,
        "never_in_force_because": never,
        "reciprocal_release": [
            {
                "id": r.id,
                "terms": r.terms,
                "text": r.text,
                "invocations": [i.model_dump(mode="json") for i in r.invocations],
            }
            for r in agreement.reciprocal_release
        ],
        "layers": [_layer_dict(agreement, layer) for layer in agreement.layers],
        "terms": [_term_dict(agreement, term) for term in agreement.terms],
    }


def _layer_dict(agreement: Agreement, layer: Layer) -> dict[str, Any]:
    versions = []
    loaded = dict(enumerate(g for _, g in agreement.layer_versions(layer.id)))
    for index, version in enumerate(layer.versions):
        geometry = loaded.get(index)
        versions.append(
            {
                "valid_from": version.valid_from.isoformat() if version.valid_from else None,
                "valid_until": version.valid_until.isoformat() if version.valid_until else None,
                "file": version.file,
                "features": len(geometry.features) if geometry else None,
                "proxy": version.proxy or (geometry.proxy if geometry else None),
            }
        )
    return {
        "id": layer.id,
        "kind": layer.kind,
        "title": layer.title,
        "party": layer.party,
        "versions": versions,
    }


def _term_dict(agreement: Agreement, term: TermBase) -> dict[str, Any]:
    source = agreement.source(term.source)
    effective, _ = effective_window(agreement)
    own = term_window(term, effective or window(agreement))
    return {
        "id": term.id,
        "type": getattr(term, "type", ""),
        "title": term.title,
        "binds": term.binds,
        "plain": term.describe(),
        "clause": term.clause,
        "source": source.citation if source else term.source,
        "pinpoint": term.pinpoint,
        "applies": own.to_dict(),
        "gated_by": [g.id for g in gated_by(agreement, term.id)],
        "checkable": term.checkable,
        "proxies": term_proxies(agreement, term),
        "note": term.note,
    }


def render_text(agreement: Agreement, width: int = 96) -> str:
    """The summary as text for people."""
    data = summarise(agreement)
    out: list[str] = [
        f"{agreement.title}",
        f"  id: {agreement.id}" + (f"   file: {agreement.path}" if agreement.path else ""),
    ]
    if agreement.summary:
        out += _wrap(agreement.summary, width, "  ")
    out.append("")
    out.append("Parties")
    for party in agreement.parties:
        approvals = [a for a in agreement.approvals if a.party == party.id]
        if approvals:
            approval = "approved " + ", ".join(a.at.describe() for a in approvals)
        elif party.must_approve:
            approval = "APPROVAL MISSING"
        else:
            approval = "approval not required"
        kind = vocabulary.PARTY_KINDS[party.kind].label
        out.append(f"  {party.id:<12} {party.name} ({kind}); {approval}")
    out += ["", "When in force", *_when_lines(agreement, data, width)]
    if agreement.reciprocal_release:
        out += ["", "Reciprocal release"]
        for clause in agreement.reciprocal_release:
            covered = "all terms" if clause.terms == "all" else ", ".join(clause.terms)
            out += _wrap(f"{clause.id} ({covered}): {clause.text}", width, "  ")
            for inv in clause.invocations:
                out.append(
                    f"    recorded: {inv.party} released at {inv.at.describe()} "
                    f"because of {inv.because_of}"
                )
            if not clause.invocations:
                out.append("    no release recorded")
    if agreement.layers:
        out += ["", "Layers"]
        for layer in data["layers"]:
            out.append(f"  {layer['id']} ({layer['kind']}): {layer['title']}")
            for version in layer["versions"]:
                period = (
                    f"{version['valid_from'] or 'always'} to {version['valid_until'] or 'open'}"
                )
                out.append(
                    f"    {period}: {version['file'] or 'inline'}, {version['features']} feature(s)"
                )
                if version["proxy"]:
                    out += _wrap(f"PROXY: {version['proxy']}", width, "      ")
    out += ["", f"Terms ({len(agreement.terms)})"]
    for term in data["terms"]:
        out += _term_lines(term, width)
    return "\n".join(out) + "\n"


def _when_lines(agreement: Agreement, data: dict[str, Any], width: int) -> list[str]:
    eif = agreement.entry_into_force
    lines = [f"  entry into force: {eif.at.describe()}"]
    if eif.basis:
        lines += _wrap(f"basis: {eif.basis}", width, "    ")
    for alt in eif.disputed:
        lines += _wrap(
            f"disputed: {', '.join(alt.claimed_by)} holds {alt.at.describe()}: {alt.note}",
            width,
            "    ",
        )
    if eif.duration:
        lines.append(f"  duration: {eif.duration}")
    if eif.until:
        lines.append(f"  until: {eif.until.describe()}")
    for ext in eif.extensions:
        change = f"by {ext.by}" if ext.by else f"until {ext.until}"
        lines.append(
            f"  extension {change}, agreed {ext.agreed_at.describe()} "
            f"by {', '.join(ext.approved_by)}"
        )
    for condition in eif.conditions_precedent:
        state = f"met {condition.met.at.describe()}" if condition.met else "NOT MET"
        lines += _wrap(
            f"condition precedent '{condition.id}' ({state}): {condition.text}", width, "  "
        )
    if eif.ended:
        lines += _wrap(
            f"ended: declared by {', '.join(eif.ended.by)} at {eif.ended.at.describe()}"
            + (f": {eif.ended.note}" if eif.ended.note else ""),
            width,
            "  ",
        )
    effective = data["in_force"]
    if effective is None:
        lines.append("  NEVER IN FORCE: " + "; ".join(data["never_in_force_because"]))
    else:
        end = effective["end_stated"] or "open-ended"
        lines.append(f"  in force: from {effective['start_stated']} until {end}")
    return lines


def _term_lines(term: dict[str, Any], width: int) -> list[str]:
    head = (
        f"  [{term['id']}] {term['title'] or ''} ({term['type']}; binds {', '.join(term['binds'])})"
    )
    lines = ["", head]
    lines += _wrap(term["plain"], width, "    ")
    applies = term["applies"]
    lines.append(
        f"    applies: from {applies['start_stated']} "
        f"until {applies['end_stated'] or 'the agreement ends'}"
    )
    if term["gated_by"]:
        lines.append(f"    only once quiet period {', '.join(term['gated_by'])} is met")
    if not term["checkable"]:
        lines.append("    not machine-checkable")
    for layer, notes in term["proxies"].items():
        for note in notes:
            lines += _wrap(f"PROXY ({layer}): {note}", width, "    ")
    cite = term["source"] + (f", {term['pinpoint']}" if term["pinpoint"] else "")
    lines += _wrap(f'clause: "{term["clause"]}"', width, "    ")
    lines += _wrap(f"source: {cite}", width, "    ")
    if term["note"]:
        lines += _wrap(f"note: {term['note']}", width, "    ")
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent + "  "
    )
