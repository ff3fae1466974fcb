"""A person's decisions: detach, split, merge; recorded with who and why; kept across re-runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.verification.builders import north_of, report, table
from truce.errors import InputError
from truce.verification import Detach, Merge, Override, Split, corroborate, override_from_dict

SLOVIANSK = [
    report("a:1", source="media-a"),
    report("b:1", source="media-b"),
    report("c:1", source="media-c"),
]
KRAMATORSK = [
    report("k:1", source="media-a", lat=north_of(48.85, 20.0)),
    report("k:2", source="media-b", lat=north_of(48.85, 20.1)),
]
LATER = [
    report("d:1", source="media-d"),
    report("e:1", source="media-e", precision_m=10.0),
    report("k:3", source="media-c", lat=north_of(48.85, 20.05), precision_m=10.0),
]


def groups(rows: list[dict[str, Any]], overrides: list[Override]) -> set[frozenset[str]]:
    """The incidents as sets of event ids, after the decisions."""
    assignments = corroborate(table(rows), overrides=overrides).assignments
    members: dict[str, set[str]] = {}
    for event_id, incident in zip(
        assignments["event_id"].to_pylist(), assignments["incident_id"].to_pylist(), strict=True
    ):
        members.setdefault(incident, set()).add(event_id)
    return {frozenset(m) for m in members.values()}


def test_without_decisions_the_towns_are_two_incidents() -> None:
    assert groups(SLOVIANSK + KRAMATORSK, []) == {
        frozenset({"a:1", "b:1", "c:1"}),
        frozenset({"k:1", "k:2"}),
    }


def test_detach_split_and_merge() -> None:
    rows = SLOVIANSK + KRAMATORSK
    detach = Detach(("c:1",), who="analyst-1", why="footage shows a different building")
    assert groups(rows, [detach]) == {
        frozenset({"a:1", "b:1"}),
        frozenset({"c:1"}),
        frozenset({"k:1", "k:2"}),
    }
    split = Split(("b:1", "c:1"), who="analyst-1", why="second strike an hour later")
    assert frozenset({"b:1", "c:1"}) in groups(rows, [split])
    merge = Merge(("a:1", "k:1"), who="analyst-2", why="one salvo on both towns")
    assert groups(rows, [merge]) == {frozenset({"a:1", "b:1", "c:1", "k:1", "k:2"})}


def test_decisions_hold_when_corroboration_runs_again_with_more_reports() -> None:
    decisions: list[Override] = [
        Detach(("c:1",), who="analyst-1", why="different building"),
        Merge(("a:1", "k:2"), who="analyst-2", why="one salvo"),
        Split(("k:1",), who="analyst-2", why="an earlier, separate strike"),
    ]
    first = groups(SLOVIANSK + KRAMATORSK, decisions)
    again = groups(SLOVIANSK + KRAMATORSK + LATER, decisions)
    for found in (first, again):
        alone = next(g for g in found if "c:1" in g)
        assert alone == frozenset({"c:1"})
        merged = next(g for g in found if "a:1" in g)
        assert {"a:1", "b:1", "k:2"} <= merged
        assert "k:1" not in merged
        assert next(g for g in found if "k:1" in g) == frozenset({"k:1"})
    new_reports = {"d:1", "e:1", "k:3"}
    assert all(any(e in g for g in again) for e in new_reports)


def test_later_decisions_win() -> None:
    decisions: list[Override] = [
        Detach(("c:1",), who="analyst-1", why="different building"),
        Merge(("c:1", "a:1"), who="reviewer", why="same building after all"),
    ]
    assert groups(SLOVIANSK, decisions) == {frozenset({"a:1", "b:1", "c:1"})}


def test_decisions_are_recorded_on_the_incidents_they_shaped() -> None:
    decision = Merge(("a:1", "k:1"), who="analyst-2", why="one salvo", at="2025-03-20T10:00Z")
    result = corroborate(table(SLOVIANSK + KRAMATORSK), overrides=[decision])
    (incident,) = result.incidents.to_pylist()
    assert incident["decisions"] == [decision.to_dict()]
    assert "override" in incident["reasons"]
    roles = dict(
        zip(
            result.assignments["event_id"].to_pylist(),
            result.assignments["role"].to_pylist(),
            strict=True,
        )
    )
    assert roles["a:1"] == roles["k:1"] == "decided"


def test_a_detached_leader_hands_its_incident_to_the_next_best_report() -> None:
    rows = [report("a:1", precision_m=10.0), report("b:1", source="media-b")]
    result = corroborate(
        table(rows), overrides=[Detach(("a:1",), who="analyst-1", why="misplaced")]
    )
    assert sorted(result.incidents["incident_id"].to_pylist()) == ["inc:a:1", "inc:b:1"]


def test_a_decision_about_an_unknown_report_is_a_warning() -> None:
    decision = Merge(("a:1", "gone:1"), who="analyst-1", why="one event")
    result = corroborate(table(SLOVIANSK), overrides=[decision])
    assert [p.type for p in result.problems] == ["override-unknown-report"]
    assert "gone:1" in result.problems[0].message
    assert not result.problems[0].is_error


def test_decisions_round_trip_as_data() -> None:
    for decision in (
        Detach(("a:1",), who="x", why="y"),
        Split(("a:1", "b:1"), who="x", why="y", at="2025-04-01"),
        Merge(("a:1", "b:1"), who="x", why="y"),
    ):
        assert override_from_dict(decision.to_dict()) == decision


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "delete", "event_ids": ["a"], "who": "x", "why": "y"}, "unknown override"),
        ({"action": "merge", "event_ids": ["a"], "who": "x", "why": "y"}, "at least two"),
        ({"action": "split", "event_ids": [], "who": "x", "why": "y"}, "at least one"),
        ({"action": "detach", "event_ids": ["a"], "who": " ", "why": "y"}, "who decided"),
        ({"action": "detach", "event_ids": ["a"], "who": "x", "why": ""}, "who decided"),
    ],
)
def test_a_decision_needs_reports_a_person_and_a_reason(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        override_from_dict(data)


def test_event_ids_must_be_a_list() -> None:
    with pytest.raises(InputError, match="not one string"):
        Detach("a:1", who="x", why="y")  # type: ignore[arg-type]
