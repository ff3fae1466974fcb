"""When two reports may describe one incident, and how close they are.

Two reports *match* (:func:`matches`) when

* their kinds are not incompatible (:mod:`truce.verification.compatibility`);
* their time intervals overlap, or their middles are at most the larger of the two sources'
  time windows apart: ``|mid_a - mid_b| <= max(window, half_a + half_b)``. The window is a
  tolerance on precise times; a report dated to a day carries its uncertainty in its interval,
  so two reports dated to consecutive days match only with a window of a day;
* the chord distance between their points is at most the larger of the two distance windows
  plus both precision radii: their circles of uncertainty, widened by the window, touch.

The test is exactly symmetric, so it does not matter which report of a pair comes first. The
search for matching pairs without comparing all pairs is :mod:`truce.verification.scan`, which
applies this test and :func:`pair_scores` operation for operation.
"""

from __future__ import annotations

import numpy as np

from truce.verification.compatibility import CONFLICTING, INCOMPATIBLE
from truce.verification.reports import EARTH_RADIUS_M, ReportArrays, chord2


def matches(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each pair ``(a[i], b[i])`` of report indices matches (see the module docstring)."""
    ok = arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]] != INCOMPATIBLE
    ok &= arrays.located[a] & arrays.located[b]
    time_reach = time_reach2(
        arrays.window_us(a), arrays.window_us(b), arrays.span2(a), arrays.span2(b)
    )
    ok &= np.abs(arrays.mid2(a) - arrays.mid2(b)) <= time_reach
    reach = space_reach(arrays.window_m(a), arrays.window_m(b), arrays.radius[a], arrays.radius[b])
    ok &= chord2(arrays.xyz, a, b) <= reach * reach
    return np.asarray(ok)


def time_reach2(
    window_a: np.ndarray, window_b: np.ndarray, span2_a: np.ndarray, span2_b: np.ndarray
) -> np.ndarray:
    """Twice the largest time between the middles of two matching reports; symmetric.

    Their intervals overlap (the middles are at most the two half-widths apart), or their
    middles are at most the larger of the two windows apart. A window is a tolerance on the
    reported times: an interval as long as a day already carries its own uncertainty.
    """
    return np.asarray(np.maximum(2 * np.maximum(window_a, window_b), span2_a + span2_b))


def space_reach(
    window_a: np.ndarray, window_b: np.ndarray, radius_a: np.ndarray, radius_b: np.ndarray
) -> np.ndarray:
    """The largest chord (in Earth radii) at which two reports match; symmetric in a and b."""
    return np.asarray((np.maximum(window_a, window_b) + (radius_a + radius_b)) / EARTH_RADIUS_M)


def pair_scores(arrays: ReportArrays, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far apart two matching reports are, as shares of the pair's windows; symmetric.

    The distance over the distance reach, plus the time between the middles over the time
    reach, plus 2 when the kinds conflict.
    """
    return _score(
        chord2(arrays.xyz, a, b),
        space_reach(arrays.window_m(a), arrays.window_m(b), arrays.radius[a], arrays.radius[b]),
        np.abs(arrays.mid2(a) - arrays.mid2(b)),
        time_reach2(arrays.window_us(a), arrays.window_us(b), arrays.span2(a), arrays.span2(b)),
        arrays.kinds.matrix[arrays.kind[a], arrays.kind[b]],
    )


def _score(
    chord_2: np.ndarray,
    reach: np.ndarray,
    gap2: np.ndarray,
    time_reach2: np.ndarray,
    relation: np.ndarray,
) -> np.ndarray:
    distance = np.sqrt(chord_2)
    space = np.divide(distance, reach, out=np.zeros_like(distance), where=reach > 0)
    gap = gap2.astype(np.float64)
    span = time_reach2.astype(np.float64)
    time = np.divide(gap, span, out=np.zeros_like(gap), where=span > 0)
    return np.asarray(space + time + 2.0 * (relation == CONFLICTING))
