"""How well an incident is established, and why: independent sources, disputes, attribution.

* **Independent sources** count *origins*, not rows: a source's declared origin
  (:class:`~truce.verification.config.SourceDeclaration`), and reports citing the same link
  (after dropping tracking parameters of Twitter/X and Telegram links) are one origin too, even
  from different sources.
* **Grade**, the first that applies:

  - ``disputed``: two origins disagree on what happened: one says the strike hit, another that
    it was stopped (``impact`` against ``attempt``), or their kinds conflict (a drone strike
    against shelling; see :mod:`truce.verification.compatibility`);
  - ``confirmed``: a monitor's own observation is among the reports (a source type that
    ``confirms``);
  - ``corroborated``: two or more independent sources;
  - ``reported``: one.

* **Attribution** is never merged: every claim stays with its report. The incident's
  attribution is *contested* when the claims name more than one perpetrator, and the reasons
  say when the parties blame each other. Claims of sources that do not attribute (UCDP codes
  the sides of a dyad, which is not a party's claim) are kept but not compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.verification.compatibility import AGREE, CONSISTENT
from truce.verification.reports import ReportArrays
from truce.verification.scan import compiled

GRADES: tuple[str, ...] = ("reported", "corroborated", "confirmed", "disputed")
"""The grades, from weakest to the one that needs a person's attention."""

REASONS: dict[str, str] = {
    "single-source": "one independent source",
    "independent-sources": "two or more independent sources",
    "monitor-observation": "a monitor's own observation",
    "outcome-conflict": "sources disagree on the outcome (impact against attempt)",
    "kind-conflict": "sources disagree on what kind of event it was",
    "contested-attribution": "the claims name different perpetrators",
    "mutual-blame": "the parties blame each other",
    "same-origin": "several reports repeat one origin",
    "re-reports": "the same source reported it more than once",
    "matched-several": "a vague report that matched several incidents, kept on its own",
    "no-location": "a report with no location, grouped with nothing",
    "override": "a person's decision changed this incident",
}
"""Every reason slug an incident can carry, with what it means."""

_LINK_QUERY = re.compile(
    r"^(https?://(?:www\.|mobile\.)?(?:twitter\.com|x\.com|t\.me)/[^?#]*)[?#].*$"
)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique``, by a sort: faster on millions of integers)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if values.size else values


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and the place of each value among them.

    Non-negative values that leave room are sorted with their position packed in the low bits
    (a plain sort, several times faster than ``argsort``).
    """
    bits = max(int(values.size).bit_length(), 1)
    if values.size and values.min() >= 0 and int(values.max()).bit_length() + bits <= 63:
        keys = np.sort((values.astype(np.int64) << bits) | np.arange(values.size, dtype=np.int64))
        order = keys & ((1 << bits) - 1)
        ordered = keys >> bits
    else:
        order = np.argsort(values)
        ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if values.size else np.zeros(0, dtype=bool)
    inverse = np.empty(values.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def distinct_codes(
    inc: np.ndarray, codes: np.ndarray, m: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (incident, code) pairs, sorted by incident then code."""
    if width <= 64:
        masks = np.zeros(m, dtype=np.uint64)
        _or_bits(masks, inc, codes)
        return _set_bits(masks, width)
    pairs = sorted_unique(inc.astype(np.int64) * width + codes)
    return pairs // width, pairs % width


def distinct_code_sets(
    inc: np.ndarray, columns: list[np.ndarray], widths: list[int], m: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`distinct_codes` of four code columns at once: when every width is at most 64,
    the four bit sets of an incident lie side by side, so each report updates one cache line
    instead of four (the reports' incidents jump about: this pass is bound by memory)."""
    if len(columns) != 4 or max(widths) > 64:
        return [distinct_codes(inc, c, m, w) for c, w in zip(columns, widths, strict=True)]
    masks = np.zeros((m, 4), dtype=np.uint64)
    _or_bits4(masks, inc, columns[0], columns[1], columns[2], columns[3])
    return [_set_bits(np.ascontiguousarray(masks[:, k]), w) for k, w in enumerate(widths)]


@compiled
def _or_bits4(
    masks: np.ndarray, inc: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray
) -> None:  # pragma: no cover
    """Set bit ``a[i]`` of ``masks[inc[i], 0]``, ``b[i]`` of ``masks[inc[i], 1]``, and so on."""
    one = np.uint64(1)
    for i in range(inc.size):
        j = inc[i]
        masks[j, 0] |= one << np.uint64(a[i])
        masks[j, 1] |= one << np.uint64(b[i])
        masks[j, 2] |= one << np.uint64(c[i])
        masks[j, 3] |= one << np.uint64(d[i])


@compiled
def _or_bits(masks: np.ndarray, inc: np.ndarray, codes: np.ndarray) -> None:  # pragma: no cover
    """Set bit ``codes[i]`` of ``masks[inc[i]]`` for every i."""
    for i in range(inc.size):
        masks[inc[i]] |= np.uint64(1) << np.uint64(codes[i])


@compiled
def _set_bits(masks: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """The (position, bit) of every set bit of ``masks``, in that order (int32: fewer than
    2**31 positions)."""
    total = 0
    for i in range(masks.size):
        rest = masks[i]
        while rest:
            rest &= rest - np.uint64(1)
            total += 1
    incident = np.empty(total, dtype=np.int32)
    code = np.empty(total, dtype=np.int32)
    k = 0
    for i in range(masks.size):
        rest = masks[i]
        bit = 0
        while rest and bit < width:
            if rest & np.uint64(1):
                incident[k] = i
                code[k] = bit
                k += 1
            rest >>= np.uint64(1)
            bit += 1
    return incident, code


@compiled
def lower_to(low: np.ndarray, inc: np.ndarray, values: np.ndarray) -> None:  # pragma: no cover
    """``low[inc[i]] = min(low[inc[i]], values[i])`` for every i (``np.minimum.at``, compiled)."""
    for i in range(inc.size):
        low[inc[i]] = min(low[inc[i]], values[i])


@compiled
def raise_to(high: np.ndarray, inc: np.ndarray, values: np.ndarray) -> None:  # pragma: no cover
    """``high[inc[i]] = max(high[inc[i]], values[i])`` for every i (``np.maximum.at``, compiled)."""
    for i in range(inc.size):
        high[inc[i]] = max(high[inc[i]], values[i])


def independent_sources(
    arrays: ReportArrays, inc: np.ndarray, m: int, origins: np.ndarray | None = None
) -> np.ndarray:
    """Per incident: how many independent origins its reports come from.

    ``origins``: the incident of each distinct (incident, origin) pair, if known already.
    """
    if origins is None:
        origins, _ = distinct_codes(inc, arrays.origin, m, len(arrays.origin_names))
    incident = origins
    independent = np.bincount(incident, minlength=m)
    multi = np.flatnonzero(independent > 1)
    if multi.size:
        # only reports with a link can join origins: the others are left out before any string
        # is read (a link's length comes from the column's offsets)
        rows = np.flatnonzero((independent > 1)[inc] & has_text(arrays.table.column("link")))
        independent[multi] -= _collapse_links(arrays, inc, rows, multi)
    return independent


def has_text(column: pa.ChunkedArray) -> np.ndarray:
    """Per row: whether the string column holds a value that is not empty."""
    present = np.zeros(len(column), dtype=bool)
    at = 0
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            lengths = pc.binary_length(chunk.dictionary).to_numpy(zero_copy_only=False)
            indices = pc.fill_null(chunk.indices, 0).to_numpy(zero_copy_only=False)
            longer = np.asarray(lengths > 0)[indices] if len(chunk.dictionary) else False
            present[at : at + len(chunk)] = longer
            if chunk.null_count:
                present[at : at + len(chunk)] &= np.asarray(
                    pc.is_valid(chunk).to_numpy(zero_copy_only=False)
                )
        else:
            lengths = pc.fill_null(pc.binary_length(chunk), 0)
            present[at : at + len(chunk)] = lengths.to_numpy(zero_copy_only=False) > 0
        at += len(chunk)
    return present


def normalise_links(links: pa.Array) -> pa.Array:
    """Links with surrounding space, Twitter/X and Telegram query strings and trailing '/' cut."""
    if isinstance(links, pa.ChunkedArray):
        return pa.chunked_array([normalise_links(c) for c in links.chunks], pa.string())
    trimmed = pc.utf8_trim_whitespace(pc.fill_null(links, ""))
    # Only a link with a query or a fragment can have one cut: the regular expression (the
    # slow part) is applied to those alone.
    query = pc.or_(pc.match_substring(trimmed, "?"), pc.match_substring(trimmed, "#"))
    if pc.any(query).as_py():
        cut = pc.replace_substring_regex(trimmed.filter(query), _LINK_QUERY.pattern, r"\1")
        trimmed = pc.replace_with_mask(trimmed, query, cut)
    return pc.utf8_rtrim(trimmed, "/")


def _collapse_links(
    arrays: ReportArrays, inc: np.ndarray, rows: np.ndarray, multi: np.ndarray
) -> np.ndarray:
    """Per incident of ``multi``: how many of its origins count as another one because they
    share a link with it (its independent origins are its distinct origins less these).

    Origins are joined only through links, so an origin none of whose reports in the incident
    carries a link stays on its own: the graph of origins and links is built from the reports
    with a link alone, and every origin that is not the first of its connected group counts.
    """
    # a take from the chunked column (``rows`` are sorted: each chunk is read in order), not
    # from a combined copy of the whole column
    column = arrays.table.column("link").take(pa.array(rows))
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    links = normalise_links(column.combine_chunks())
    # Most links are cited once, and a link cited once joins nothing: those reports are left
    # out, found by a 64-bit hash of each link (equal links hash alike, so every link cited
    # twice is kept), and only the rest are numbered by Arrow (exactly, by their strings).
    shared = _repeated(_string_hashes(links))
    rows, links = rows[shared], links.filter(pa.array(shared))
    normalised = pc.dictionary_encode(links)
    link_code = np.asarray(normalised.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    is_empty = np.asarray(
        pc.equal(normalised.dictionary, "").to_numpy(zero_copy_only=False), dtype=bool
    )
    linked = ~is_empty[link_code] if is_empty.size else np.zeros(rows.size, dtype=bool)
    rows = rows[linked]
    link_code = link_code[linked]
    origins = len(arrays.origin_names)
    incident_at = np.full(int(inc.max(initial=0)) + 1, -1, dtype=np.int64)
    incident_at[multi] = np.arange(multi.size, dtype=np.int64)
    if rows.size == 0:
        return np.zeros(multi.size, dtype=np.int64)
    origin_nodes, origin_of_row = unique_inverse(
        inc[rows].astype(np.int64) * origins + arrays.origin[rows]
    )
    width = int(link_code.max()) + 1
    link_keys, link_of_row = unique_inverse(inc[rows].astype(np.int64) * width + link_code)
    label = _components(
        origin_of_row, link_of_row + origin_nodes.size, origin_nodes.size + link_keys.size
    )
    joined = label[: origin_nodes.size] != np.arange(origin_nodes.size)
    return np.bincount(incident_at[origin_nodes[joined] // origins], minlength=multi.size)


def _string_hashes(strings: pa.Array) -> np.ndarray:
    """The FNV-1a hash of each string's bytes (a missing string hashes as an empty one)."""
    if pa.types.is_large_string(strings.type):
        width: type[np.signedinteger[Any]] = np.int64
    else:
        strings = strings.cast(pa.string())
        width = np.int32
    _, offsets_buffer, data_buffer = strings.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=width)[strings.offset :][: len(strings) + 1]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, dtype=np.uint8)
    )
    hashes = np.empty(len(strings), dtype=np.uint64)
    _fnv1a(offsets.astype(np.int64), data, hashes)
    return hashes


@compiled
def _fnv1a(offsets: np.ndarray, data: np.ndarray, hashes: np.ndarray) -> None:  # pragma: no cover
    prime = np.uint64(1099511628211)
    for i in range(hashes.size):
        h = np.uint64(14695981039346656037)
        for at in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[at])) * prime
        hashes[i] = h


def _repeated(values: np.ndarray) -> np.ndarray:
    """Per value: whether it occurs more than once."""
    ordered = np.sort(values)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if twice.size == 0:
        return np.zeros(values.size, dtype=bool)
    twice = twice[np.r_[True, twice[1:] != twice[:-1]]]
    at = np.minimum(np.searchsorted(twice, values), twice.size - 1)
    return np.asarray(twice[at] == values)


@compiled
def _components(left: np.ndarray, right: np.ndarray, size: int) -> np.ndarray:  # pragma: no cover
    """Union-find over ``size`` nodes joined by the edges (left, right): each node's smallest
    connected node."""
    parent = np.arange(size)
    for edge in range(left.size):
        a, b = left[edge], right[edge]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b
    for node in range(size):
        parent[node] = parent[parent[node]]
    return parent


def outcome_conflicts(
    arrays: ReportArrays,
    inc: np.ndarray,
    m: int,
    specific: np.ndarray,
    candidates: np.ndarray | None = None,
) -> np.ndarray:
    """Per incident: whether one origin says ``impact`` and another ``attempt``.

    Only ``specific`` reports are compared: a vague report cannot contradict a precise one.
    ``candidates``, if given, marks the incidents that can have a conflict at all (both
    outcomes among all their reports): the reports of the others are left out.
    """
    result = np.zeros(m, dtype=bool)
    if candidates is not None:
        specific = specific & candidates[inc]
    imp = (arrays.outcome == 1) & specific
    att = (arrays.outcome == 2) & specific
    if not (imp.any() and att.any()):
        return result
    big = np.iinfo(np.int64).max
    ranges = []
    for mask in (imp, att):
        low = np.full(m, big, dtype=np.int64)
        high = np.full(m, -1, dtype=np.int64)
        chosen = np.flatnonzero(mask)
        lower_to(low, inc[chosen], arrays.origin[chosen])
        raise_to(high, inc[chosen], arrays.origin[chosen])
        ranges.append((low, high))
    (il, ih), (al, ah) = ranges
    both = (ih >= 0) & (ah >= 0)
    one_origin = (il == ih) & (al == ah) & (il == al)
    result[both & ~one_origin] = True
    return result


def kind_conflicts(
    arrays: ReportArrays,
    rows: np.ndarray,
    offsets: np.ndarray,
    specific: np.ndarray,
    candidates: np.ndarray | None = None,
) -> np.ndarray:
    """Per incident: whether two origins report kinds that conflict or are incompatible.

    ``rows`` lists the reports incident by incident, incident ``j`` at
    ``rows[offsets[j]:offsets[j + 1]]``. Only ``specific`` reports are compared, and only in
    incidents where they name two origins and two kinds or more. Compiled: each incident's
    distinct (origin, kind) pairs compared two by two. ``candidates``, if given, marks the
    incidents that can have a conflict at all (two origins and two kinds among all their
    reports): the others are not looked at.
    """
    result = np.zeros(offsets.size - 1, dtype=bool)
    if candidates is None:
        candidates = np.ones(offsets.size - 1, dtype=np.bool_)
    _kind_conflicts(
        np.asarray(rows, dtype=np.int64),
        np.asarray(offsets, dtype=np.int64),
        np.asarray(candidates, dtype=np.bool_),
        arrays.origin,
        arrays.kind,
        np.asarray(specific, dtype=np.bool_),
        arrays.kinds.matrix,
        result,
    )
    return result


@compiled
def _kind_conflicts(
    all_rows: np.ndarray,
    offsets: np.ndarray,
    candidates: np.ndarray,
    origin: np.ndarray,
    kind: np.ndarray,
    specific: np.ndarray,
    matrix: np.ndarray,
    result: np.ndarray,
) -> None:  # pragma: no cover
    m = result.size
    rows = np.empty(all_rows.size, dtype=np.int64)
    start = np.zeros(m + 1, dtype=np.int64)
    for j in range(m):
        count = start[j]
        for a in range(offsets[j], offsets[j + 1] if candidates[j] else offsets[j]):
            if specific[all_rows[a]]:
                rows[count] = all_rows[a]
                count += 1
        start[j + 1] = count
    pair_origin = np.empty(0, dtype=np.int64)
    pair_kind = np.empty(0, dtype=np.int64)
    for j in range(m):
        lo, hi = start[j], start[j + 1]
        if hi - lo < 2:
            continue
        several_origins = False
        several_kinds = False
        for a in range(lo + 1, hi):
            several_origins |= origin[rows[a]] != origin[rows[lo]]
            several_kinds |= kind[rows[a]] != kind[rows[lo]]
        if not (several_origins and several_kinds):
            continue
        if pair_origin.size < hi - lo:
            pair_origin = np.empty(hi - lo, dtype=np.int64)
            pair_kind = np.empty(hi - lo, dtype=np.int64)
        distinct = 0
        for a in range(lo, hi):
            o, k = origin[rows[a]], kind[rows[a]]
            seen = False
            for d in range(distinct):
                if pair_origin[d] == o and pair_kind[d] == k:
                    seen = True
                    break
            if not seen:
                pair_origin[distinct] = o
                pair_kind[distinct] = k
                distinct += 1
        for a in range(distinct):
            for b in range(a + 1, distinct):
                if pair_origin[a] == pair_origin[b]:
                    continue
                # the relation read as the sorted pairs of the vectorised version read it
                if (pair_origin[a], pair_kind[a]) < (pair_origin[b], pair_kind[b]):
                    relation = matrix[pair_kind[a], pair_kind[b]]
                else:
                    relation = matrix[pair_kind[b], pair_kind[a]]
                if relation != AGREE and relation != CONSISTENT:
                    result[j] = True


def confirmed(arrays: ReportArrays, inc: np.ndarray, m: int) -> np.ndarray:
    """Per incident: whether a report of a confirming source type is in it."""
    return np.bincount(inc, weights=arrays.confirms, minlength=m) > 0


def attribution(
    arrays: ReportArrays, inc: np.ndarray, m: int, aliases: Mapping[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per incident: contested (two or more perpetrators named) and mutual blame.

    Compared are the claims of sources that attribute.
    """
    claims = arrays.table.column("claims").combine_chunks()
    contested = np.zeros(m, dtype=bool)
    mutual = np.zeros(m, dtype=bool)
    if len(claims.flatten()) == 0:
        return contested, mutual
    parent = np.asarray(pc.list_parent_indices(claims).to_numpy(), dtype=np.int64)
    flat = claims.flatten()
    keep = arrays.attributes[parent]
    parent = parent[keep]
    claimant = _party_codes(flat.field("claimant").filter(pa.array(keep)), aliases)
    perpetrator = _party_codes(flat.field("perpetrator").filter(pa.array(keep)), aliases)
    names = sorted(set(claimant[1]) | set(perpetrator[1]))
    index = {name: i for i, name in enumerate(names)}
    c = np.array([index[claimant[1][k]] for k in range(len(claimant[1]))], dtype=np.int64)
    p = np.array([index[perpetrator[1][k]] for k in range(len(perpetrator[1]))], dtype=np.int64)
    c, p = c[claimant[0]], p[perpetrator[0]]
    known = p != index[""] if "" in index else np.ones(p.size, dtype=bool)
    incident = inc[parent]
    width = len(names)
    pairs = sorted_unique(incident[known] * width + p[known])
    per_incident = np.bincount(pairs // width, minlength=m)
    contested[per_incident > 1] = True
    blame = sorted_unique((incident[known] * width + c[known]) * width + p[known])
    reverse = (incident[known] * width + p[known]) * width + c[known]
    found = np.isin(reverse, blame) & (c[known] != p[known])
    mutual[incident[known][found]] = True
    return contested, mutual


def canonical_party(name: str, aliases: Mapping[str, str]) -> str:
    """The party a name stands for: parentheses dropped, case folded, aliases applied."""
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    folded = " ".join(bare.casefold().split())
    if folded in ("", "unknown", "unclear", "not known"):
        return ""
    table = {k.casefold(): v for k, v in aliases.items()}
    return table.get(folded, bare)


def _party_codes(values: pa.Array, aliases: Mapping[str, str]) -> tuple[np.ndarray, list[str]]:
    encoded = pc.dictionary_encode(pc.fill_null(values, ""))
    names = [canonical_party(str(v), aliases) for v in encoded.dictionary.to_pylist()]
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, names


def grade_codes(independent: np.ndarray, confirmed: np.ndarray, disputed: np.ndarray) -> np.ndarray:
    """Per incident: the index of its grade in :data:`GRADES` (the first that applies)."""
    grade = np.where(independent >= 2, 1, 0).astype(np.int8)
    grade[confirmed] = 2
    grade[disputed] = 3
    return grade


CONFIRMS = 1
"""Bit of :func:`incident_passes`' per-report flags: the report's source type confirms."""
UNIQUE = 2
"""Flag bit: the report is not a re-report of another."""
SEVERAL = 4
"""Flag bit: a vague report that matched several incidents and was kept on its own."""
UNLOCATED = 8
"""Flag bit: the report has no location."""
SPECIFIC = 16
"""Flag bit: the report is specific enough to contradict another (see :func:`outcome_conflicts`)."""


def incident_passes(
    rows: np.ndarray,
    offsets: np.ndarray,
    codes: list[np.ndarray],
    widths: list[int],
    outcome: np.ndarray,
    origin: np.ndarray,
    flags: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> dict[str, Any]:
    """Every per-incident sum of the grading in one pass over the reports in incident order.

    ``rows`` lists the reports incident by incident (incident ``j`` at
    ``rows[offsets[j]:offsets[j + 1]]``); every other array is per report, in input order.
    Each incident's values are accumulated in registers and written once: the passes this
    replaces (:func:`distinct_code_sets`, :func:`confirmed`, :func:`outcome_conflicts`, the
    counts by flag, :func:`raise_to` and :func:`lower_to`) each wrote to a random incident per
    report. Returns the four code sets of ``codes`` (as :func:`distinct_code_sets`, when every
    width is at most 64; else None), ``confirmed``, ``unique`` (reports that are not
    re-reports), ``several``, ``unlocated``, ``outcome_conflict`` (of the ``SPECIFIC`` reports),
    and the latest ``start`` and earliest closed ``end`` of the reports.
    """
    m = offsets.size - 1
    masks_wanted = len(codes) == 4 and max(widths) <= 64
    masks = np.zeros((m if masks_wanted else 0, 4), dtype=np.uint64)
    unique = np.zeros(m, dtype=np.int64)
    bits = np.zeros(m, dtype=np.uint8)
    latest_start = np.empty(m, dtype=np.int64)
    earliest_end = np.empty(m, dtype=np.int64)
    a, b, c, d = codes if masks_wanted else [outcome] * 4
    _incident_passes(
        np.asarray(rows, dtype=np.int64),
        np.asarray(offsets, dtype=np.int64),
        a,
        b,
        c,
        d,
        outcome,
        origin,
        flags,
        start,
        end,
        masks,
        unique,
        bits,
        latest_start,
        earliest_end,
    )
    code_sets = (
        [_set_bits(np.ascontiguousarray(masks[:, k]), w) for k, w in enumerate(widths)]
        if masks_wanted
        else None
    )
    return {
        "code_sets": code_sets,
        "confirmed": (bits & CONFIRMS) > 0,
        "unique": unique,
        "several": (bits & SEVERAL) > 0,
        "unlocated": (bits & UNLOCATED) > 0,
        "outcome_conflict": (bits & SPECIFIC) > 0,
        "latest_start": latest_start,
        "earliest_end": earliest_end,
    }


@compiled
def _incident_passes(
    rows: np.ndarray,
    offsets: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    outcome: np.ndarray,
    origin: np.ndarray,
    flags: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    masks: np.ndarray,
    unique_count: np.ndarray,
    bits: np.ndarray,
    latest_start: np.ndarray,
    earliest_end: np.ndarray,
) -> None:  # pragma: no cover
    """See :func:`incident_passes`; ``bits`` gets CONFIRMS, SEVERAL and UNLOCATED when any
    report has them, and SPECIFIC when the incident's specific reports hold an outcome
    conflict."""
    one = np.uint64(1)
    with_masks = masks.shape[0] > 0
    big = np.iinfo(np.int64).max
    for j in range(offsets.size - 1):
        m0 = m1 = m2 = m3 = np.uint64(0)
        unique = 0
        any_flags = 0
        low_start = np.iinfo(np.int64).min
        high_end = big
        impact_low, impact_high, attempt_low, attempt_high = big, -1, big, -1
        for at in range(offsets[j], offsets[j + 1]):
            k = rows[at]
            if with_masks:
                m0 |= one << np.uint64(a[k])
                m1 |= one << np.uint64(b[k])
                m2 |= one << np.uint64(c[k])
                m3 |= one << np.uint64(d[k])
            f = flags[k]
            any_flags |= f
            unique += (f & UNIQUE) > 0
            s, e = start[k], end[k]
            low_start = max(low_start, s)
            high_end = min(high_end, e + 1 if e > s else e)
            if f & SPECIFIC:
                o = outcome[k]
                if o == 1:
                    impact_low = min(impact_low, origin[k])
                    impact_high = max(impact_high, origin[k])
                elif o == 2:
                    attempt_low = min(attempt_low, origin[k])
                    attempt_high = max(attempt_high, origin[k])
        if with_masks:
            masks[j, 0] = m0
            masks[j, 1] = m1
            masks[j, 2] = m2
            masks[j, 3] = m3
        unique_count[j] = unique
        conflict = (
            impact_high >= 0
            and attempt_high >= 0
            and not (
                impact_low == impact_high
                and attempt_low == attempt_high
                and impact_low == attempt_low
            )
        )
        bits[j] = (any_flags & (CONFIRMS | SEVERAL | UNLOCATED)) | (SPECIFIC if conflict else 0)
        latest_start[j] = low_start
        earliest_end[j] = high_end
