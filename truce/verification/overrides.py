"""A person's decisions about grouping, kept as values and applied on top of the automatic one.

Three decisions, each naming reports by ``event_id`` (never incidents, whose ids follow their
leading report and may change when new reports arrive), and each saying who decided and why:

* :class:`Detach`: each named report leaves its incident and stands alone.
* :class:`Split`: the named reports leave their incidents and form one incident together.
* :class:`Merge`: the incidents holding the named reports become one.

:func:`apply_overrides` replays the decisions in the order given, after every automatic
grouping, so re-running corroboration (with more reports, or other settings) never undoes one.
A decision naming a report that is not in the data is skipped for that report and reported as
a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truce.errors import InputError
from truce.problems import Problem, Severity


@dataclass(frozen=True)
class Override:
    """A decision about which reports belong together: the reports, who decided, and why."""

    action: ClassVar[str] = ""
    event_ids: tuple[str, ...]
    who: str
    why: str
    at: str = ""

    def __post_init__(self) -> None:
        given: object = self.event_ids
        if isinstance(given, str):
            raise InputError(f"{self.action}: event_ids must be a list of ids, not one string")
        object.__setattr__(self, "event_ids", tuple(self.event_ids))
        if not self.event_ids:
            raise InputError(f"{self.action}: name at least one report")
        if not self.who.strip() or not self.why.strip():
            raise InputError(f"{self.action}: say who decided and why")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (read back with :func:`override_from_dict`)."""
        return {
            "action": self.action,
            "event_ids": list(self.event_ids),
            "who": self.who,
            "why": self.why,
            "at": self.at,
        }


@dataclass(frozen=True)
class Detach(Override):
    """Each named report leaves its incident and becomes an incident of its own."""

    action: ClassVar[str] = "detach"


@dataclass(frozen=True)
class Split(Override):
    """The named reports leave their incidents and form one new incident together."""

    action: ClassVar[str] = "split"


@dataclass(frozen=True)
class Merge(Override):
    """The incidents holding the named reports become one incident."""

    action: ClassVar[str] = "merge"

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.event_ids) < 2:
            raise InputError("merge: name reports of at least two incidents")


OVERRIDE_TYPES: dict[str, type[Override]] = {"detach": Detach, "split": Split, "merge": Merge}
"""Every kind of decision by its ``action`` name."""


def override_from_dict(data: Mapping[str, Any]) -> Override:
    """A decision from its :meth:`Override.to_dict` form."""
    kind = OVERRIDE_TYPES.get(str(data.get("action", "")))
    if kind is None:
        raise InputError(f"unknown override action {data.get('action')!r}: detach, split or merge")
    return kind(
        event_ids=tuple(str(i) for i in data.get("event_ids", ())),
        who=str(data.get("who", "")),
        why=str(data.get("why", "")),
        at=str(data.get("at", "")),
    )


@dataclass
class Applied:
    """The grouping after the decisions: each report's leader, and the decisions per leader."""

    leader: np.ndarray
    decisions: dict[int, list[Override]] = field(default_factory=dict)
    decided_rows: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def apply_overrides(
    event_ids: pa.ChunkedArray | pa.Array,
    leader: np.ndarray,
    order_key: np.ndarray,
    overrides: Iterable[Override],
) -> Applied:
    """The leaders after replaying ``overrides`` on the automatic ``leader`` of each report.

    A group an override changed is led by its report with the smallest ``order_key``.
    """
    decisions = list(overrides)
    if not decisions:
        return Applied(leader)
    rows, problems = _rows_of(event_ids, decisions)
    n = leader.shape[0]
    group = leader.copy()
    alias: dict[int, int] = {}
    touched: set[int] = set()
    next_key = n
    named: list[list[int]] = []
    decided_rows: dict[int, str] = {}
    for decision in decisions:
        found = [rows[i] for i in decision.event_ids if i in rows]
        named.append(found)
        for row in found:
            decided_rows[row] = decision.action
        current = [_resolve(alias, int(group[row])) for row in found]
        touched.update(current)
        if isinstance(decision, Detach):
            for row in found:
                group[row] = next_key
                touched.add(next_key)
                next_key += 1
        elif isinstance(decision, Split):
            group[found] = next_key
            touched.add(next_key)
            next_key += 1
        else:
            for key in set(current):
                alias[key] = next_key
            touched.add(next_key)
            next_key += 1
    group = _resolve_all(group, alias)
    final_touched = {_resolve(alias, key) for key in touched}
    new_leader = _lead_touched(group, order_key, final_touched, leader)
    by_leader: dict[int, list[Override]] = {}
    for decision, found in zip(decisions, named, strict=True):
        for head in sorted({int(new_leader[row]) for row in found}):
            by_leader.setdefault(head, []).append(decision)
    return Applied(new_leader, by_leader, decided_rows, problems)


def _rows_of(
    event_ids: pa.ChunkedArray | pa.Array, decisions: Sequence[Override]
) -> tuple[dict[str, int], list[Problem]]:
    wanted = sorted({i for d in decisions for i in d.event_ids})
    positions = pc.index_in(event_ids, value_set=pa.array(wanted, pa.string()))
    hits = np.flatnonzero(np.asarray(pc.is_valid(positions).to_numpy(zero_copy_only=False)))
    values = np.asarray(pc.take(positions, pa.array(hits)).to_numpy(zero_copy_only=False))
    rows = {wanted[int(v)]: int(h) for h, v in zip(hits, values, strict=True)}
    problems = [
        Problem(
            type="override-unknown-report",
            message=f"{d.action} by {d.who}: no report {i!r} in the data; skipped for it",
            severity=Severity.WARNING,
        )
        for d in decisions
        for i in d.event_ids
        if i not in rows
    ]
    return rows, problems


def _resolve(alias: dict[int, int], key: int) -> int:
    while key in alias:
        key = alias[key]
    return key


def _resolve_all(group: np.ndarray, alias: dict[int, int]) -> np.ndarray:
    if not alias:
        return group
    keys = np.array(sorted(alias), dtype=np.int64)
    hit = np.flatnonzero(np.isin(group, keys))
    group[hit] = [_resolve(alias, int(k)) for k in group[hit]]
    return group


def _lead_touched(
    group: np.ndarray, order_key: np.ndarray, touched: set[int], leader: np.ndarray
) -> np.ndarray:
    """Leaders: unchanged for untouched groups, the best-ranked member for touched ones."""
    result = leader.copy()
    keys = np.array(sorted(touched), dtype=np.int64)
    rows = np.flatnonzero(np.isin(group, keys))
    if rows.size == 0:
        return result
    order = np.lexsort((order_key[rows], group[rows]))
    rows = rows[order]
    groups = group[rows]
    first = np.r_[True, groups[1:] != groups[:-1]]
    head = np.maximum.accumulate(np.where(first, np.arange(rows.size), 0))
    result[rows] = rows[head]
    return result
