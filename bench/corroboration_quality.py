"""How well corroboration matches two independent real sources: UCDP GED and CIR/Bellingcat.

Both are read from ``../shared/data`` (UCDP GED 22.1 + candidates, Ukraine; the CIR/Bellingcat
"Russia-Ukraine Monitor" export) and cut to the months and area they share: events in Ukraine
from 2022-02-24 to 2022-12-08. They are corroborated together for every distance window of
1, 5, 10 and 25 km and time window of 0, 1, 2 and 3 days (the same window for every source
type; precision radii still add to it). For each setting it prints how many UCDP events end up
in an incident with a CIR report, how many UCDP-CIR pairs share an incident, and the share of
those pairs that a person judged to be the same event, on the hand-checked sample in
``bench/corroboration_sample.csv``.

The sample was drawn reproducibly: 30 pairs found with 5 km and 0 days (what the default windows
do for reports dated to a day) and 30 pairs found only with other windows. The file holds both
reports' ids, dates, places and texts, and a person's ``verdict`` (``same``, ``different`` or
``unclear``) with a one-line ``reason``. Later runs keep that sample: a pair the rule no longer
finds drops out of a setting's estimate. ``--write-sample`` draws it again, keeping the verdicts
of pairs judged before.

Run: ``.venv/bin/python bench/corroboration_quality.py [--write-sample]``
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from truce.io import read_events
from truce.io.cir import read_cir
from truce.verification import CorroborationConfig, corroborate

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
CIR = SHARED / "cir_bellingcat_events_2022" / "events.csv"
UCDP = SHARED / "ucdp_ged_ukraine" / "UCDP-Ukraine_ged.csv"
SAMPLE = HERE / "corroboration_sample.csv"
FIRST = datetime(2022, 2, 24, tzinfo=UTC)
LAST = datetime(2022, 12, 9, tzinfo=UTC)
DISTANCES_KM = (1, 5, 10, 25)
DAYS = (0, 1, 2, 3)
STRATUM = (5, 0)
SAMPLE_COLUMNS = (
    "pair",
    "ucdp_id",
    "ucdp_date",
    "ucdp_place",
    "ucdp_precision",
    "ucdp_text",
    "cir_entry",
    "cir_date",
    "cir_place",
    "cir_text",
    "distance_km",
    "found_with",
    "verdict",
    "reason",
)

Pair = tuple[str, str]


def load_reports() -> tuple[pa.Table, pa.Table]:
    """UCDP and CIR reports in Ukraine from 2022-02-24 to 2022-12-08."""
    cir = pa.Table.from_batches([r.batch for r in read_cir(CIR)])
    ucdp = pa.Table.from_batches([r.batch for r in read_events(UCDP, "ucdp")])
    in_ukraine = pa.array(['"country":"Ukraine"' in raw for raw in cir["raw"].to_pylist()])
    return _in_window(ucdp), _in_window(cir.filter(in_ukraine))


def _in_window(table: pa.Table) -> pa.Table:
    ends_after = pc.greater(table["time_end"], pa.scalar(FIRST))
    starts_before = pc.less(table["time_start"], pa.scalar(LAST))
    return table.filter(pc.and_(ends_after, starts_before))


def pairs_for(reports: pa.Table, km: int, days: int) -> tuple[set[Pair], set[str]]:
    """UCDP-CIR pairs sharing an incident, and the UCDP events with a CIR report, at a setting."""
    config = CorroborationConfig().with_windows(km * 1000.0, days * 86_400.0)
    assignments = corroborate(reports, config).assignments
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for event_id, source, incident in zip(
        assignments["event_id"].to_pylist(),
        assignments["source"].to_pylist(),
        assignments["incident_id"].to_pylist(),
        strict=True,
    ):
        members[incident].append((source, event_id))
    pairs: set[Pair] = set()
    for group in members.values():
        ucdp = [e for s, e in group if s == "ucdp-ged"]
        cir = [e for s, e in group if s == "cir-bellingcat"]
        pairs.update((u, c) for u in ucdp for c in cir)
    return pairs, {u for u, _ in pairs}


def draw_sample(found: dict[tuple[int, int], set[Pair]]) -> list[Pair]:
    """30 pairs found with 5 km and 0 days (the defaults), and 30 found only with others."""
    rng = random.Random(20220224)
    default = sorted(found[STRATUM])
    wider = sorted(set().union(*found.values()) - found[STRATUM])
    return rng.sample(default, min(30, len(default))) + rng.sample(wider, min(30, len(wider)))


def describe(rows: dict[str, dict[str, Any]], pair: Pair, found_with: str) -> dict[str, str]:
    """A row of the sample file for ``pair``."""
    ucdp, cir = rows[pair[0]], rows[pair[1]]
    raw_u, raw_c = json.loads(ucdp["raw"]), json.loads(cir["raw"])
    return {
        "pair": f"{ucdp['source_record']}~{cir['source_record']}",
        "ucdp_id": ucdp["source_record"],
        "ucdp_date": f"{raw_u['date_start'][:10]} .. {raw_u['date_end'][:10]}",
        "ucdp_place": f"{raw_u['where_coordinates']} ({raw_u['adm_1']})",
        "ucdp_precision": f"where_prec {raw_u['where_prec']} ({ucdp['area_precision']})",
        "ucdp_text": raw_u["source_headline"],
        "cir_entry": cir["source_record"],
        "cir_date": raw_c["date"],
        "cir_place": f"{raw_c['town/city']} ({raw_c['province']})",
        "cir_text": raw_c["title"],
        "distance_km": f"{_km(ucdp, cir):.1f}",
        "found_with": found_with,
        "verdict": "",
        "reason": "",
    }


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dl = math.radians(b["lon"] - a["lon"])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def read_sample() -> list[Pair]:
    """The sampled pairs, as event ids, in the order of the sample file."""
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        return [
            (f"ucdp-ged:{r['ucdp_id']}", f"cir-bellingcat:{r['cir_entry']}")
            for r in csv.DictReader(stream)
        ]


def read_verdicts() -> dict[str, tuple[str, str]]:
    """The verdicts given so far, by pair."""
    if not SAMPLE.exists():
        return {}
    with SAMPLE.open(encoding="utf-8", newline="") as stream:
        return {r["pair"]: (r["verdict"], r["reason"]) for r in csv.DictReader(stream)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-sample", action="store_true", help="write the sample file")
    args = parser.parse_args()
    ucdp, cir = load_reports()
    reports = pa.concat_tables([ucdp, cir])
    precision_of = dict(
        zip(ucdp["event_id"].to_pylist(), ucdp["area_precision"].to_pylist(), strict=True)
    )
    print(f"UCDP events {ucdp.num_rows}, CIR events {cir.num_rows} (Ukraine, 2022-02-24..12-08)")
    print("UCDP by precision:", dict(Counter(precision_of.values())))
    found: dict[tuple[int, int], set[Pair]] = {}
    matched: dict[tuple[int, int], set[str]] = {}
    for km in DISTANCES_KM:
        for days in DAYS:
            found[(km, days)], matched[(km, days)] = pairs_for(reports, km, days)
    if args.write_sample or not SAMPLE.exists():
        sample = draw_sample(found)
        names = {
            p: ";".join(f"{k}km/{d}d" for (k, d), s in found.items() if p in s) for p in sample
        }
        _write_sample(reports, sample, names)
    sample = read_sample()
    verdicts = read_verdicts()
    _print_table(ucdp.num_rows, found, matched, sample, verdicts, precision_of)
    return 0


def _write_sample(reports: pa.Table, sample: list[Pair], names: dict[Pair, str]) -> None:
    rows = {r["event_id"]: r for r in reports.to_pylist()}
    kept = read_verdicts()
    with SAMPLE.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=SAMPLE_COLUMNS)
        writer.writeheader()
        for pair in sample:
            row = describe(rows, pair, names[pair])
            row["verdict"], row["reason"] = kept.get(row["pair"], ("", ""))
            writer.writerow(row)
    print(f"wrote {len(sample)} pairs to {SAMPLE}")


def _print_table(
    total: int,
    found: dict[tuple[int, int], set[Pair]],
    matched: dict[tuple[int, int], set[str]],
    sample: list[Pair],
    verdicts: dict[str, tuple[str, str]],
    precision_of: dict[str, str],
) -> None:
    key = {p: f"{p[0].split(':')[1]}~{p[1].split(':')[1]}" for p in sample}
    judged = {p: verdicts.get(key[p], ("", ""))[0] for p in sample}
    print(f"sample: {len(sample)} pairs, verdicts: {dict(Counter(judged.values()))}")
    print(
        "precision: share of a setting's pairs judged the same event (same+unclear in brackets),"
        " weighting the two sample strata by their share of the setting's pairs"
    )
    print(
        "window   UCDP matched (point/settl./vaguer)   pairs  sampled  same/diff/unclear  precision"
    )
    stratum = found[STRATUM]
    for (km, days), pairs in found.items():
        hit = matched[(km, days)]
        by_precision = Counter(_precision_group(precision_of[u]) for u in hit)
        in_sample = [p for p in sample if p in pairs and judged[p]]
        counts = Counter(judged[p] for p in in_sample)
        strict, lenient = _stratified(pairs, stratum, in_sample, judged)
        print(
            f"{km:>2} km {days} d  {len(hit):>4} {len(hit) / total:6.1%}"
            f" ({by_precision['point']:>3}/{by_precision['settlement']:>3}/"
            f"{by_precision['vaguer']:>3})  {len(pairs):>5}  {len(in_sample):>7}"
            f"  {counts['same']:>4}/{counts['different']:>4}/{counts['unclear']:>3}"
            f"      {strict:6.1%} ({lenient:.1%})"
        )


def _stratified(
    pairs: set[Pair], stratum: set[Pair], in_sample: list[Pair], judged: dict[Pair, str]
) -> tuple[float, float]:
    """Precision of ``pairs`` from the sample, each stratum weighted by its share of pairs."""
    strict = lenient = weight = 0.0
    for part in (pairs & stratum, pairs - stratum):
        verdicts = [judged[p] for p in in_sample if p in part]
        if not verdicts:
            continue
        share = len(part) / len(pairs)
        strict += share * verdicts.count("same") / len(verdicts)
        lenient += share * (verdicts.count("same") + verdicts.count("unclear")) / len(verdicts)
        weight += share
    if weight == 0:
        return float("nan"), float("nan")
    return strict / weight, lenient / weight


def _precision_group(area_precision: str) -> str:
    return area_precision if area_precision in ("point", "settlement") else "vaguer"


if __name__ == "__main__":
    sys.exit(main())
