"""What every check shares: the unit of evaluation, what it returns, and the common tests.

A term is compiled into one :class:`EventUnit` per stretch of time in which the same layer
versions apply (its *span*). A unit evaluates rows of an event batch and returns :class:`Hits`,
one entry per finding, as numpy and Arrow columns. Terms with findings about the term itself
(quiet periods, phased obligations) also compile into a :class:`TermCheck` that reports once all
events have been seen.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from truce import vocabulary
from truce.agreement import Agreement, TermBase
from truce.engine.batch import KIND_SLUGS, WEAPON_SLUGS, PreparedBatch
from truce.engine.circles import STRADDLES, WITHIN
from truce.engine.explain import (
    Part,
    choose,
    distance_text,
    join,
    percent_text,
    place,
    sentence_when,
)
from truce.engine.fields import Field
from truce.engine.findings import Finding
from truce.engine.grid import FloatArray, IntArray
from truce.engine.kernels import compiled
from truce.engine.layers import FieldCache, proxy_words, version_spans, versions_words
from truce.engine.timing import INSIDE, Span, stamp_text
from truce.engine.timing import STRADDLES as TIME_STRADDLES
from truce.instant import Instant

POSSIBLE, ATTEMPT, VIOLATION = 1, 2, 3
"""Status codes of event findings (the rank of :data:`truce.engine.findings.EVENT_STATUSES`)."""

FULL, BROADER = 2, 1
"""Kind levels: the event's kind is one the term names (or narrower), or broader than one."""

AMBIGUOUS_KINDS = {"explosion": "use-of-force"}
"""Kinds whose cause is unknown: an explosion may have been any use of force."""


@dataclass
class Hits:
    """What one unit found in one batch, as numbers: one entry per finding. ``detail`` holds the
    unit's own per-finding arrays (which object, which side...) that its words are built from."""

    rows: IntArray
    status: NDArray[np.int8]
    space: NDArray[np.int8]
    level: NDArray[np.uint8]
    time_status: NDArray[np.int8]
    distance_m: FloatArray
    limit_m: FloatArray
    fraction: FloatArray
    time_fraction: FloatArray
    detail: dict[str, NDArray[np.generic]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, index: IntArray | NDArray[np.bool_]) -> Hits:
        """The hits at ``index`` (or where a mask holds)."""
        values = {
            item.name: getattr(self, item.name)[index]
            for item in fields(self)
            if item.name != "detail"
        }
        return Hits(**values, detail={k: v[index] for k, v in self.detail.items()})

    @classmethod
    def of(
        cls,
        screened: Screen,
        keep: IntArray,
        status: NDArray[np.int8],
        space: NDArray[np.int8],
        distance: FloatArray,
        limit: FloatArray | float,
        share: FloatArray,
        **detail: NDArray[np.generic],
    ) -> Hits:
        """The hits at ``keep`` of a screened set of rows and the unit's verdicts on them."""
        return cls(
            rows=screened.rows[keep],
            status=status[keep],
            space=space[keep],
            level=screened.level[keep],
            time_status=screened.time_status[keep],
            distance_m=np.asarray(distance, dtype=np.float64)[keep],
            limit_m=np.broadcast_to(np.asarray(limit, dtype=np.float64), status.shape)[keep],
            fraction=share[keep],
            time_fraction=screened.time_fraction[keep],
            detail={k: np.asarray(v)[keep] for k, v in detail.items()},
        )


@dataclass
class Words:
    """The words of some hits: what each concerns, and why it is only possible."""

    feature_layer: pa.Array
    feature_id: pa.Array
    feature_name: pa.Array
    side: pa.Array
    where: Part
    reasons: Part


@dataclass(frozen=True)
class UnitContext:
    """Where a unit comes from and what its findings must repeat."""

    agreement: Agreement
    term: TermBase
    span: Span
    entry: Instant
    versions: str
    proxies: str
    gates: tuple[str, ...] = ()
    scenario: int = 0

    @property
    def term_type(self) -> str:
        """The term's ``type`` slug."""
        return str(getattr(self.term, "type", ""))


class EventUnit(ABC):
    """A term over one span: which events may concern it, and what it finds in them."""

    role = "findings"
    """``findings`` for units whose hits are findings; ``quiet`` for quiet-period units."""

    def __init__(self, context: UnitContext) -> None:
        self.context = context
        self.kind_levels = np.zeros(len(KIND_SLUGS), dtype=np.uint8)
        self.weapon_levels = np.zeros(len(WEAPON_SLUGS), dtype=np.uint8)
        self.bypass_targets = False
        _warm_screen()

    @abstractmethod
    def near(self) -> list[tuple[Field, float]]:
        """The fields an event must be near to concern the unit, each with its reach (metres)."""

    @abstractmethod
    def evaluate(self, batch: PreparedBatch, rows: IntArray) -> Hits:
        """The findings among ``rows`` (already narrowed by kind, time and place), as numbers."""

    @abstractmethod
    def words(self, batch: PreparedBatch, hits: Hits) -> Words:
        """What each hit concerns and why it is only possible, in words."""


class TermCheck(ABC):
    """A check about a term as a whole, made once every event has been seen."""

    order = 0
    """Term checks run in this order (quiet periods first: others depend on them)."""

    def __init__(self, context: UnitContext) -> None:
        self.context = context

    @abstractmethod
    def finish(self, facts: RunFacts) -> list[Finding]:
        """The term-level findings."""


@dataclass(frozen=True)
class QuietOutcome:
    """When a quiet period was first met: counting only certain breaks (``early``) and counting
    possible breaks too (``late``); None when not met in the checked period."""

    early: int | None
    late: int | None
    possible_breaks: int = 0


@dataclass
class RunFacts:
    """What term checks may know at the end of a run."""

    first: int | None = None
    last: int | None = None
    quiet: dict[tuple[int, str, str], QuietOutcome] = field(default_factory=dict)

    def see(self, start: IntArray, end: IntArray) -> None:
        """Widen the checked period to the events of a batch."""
        if len(start) == 0:
            return
        low, high = int(start.min()), int(end.max())
        self.first = low if self.first is None else min(self.first, low)
        self.last = high if self.last is None else max(self.last, high)


def act_levels(acts: list[str]) -> NDArray[np.uint8]:
    """Per event kind: FULL if a listed act covers it, BROADER if it may be one, else 0."""
    covered = vocabulary.descendants(vocabulary.EVENT_KINDS, acts)
    broader = {a for act in acts for a in vocabulary.ancestors(vocabulary.EVENT_KINDS, act)}
    for kind, root in AMBIGUOUS_KINDS.items():
        if covered & vocabulary.descendants(vocabulary.EVENT_KINDS, [root]):
            broader.add(kind)
    levels = np.zeros(len(KIND_SLUGS), dtype=np.uint8)
    for i, slug in enumerate(KIND_SLUGS):
        levels[i] = FULL if slug in covered else BROADER if slug in broader else 0
    return levels


def weapon_levels(weapons: list[str]) -> NDArray[np.uint8]:
    """Per weapon class: FULL if a listed class covers it, BROADER if it may be one."""
    covered = vocabulary.descendants(vocabulary.WEAPON_CLASSES, weapons)
    broader = {a for w in weapons for a in vocabulary.ancestors(vocabulary.WEAPON_CLASSES, w)}
    levels = np.zeros(len(WEAPON_SLUGS), dtype=np.uint8)
    for i, slug in enumerate(WEAPON_SLUGS):
        levels[i] = FULL if slug in covered else BROADER if slug in broader else 0
    return levels


@dataclass
class Screen:
    """Rows that pass the kind and time tests, with what those tests said."""

    rows: IntArray
    level: NDArray[np.uint8]
    time_status: NDArray[np.int8]
    time_fraction: FloatArray

    def take(self, keep: NDArray[np.bool_] | IntArray) -> Screen:
        """The rows selected by a mask or an index."""
        return Screen(
            self.rows[keep], self.level[keep], self.time_status[keep], self.time_fraction[keep]
        )


def kind_level(
    batch: PreparedBatch, rows: IntArray, levels: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """The level of each row's event kind in a table from :func:`act_levels`."""
    kind = batch.kind[rows]
    return np.where(kind >= 0, levels[np.maximum(kind, 0)], 0).astype(np.uint8)


def weapon_level(
    batch: PreparedBatch, rows: IntArray, levels: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """The level of each row's weapon class in a table from :func:`weapon_levels`."""
    weapon = batch.weapon[rows]
    return np.where(weapon >= 0, levels[np.maximum(weapon, 0)], 0).astype(np.uint8)


def screen(batch: PreparedBatch, rows: IntArray, span: Span, level: NDArray[np.uint8]) -> Screen:
    """Keep located rows with a level (from the kind or weapon tables) whose time span meets
    the unit's span (as :func:`truce.engine.timing.classify` says, in one compiled pass)."""
    kept = np.empty(len(rows), dtype=np.int64)
    status = np.empty(len(rows), dtype=np.int8)
    fraction = np.empty(len(rows))
    count = _screen(
        rows,
        level,
        batch.located,
        batch.start,
        batch.end,
        span.start,
        span.end,
        kept,
        status,
        fraction,
    )
    keep = kept[:count]
    return Screen(rows[keep], level[keep], status[:count], fraction[:count])


def _warm_screen() -> None:
    """Load :func:`_screen` (from numba's disk cache, or compiling it) at set-up rather than
    inside the first batch."""
    nowhere = np.zeros(0, dtype=np.int64)
    _screen(
        nowhere,
        np.zeros(0, dtype=np.uint8),
        np.zeros(0, dtype=bool),
        nowhere,
        nowhere,
        0,
        0,
        nowhere,
        np.zeros(0, dtype=np.int8),
        np.zeros(0),
    )


@compiled
def _screen(
    rows: IntArray,
    level: NDArray[np.uint8],
    located: NDArray[np.bool_],
    start: IntArray,
    end: IntArray,
    span_start: int,
    span_end: int,
    kept: IntArray,
    status: NDArray[np.int8],
    fraction: FloatArray,
) -> int:
    """The positions in ``rows`` of located events with a level whose time meets the span, with
    their time status and the share of their span inside it (``classify``, operation for
    operation); fills ``kept``, ``status``, ``fraction`` and returns how many there are."""
    count = 0
    for i in range(len(rows)):
        row = rows[i]
        if level[i] == 0 or not located[row]:
            continue
        first, last = start[row], end[row]
        if last <= first:  # an instant
            inside = touches = first >= span_start and first < span_end
            share = 1.0 if touches else 0.0
        else:
            touches = last > span_start and first < span_end
            inside = first >= span_start and last <= span_end
            length = float(max(last - first, 1))
            common = float(min(last, span_end)) - float(max(first, span_start))
            share = min(max(common / length, 0.0), 1.0)
        if not touches and not inside:
            continue
        kept[count] = i
        status[count] = INSIDE if inside else TIME_STRADDLES
        fraction[count] = share
        count += 1
    return count


def final_status(
    space: NDArray[np.int8],
    screened: Screen,
    certain_status: NDArray[np.int8] | int = VIOLATION,
) -> NDArray[np.int8]:
    """VIOLATION (or ``certain_status``) when place, time and kind are all certain, else
    POSSIBLE; 0 where the place test failed."""
    certain = (space == WITHIN) & (screened.time_status == INSIDE) & (screened.level == FULL)
    status = np.where(certain, certain_status, POSSIBLE).astype(np.int8)
    return np.where(space >= STRADDLES, status, 0).astype(np.int8)


def common_reasons(
    batch: PreparedBatch,
    hits: Hits,
    near_words: str | Callable[[IntArray], Part],
    what_kind: str,
) -> Part:
    """'Possible because ...' (precision, time, kind) for the possible findings, empty text
    for the certain ones. ``near_words`` says what a straddling circle's share is the share of
    ('within 35 km of the line'): a text, or a function of the hits' positions giving one per
    hit."""
    possible = np.flatnonzero(hits.status == POSSIBLE)
    if len(possible) == 0:
        return ""
    rows = hits.rows[possible]
    space, share = hits.space[possible], hits.fraction[possible]
    near = near_words if isinstance(near_words, str) else near_words(possible)
    circle = space == STRADDLES
    span = hits.time_status[possible] != INSIDE
    kind = hits.level[possible] != FULL
    sentence = join(
        "Possible because",
        choose(circle | span | kind, " "),
        sentence_when(
            circle,
            "precision ",
            distance_text(batch.precision[rows]),
            ": ",
            percent_text(share),
            " of the circle lies ",
            near,
        ),
        choose(circle & (span | kind), "; "),
        sentence_when(
            span,
            "its time span (",
            stamp_text(batch.start[rows]),
            " to ",
            stamp_text(batch.end[rows]),
            ") straddles the term's window: ",
            percent_text(hits.time_fraction[possible]),
            " of it lies within",
        ),
        choose(span & kind, "; "),
        sentence_when(
            kind,
            "its kind '",
            _KIND_WORDS.take(pa.array(batch.kind[rows].astype(np.int64))),
            f"' is broader than {what_kind}: it may not be one",
        ),
        ". ",
    )
    return place(possible, sentence, len(hits))


_KIND_WORDS = pa.array(KIND_SLUGS, pa.string())


@dataclass
class Compiled:
    """What a term compiles into."""

    units: list[EventUnit] = field(default_factory=list)
    checks: list[TermCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class TermSetup:
    """Everything a check module needs to compile one term of one agreement in one scenario."""

    agreement: Agreement
    term: TermBase
    span: Span
    entry: Instant
    gates: tuple[str, ...]
    scenario: int
    cache: FieldCache

    def contexts(self, layers: list[str]) -> list[tuple[UnitContext, dict[str, int]]]:
        """One context per stretch of the term's span with the same layer versions."""
        out = []
        for span, versions in version_spans(self.agreement, layers, self.span):
            context = UnitContext(
                self.agreement,
                self.term,
                span,
                self.entry,
                versions_words(self.agreement, versions),
                proxy_words(self.agreement, versions),
                self.gates,
                self.scenario,
            )
            out.append((context, versions))
        return out

    def whole(self, layers: list[str]) -> UnitContext:
        """A context for the whole span (layer words from the first applicable versions)."""
        found = self.contexts(layers)
        versions = found[0][1] if found else {}
        return UnitContext(
            self.agreement,
            self.term,
            self.span,
            self.entry,
            versions_words(self.agreement, versions),
            proxy_words(self.agreement, versions),
            self.gates,
            self.scenario,
        )
