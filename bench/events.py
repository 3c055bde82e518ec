"""Matchmaking-event scheduler bench: the optimised schedule beside the greedy baseline and an
independent upper bound, in the same run.

    .venv/bin/python -m bench.events [--rounds 3] [--seconds 1.5] [--json bench/results/events.json]

Two instances, each generated with a fixed seed:

* typical — 25 buyers × 80 suppliers × 300 accepted requests, 16 slots in two sessions, 30 tables
  (24 public, 2 Japanese and 2 Korean interpreter tables — one buyer in ten needs one —, 2 online
  rooms) and 5 supplier booths,
  availability windows (70 % all day, 15 % morning, 15 % afternoon), caps 14 per buyer, 8 per
  supplier, 15 % must-meet, 30 % mutual; then 10 % late changes (cancellations, shrunk availability,
  new requests) and a re-plan against the published schedule;
* stress — 300 buyers × 1,000 suppliers × 5,000 requests, 16 slots, 100 tables (72 public,
  24 interpreter, 4 online) and 20 booths.

Reported per method: weighted objective, the bound (the tightest of the min-cost-flow and LP relaxations
and the LP that keeps every party the schedule serves served — being served comes before weight; the
optimised run's time includes computing them) and the gap to it, the weight-only bound and what serving
everyone costs against it (fairness_cost_pct), must-meet
requests met of those with common availability, parties with a feasible request but no meeting,
idle gaps per party with meetings, hard-constraint violations (checked independently), time
(median of --rounds); for the re-plan, meetings moved against those directly affected.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from cnht.events.scheduler import (
    MUST_WEIGHT,
    MUTUAL_WEIGHT,
    ONE_SIDED_WEIGHT,
    Party,
    Problem,
    Request,
    Slot,
    Table,
    gaps,
    greedy,
    replan,
    solve,
    violations,
)

SIZES = {
    # interpreter tables as organisers provision them: about one per slot for each buyer in ten who needs one
    "typical": dict(buyers=25, suppliers=80, requests=300, slots=16, public=24, interp=4, online=2, booths=5),
    "stress": dict(
        buyers=300, suppliers=1000, requests=5000, slots=16, public=72, interp=24, online=4, booths=20
    ),
}


def generate(kind: str, seed: int = 7) -> Problem:
    size = SIZES[kind]
    rng = random.Random(seed)
    n_slots = size["slots"]
    half = n_slots // 2
    slots = [Slot(i, 0 if i < half else 1) for i in range(n_slots)]
    morning, afternoon, all_day = (
        frozenset(range(half)),
        frozenset(range(half, n_slots)),
        frozenset(range(n_slots)),
    )

    def window() -> frozenset[int]:
        x = rng.random()
        return all_day if x < 0.7 else morning if x < 0.85 else afternoon

    parties: dict[int, Party] = {}
    buyers = list(range(1, size["buyers"] + 1))
    suppliers = list(range(1001, 1001 + size["suppliers"]))
    lang_of: dict[int, str] = {}
    for b in buyers:
        parties[b] = Party(b, window(), cap=14, people=2 if rng.random() < 0.2 else 1)
        if rng.random() < 0.1:
            lang_of[b] = rng.choice(["ja", "ko"])
    booth_owners = suppliers[: size["booths"]]
    for s in suppliers:
        parties[s] = Party(s, window(), cap=8, remote=rng.random() < 0.03, booth=s in booth_owners)
    tables = [Table(i + 1, "public") for i in range(size["public"])]
    for j in range(size["interp"]):
        tables.append(Table(len(tables) + 1, "interpreter", language="ja" if j % 2 == 0 else "ko"))
    for _ in range(size["online"]):
        tables.append(Table(len(tables) + 1, "online"))
    for s in booth_owners:
        tables.append(Table(len(tables) + 1, "booth", owner=s))
    pairs: set[tuple[int, int]] = set()
    requests = []
    while len(requests) < size["requests"]:
        b, s = rng.choice(buyers), rng.choice(suppliers)
        if (b, s) in pairs:
            continue
        pairs.add((b, s))
        x = rng.random()
        must, weight = (
            (True, MUST_WEIGHT) if x < 0.15 else (False, MUTUAL_WEIGHT if x < 0.45 else ONE_SIDED_WEIGHT)
        )
        requests.append(Request(len(requests) + 1, b, s, weight=weight, must=must, language=lang_of.get(b)))
    return Problem(slots, parties, requests, tables)


def late_changes(p: Problem, published: dict[int, int], seed: int = 11) -> tuple[Problem, set[int]]:
    """10 % of the requests change: a third cancelled, a third lose a party's availability at their
    slot, a third are new. Returns the changed problem and the published meetings directly affected."""
    rng = random.Random(seed)
    n = max(3, len(p.requests) // 10)
    placed = sorted(published)
    cancelled = set(rng.sample(placed, min(n // 3, len(placed))))
    parties = dict(p.parties)
    affected = set(cancelled)
    for rid in rng.sample([r for r in placed if r not in cancelled], n // 3):
        r = p.by_id[rid]
        party = parties[r.supplier]
        parties[r.supplier] = replace(party, slots=party.slots - {published[rid]})
    for rid in placed:  # every meeting at a slot its parties lost is directly affected
        r = p.by_id[rid]
        if published[rid] not in parties[r.buyer].slots or published[rid] not in parties[r.supplier].slots:
            affected.add(rid)
    requests = [replace(r, status="cancelled") if r.id in cancelled else r for r in p.requests]
    pairs = {(r.buyer, r.supplier) for r in requests}
    buyers = sorted({r.buyer for r in requests})
    suppliers = sorted({r.supplier for r in requests})
    while len(requests) < len(p.requests) + n - 2 * (n // 3):
        b, s = rng.choice(buyers), rng.choice(suppliers)
        if (b, s) not in pairs:
            pairs.add((b, s))
            requests.append(Request(len(requests) + 1, b, s, weight=MUTUAL_WEIGHT))
    return Problem(p.slots, parties, requests, p.tables), affected


def metrics(p: Problem, sched) -> dict:
    feasible_must = [r for r in p.requests if r.must and p.schedulable(r) and p.common(r)]
    feasible_parties = {
        q for r in p.requests if p.schedulable(r) and p.common(r) for q in (r.buyer, r.supplier)
    }
    met = {q for rid in sched.slot_of for q in (p.by_id[rid].buyer, p.by_id[rid].supplier)}
    g = gaps(p, sched.slot_of)
    return {
        "objective": sched.objective,
        "bound": sched.bound,
        "gap_pct": round(100 * (sched.gap or 0), 3),
        "weight_bound": sched.weight_bound,
        # the weight given up so that everyone with a feasible request meets someone (not suboptimality)
        "fairness_cost_pct": (
            round(100 * (sched.weight_bound - sched.objective) / sched.weight_bound, 3)
            if sched.weight_bound
            else None
        ),
        "meetings": len(sched.slot_of),
        "must_met": sum(1 for r in feasible_must if r.id in sched.slot_of),
        "must_feasible": len(feasible_must),
        "parties_feasible_without_meeting": len(feasible_parties - met),
        "idle_gaps_per_party": round(sum(g.values()) / max(1, len(g)), 3),
        "violations": len(violations(p, sched)),
        "solver_status": sched.solver_status or sched.method,
    }


def timed(fn, rounds: int):
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def run(kind: str, rounds: int, seconds: float) -> dict:
    p = generate(kind)
    base, t_base = timed(lambda: greedy(p, bounds=False), rounds)
    opt, t_opt = timed(lambda: solve(p, seconds=seconds), rounds)
    # the greedy baseline does not serve everyone: its gap is against the weight-only bound
    wb = opt.weight_bound
    base.bound, base.gap = wb, (wb - base.objective) / wb if wb else 0.0
    out = {
        "instance": kind,
        "requests": len(p.requests),
        "greedy": {**metrics(p, base), "seconds": round(t_base, 3)},
        "optimised": {**metrics(p, opt), "seconds": round(t_opt, 3)},
        "time_ratio_to_greedy": round(t_opt / max(t_base, 1e-9), 1),
    }
    p2, affected = late_changes(p, opt.slot_of)
    published = {rid: t for rid, t in opt.slot_of.items() if p2.by_id[rid].status != "cancelled"}
    re, t_re = timed(lambda: replan(p2, published, opt.table_of, seconds=seconds), rounds)
    moved = len(re.moved) + len(re.dropped)
    directly = len([rid for rid in affected if rid in published])
    out["replan"] = {
        **metrics(p2, re),
        "seconds": round(t_re, 3),
        "moved_or_dropped": moved,
        "directly_affected": directly,
        "limit": directly + max(1, round(0.1 * len(published))),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0, help="CP-SAT time limit per solve")
    ap.add_argument("--only", choices=sorted(SIZES))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = [run(k, args.rounds, args.seconds) for k in SIZES if args.only in (None, k)]
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
