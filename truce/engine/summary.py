"""The summary of a check run: findings per term, per party bound and per day, what could not be
checked and why, and (with an assumed start) which findings change."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from truce.engine.explain import literal
from truce.engine.findings import (
    STATUSES,
    UNATTRIBUTED,
    Finding,
    as_plain,
    codes_of,
    status_codes,
)
from truce.engine.timing import from_micros

_EXAMPLES = 50


def _tally(
    groups: NDArray[np.int64], status: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """How many rows have each (group, status) pair, rows without a known status (code -1) left
    out: the groups, the status codes and the counts, as numpy arrays."""
    width = len(STATUSES) + 1
    values, counts = np.unique(groups * width + (status + 1), return_counts=True)
    group, word = np.divmod(values, width)
    known = word > 0
    return group[known], word[known] - 1, counts[known]


def _triples(
    tallied: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
) -> list[tuple[int, int, int]]:
    group, word, count = tallied
    return list(zip(group.tolist(), word.tolist(), count.tolist(), strict=True))


def _days_words(days: NDArray[np.int64]) -> list[str]:
    """:func:`_day_words` of many day numbers (formatted by numpy for years 1000 to 9999)."""
    plain = (days >= -354_285) & (days <= 2_932_896)  # 1000-01-01 .. 9999-12-31
    if not plain.all():
        return [_day_words(int(d)) for d in days.tolist()]
    return [str(d) for d in np.datetime_as_string(days.astype("datetime64[D]"), unit="D")]


@lru_cache(maxsize=65536)
def _day_words(day_number: int) -> str:
    if day_number < -(10**8):
        return "undated"
    return from_micros(day_number * 86_400_000_000).strftime("%Y-%m-%d")


def _days(time_start: pa.ChunkedArray | pa.Array) -> NDArray[np.int64]:
    """Day numbers (days since 1970-01-01, UTC) of the start times; far below any date where
    the time is missing."""
    micros = pc.cast(time_start, pa.int64())
    if micros.null_count == 0:
        values = np.asarray(micros.to_numpy(zero_copy_only=False), dtype=np.int64)
        return np.floor_divide(values, 86_400_000_000)
    floats = micros.to_numpy(zero_copy_only=False)
    day = np.where(np.isfinite(floats), np.floor_divide(np.nan_to_num(floats), 86_400e6), -(10**9))
    return np.asarray(day, dtype=np.int64)


def _counts(table: pa.Table, keys: list[str]) -> list[tuple[tuple[Any, ...], int]]:
    if table.num_rows == 0:
        return []
    grouped = table.group_by(keys).aggregate([([], "count_all")]).to_pylist()
    return [(tuple(row[k] for k in keys), int(row["count_all"])) for row in grouped]


@dataclass
class Summary:
    """Counts and notes of a run, updated batch by batch."""

    agreements: list[dict[str, Any]] = field(default_factory=list)
    events_read: int = 0
    rows_read: int | None = None
    rejected: dict[str, int] = field(default_factory=dict)
    events_unlocated: int = 0
    first: int | None = None
    last: int | None = None
    per_term: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    per_party: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_day: Counter[tuple[str, str]] = field(default_factory=Counter)
    term_findings: list[Finding] = field(default_factory=list)
    not_checkable: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    assumed_start: str | None = None
    changes: dict[str, Any] | None = None

    def add(self, findings: pa.RecordBatch | pa.Table, term: tuple[str, str] | None = None) -> None:
        """Count a batch of findings; ``term`` (agreement id, term id) when they are all of one
        term (saves finding out)."""
        table = (
            pa.Table.from_batches([findings]) if isinstance(findings, pa.RecordBatch) else findings
        )
        if table.num_rows == 0:
            return
        status = status_codes(table.column("status"))
        if term is None:
            agreement_code, agreements = codes_of(table.column("agreement"))
            term_code, terms = codes_of(table.column("term"))
            pairs = agreement_code * len(terms) + term_code
            for pair, word, count in _triples(_tally(pairs, status)):
                names = agreements[pair // len(terms)], terms[pair % len(terms)]
                self.per_term[(str(names[0]), str(names[1]), STATUSES[word])] += count
        else:
            for _, word, count in _triples(_tally(np.zeros_like(status), status)):
                self.per_term[(term[0], term[1], STATUSES[word])] += count
        party_code, party_names = codes_of(table.column("party_bound"))
        for party, word, count in _triples(_tally(party_code, status)):
            for one in str(party_names[party]).split(", "):
                self.per_party[(one, STATUSES[word])] += count
        days, words, counts = _tally(_days(table.column("time_start")), status)
        for day, word, count in zip(
            _days_words(days), words.tolist(), counts.tolist(), strict=True
        ):
            self.per_day[(day, STATUSES[word])] += count

    @property
    def total(self) -> int:
        """Number of findings counted."""
        return sum(self.per_term.values())

    def by_status(self) -> dict[str, int]:
        """Findings per status."""
        counts: Counter[str] = Counter()
        for (_, _, status), count in self.per_term.items():
            counts[status] += count
        return {s: counts[s] for s in STATUSES if counts[s]}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        per_term: dict[tuple[str, str], dict[str, int]] = {}
        for (agreement, term, status), count in sorted(self.per_term.items()):
            per_term.setdefault((agreement, term), {})[status] = count
        per_party: dict[str, dict[str, int]] = {}
        for (party, status), count in sorted(self.per_party.items()):
            per_party.setdefault(party, {})[status] = count
        per_day: dict[str, dict[str, int]] = {}
        for (day, status), count in sorted(self.per_day.items()):
            per_day.setdefault(day, {})[status] = count
        return {
            "agreements": self.agreements,
            "events": {
                "read": self.events_read,
                "rows_read": self.rows_read,
                "rejected": dict(sorted(self.rejected.items())),
                "without_location": self.events_unlocated,
                "checked_period": {
                    "first": from_micros(self.first).isoformat()
                    if self.first is not None
                    else None,
                    "last": from_micros(self.last).isoformat() if self.last is not None else None,
                },
            },
            "findings": {"total": self.total, "by_status": self.by_status()},
            "per_term": [
                {"agreement": a, "term": t, "findings": counts}
                for (a, t), counts in per_term.items()
            ],
            "per_party": per_party,
            "per_day": per_day,
            "term_findings": [f.to_dict() for f in self.term_findings],
            "not_machine_checkable": self.not_checkable,
            "notes": self.notes,
            "assumed_start": self.assumed_start,
            "changes_under_assumed_start": self.changes,
        }

    def render(self) -> str:
        """The summary as text for people."""
        data = self.to_dict()
        out = []
        events = data["events"]
        period = events["checked_period"]
        out.append(
            f"Events read: {events['read']} ({events['without_location']} without a location); "
            f"checked period {period['first'] or '-'} to {period['last'] or '-'}"
        )
        if self.rejected:
            rejected = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items()))
            out.append(f"Rows rejected by the readers: {sum(self.rejected.values())} ({rejected})")
        for agreement in self.agreements:
            window = agreement.get("in_force")
            state = (
                f"in force {window['start']} to {window['end'] or 'open'}"
                if window
                else "NEVER IN FORCE: " + "; ".join(agreement.get("never_in_force_because", []))
            )
            out.append(f"Agreement {agreement['id']}: {state}")
        if self.assumed_start:
            out.append(f"Assumed entry into force: {self.assumed_start}")
        status_words = ", ".join(f"{k} {v}" for k, v in data["findings"]["by_status"].items())
        out.append(
            f"Findings: {data['findings']['total']}"
            + (f" ({status_words})" if status_words else "")
        )
        out.append("Per term:")
        for row in data["per_term"]:
            counts = ", ".join(f"{k} {v}" for k, v in row["findings"].items())
            out.append(f"  {row['agreement']} / {row['term']}: {counts}")
        out.append("Per party bound:")
        for party, counts in sorted(data["per_party"].items(), key=lambda x: x[0] == UNATTRIBUTED):
            out.append(f"  {party}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        out.append("Per day:")
        days = list(data["per_day"].items())
        for day, counts in days[:60]:
            out.append(f"  {day}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if len(days) > 60:
            out.append(f"  ... and {len(days) - 60} more days")
        for finding in self.term_findings:
            out.append(f"[{finding.status}] {finding.explanation}")
        for item in self.not_checkable:
            out.append(
                f"Not machine-checkable: {item['agreement']} / {item['term']}: {item['why']}"
            )
        out.extend(f"Note: {note}" for note in self.notes)
        if self.changes is not None:
            out.append(
                f"Under the assumed start, {self.changes['count']} finding(s) change: "
                + ", ".join(f"{k} {v}" for k, v in self.changes["by_change"].items())
            )
            for example in self.changes["examples"][:20]:
                out.append(
                    f"  {example['agreement']} / {example['term']} / {example['event_id']}: "
                    f"{example['before']} -> {example['after']}"
                )
        return "\n".join(out) + "\n"


def diff_findings(before: pa.Table, after: pa.Table) -> dict[str, Any]:
    """Which event findings differ between two runs (keys: agreement, term, event_id; texts
    dictionary-typed or plain)."""
    keys = ["agreement", "term", "event_id"]
    before, after = (
        as_plain(before.select([*keys, "status"])),
        as_plain(after.select([*keys, "status"])),
    )
    left = before.select([*keys, "status"]).rename_columns([*keys, "before"])
    right = after.select([*keys, "status"]).rename_columns([*keys, "after"])
    joined = left.join(right, keys=keys, join_type="full outer")
    before_status = pc.fill_null(joined.column("before"), literal("none"))
    after_status = pc.fill_null(joined.column("after"), literal("none"))
    changed = pc.not_equal(before_status, after_status)
    table = pa.table(
        {
            "agreement": joined.column("agreement"),
            "term": joined.column("term"),
            "event_id": joined.column("event_id"),
            "before": before_status,
            "after": after_status,
        }
    ).filter(changed)
    table = table.sort_by(
        [("agreement", "ascending"), ("term", "ascending"), ("event_id", "ascending")]
    )
    by_change: Counter[str] = Counter()
    for (was, now), count in _counts(table, ["before", "after"]):
        by_change[f"{was} -> {now}"] += count
    return {
        "count": table.num_rows,
        "by_change": dict(sorted(by_change.items())),
        "examples": table.slice(0, _EXAMPLES).to_pylist(),
    }
