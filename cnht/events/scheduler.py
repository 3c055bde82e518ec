"""Matchmaking-event meeting scheduler: which accepted requests meet, in which slot, at which table.

Pure (no database, no Flask): the events service builds a :class:`Problem` from its rows and writes the
:class:`Schedule` back. The model follows the formulation in the project's events notes:

* one boolean per (request, slot) in the pair's common availability — no table index; tables are typed
  capacities per slot (interpreter language, online room, a supplier's own booth, public tables which also
  take plain meetings) and are assigned slot by slot afterwards, which the capacities make always possible;
* hard: a request meets at most once; an organisation holds at most ``people`` meetings at once, at most
  ``cap`` in all and ``session_cap`` per session; locked meetings keep their slot;
* objective, in this order: must-meet requests, nobody with a feasible request left without a meeting,
  weighted requests, (a re-plan) published meetings kept in place, fewer idle gaps.

Pipeline: a priority greedy (must first, then one meeting for each organisation still without one, then by
weight, each in the slot that adds the fewest gaps) gives a complete hint; CP-SAT improves it within a time
limit on two workers, in a child process when asked (``isolate``) so that a crash of the native solver
costs the improvement, not the web server; min-cost-flow and LP relaxations give upper bounds that do not
depend on the solver.
:func:`greedy` (weight order, first common free slot — b2match's "Quick Schedule") is the baseline the
benches compare with.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SCHEDULABLE = frozenset({"accepted", "scheduled", "locked"})
MUST_WEIGHT = 10
MUTUAL_WEIGHT = 6
ONE_SIDED_WEIGHT = 3


@dataclass(frozen=True)
class Slot:
    index: int
    session: int  # slots of one session are consecutive; a gap is counted within a session only


@dataclass(frozen=True)
class Party:
    """An organisation taking part (buyer or supplier)."""

    id: int
    slots: frozenset[int]  # when it is available
    cap: int | None = None
    session_cap: int | None = None
    people: int = 1  # meetings it can hold at the same time
    active: bool = True  # confirmed participant
    remote: bool = False  # meets online only
    booth: bool = False  # has its own booth (one table for its own meetings)


@dataclass(frozen=True)
class Request:
    id: int
    buyer: int
    supplier: int
    weight: int = ONE_SIDED_WEIGHT
    must: bool = False
    status: str = "accepted"
    language: str | None = None  # interpreter needed
    locked_slot: int | None = None  # held, checked in or frozen: never moves
    previous_slot: int | None = None  # the published slot a re-plan tries to keep


@dataclass(frozen=True)
class Table:
    id: int
    kind: str  # public | interpreter | booth | online
    language: str | None = None
    owner: int | None = None  # the party a booth belongs to


@dataclass
class Problem:
    slots: list[Slot]
    parties: dict[int, Party]
    requests: list[Request]
    tables: list[Table]

    def __post_init__(self) -> None:
        self.session_of = {s.index: s.session for s in self.slots}
        self.by_id = {r.id: r for r in self.requests}
        count: dict[str, int] = defaultdict(int)
        for t in self.tables:
            if t.kind == "online":
                count["online"] += 1
            elif t.kind == "interpreter":
                count[f"lang:{t.language}"] += 1
                count["physical"] += 1
            elif t.kind == "public":
                count["physical"] += 1
        self.capacity = dict(count)
        self.booth_owners = {t.owner for t in self.tables if t.kind == "booth" and t.owner is not None}

    def kind(self, r: Request) -> str:
        """The capacity a meeting uses: an online room, an interpreter table, or any physical table."""
        if self.parties[r.buyer].remote or self.parties[r.supplier].remote:
            return "online"
        if r.language:
            return f"lang:{r.language}"
        return "plain"

    def common(self, r: Request) -> list[int]:
        return sorted(self.parties[r.buyer].slots & self.parties[r.supplier].slots & self.session_of.keys())

    def schedulable(self, r: Request) -> bool:
        b, s = self.parties.get(r.buyer), self.parties.get(r.supplier)
        return r.status in SCHEDULABLE and b is not None and s is not None and b.active and s.active


@dataclass
class Schedule:
    slot_of: dict[int, int]  # request id → slot
    table_of: dict[int, int] = field(default_factory=dict)  # request id → table id
    method: str = ""
    objective: int = 0  # weighted requests met
    # the tightest upper bound known on the objective of schedules that serve everyone this one serves
    bound: int | None = None
    bound_source: str = ""
    gap: float | None = None  # (bound - objective) / bound
    weight_bound: int | None = None  # the same with nobody required to be served: what fairness costs
    seconds: float = 0.0
    solver_status: str = ""
    unscheduled: dict[int, dict] = field(default_factory=dict)  # request id → {"reason": …, …}
    moved: list[int] = field(default_factory=list)  # re-plan: previously placed meetings that moved
    dropped: list[int] = field(default_factory=list)  # re-plan: previously placed meetings now unplaced


# ---------------------------------------------------------------- state for incremental placement


class _State:
    """Who is busy when, how full each slot's tables are; lets the greedy passes and the checks share
    one definition of "fits". Counters only, so a placement test is O(1)."""

    def __init__(self, p: Problem):
        self.p = p
        self.busy: dict[tuple[int, int], int] = defaultdict(int)  # (party, slot) → meetings
        self.held: dict[int, set[int]] = defaultdict(set)  # party → slots with a meeting
        self.count: dict[int, int] = defaultdict(int)  # party → meetings
        self.per_session: dict[tuple[int, int], int] = defaultdict(int)
        self.used: dict[tuple[int, str], int] = defaultdict(int)  # (slot, online | lang:x | plain) → meetings
        self.lang: dict[int, int] = defaultdict(int)  # slot → interpreter meetings
        self.booth_used: dict[tuple[int, int], int] = defaultdict(int)  # (slot, supplier) → plain meetings
        self.booths_on: dict[int, int] = defaultdict(int)  # slot → booths in use
        self.slot_of: dict[int, int] = {}
        self.at: dict[tuple[int, int], set[int]] = defaultdict(set)  # (party, slot) → request ids
        self.journal: list[tuple[bool, Request, int]] | None = None  # (placed?, meeting, slot) while trying

    def mark(self) -> None:
        self.journal = []

    def rollback(self) -> None:
        """Undo every place/remove since mark()."""
        log, self.journal = self.journal or [], None
        for placed, r, t in reversed(log):
            if placed:
                self.remove(r)
            else:
                self.place(r, t)

    def _physical_load(self, t: int) -> int:
        """Physical tables in use at slot t: interpreter meetings, plus plain meetings beyond one per
        supplier booth."""
        return self.lang[t] + self.used[(t, "plain")] - self.booths_on[t]

    def table_ok(self, r: Request, t: int) -> bool:
        p, kind = self.p, self.p.kind(r)
        if kind == "online":
            return self.used[(t, "online")] < p.capacity.get("online", 0)
        physical = p.capacity.get("physical", 0)
        if kind.startswith("lang:"):
            return self.used[(t, kind)] < p.capacity.get(kind, 0) and self._physical_load(t) < physical
        if r.supplier in p.booth_owners and self.booth_used[(t, r.supplier)] == 0:
            return True  # its own booth is free
        return self._physical_load(t) < physical

    def party_ok(self, pid: int, t: int) -> bool:
        party = self.p.parties[pid]
        if t not in party.slots or self.busy[(pid, t)] >= party.people:
            return False
        if party.cap is not None and self.count[pid] >= party.cap:
            return False
        sess = self.p.session_of[t]
        return party.session_cap is None or self.per_session[(pid, sess)] < party.session_cap

    def fits(self, r: Request, t: int) -> bool:
        return self.party_ok(r.buyer, t) and self.party_ok(r.supplier, t) and self.table_ok(r, t)

    def place(self, r: Request, t: int) -> None:
        sess = self.p.session_of[t]
        for pid in (r.buyer, r.supplier):
            self.busy[(pid, t)] += 1
            self.held[pid].add(t)
            self.count[pid] += 1
            self.per_session[(pid, sess)] += 1
        kind = self.p.kind(r)
        self.used[(t, kind)] += 1
        if kind.startswith("lang:"):
            self.lang[t] += 1
        if kind == "plain":
            if r.supplier in self.p.booth_owners and self.booth_used[(t, r.supplier)] == 0:
                self.booths_on[t] += 1
            self.booth_used[(t, r.supplier)] += 1
        self.slot_of[r.id] = t
        self.at[(r.buyer, t)].add(r.id)
        self.at[(r.supplier, t)].add(r.id)
        if self.journal is not None:
            self.journal.append((True, r, t))

    def remove(self, r: Request) -> int:
        t = self.slot_of.pop(r.id)
        sess = self.p.session_of[t]
        for pid in (r.buyer, r.supplier):
            self.busy[(pid, t)] -= 1
            if not self.busy[(pid, t)]:
                self.held[pid].discard(t)
            self.count[pid] -= 1
            self.per_session[(pid, sess)] -= 1
            self.at[(pid, t)].discard(r.id)
        kind = self.p.kind(r)
        self.used[(t, kind)] -= 1
        if kind.startswith("lang:"):
            self.lang[t] -= 1
        if kind == "plain":
            self.booth_used[(t, r.supplier)] -= 1
            if r.supplier in self.p.booth_owners and self.booth_used[(t, r.supplier)] == 0:
                self.booths_on[t] -= 1
        if self.journal is not None:
            self.journal.append((False, r, t))
        return t

    def added_gaps(self, r: Request, t: int) -> int:
        """Idle slots this placement adds for both sides (0 when it extends or fills a block)."""
        total = 0
        sess = self.p.session_of[t]
        for pid in (r.buyer, r.supplier):
            same = [s for s in self.held[pid] if self.p.session_of[s] == sess]
            if not same or t in self.held[pid]:
                continue
            lo, hi = min(same), max(same)
            if lo <= t <= hi:
                total -= 1  # fills a hole
            else:
                total += (lo - t - 1) if t < lo else (t - hi - 1)
        return total


def _party_gaps(p: Problem, slots: list[int]) -> int:
    """Idle slots between a party's first and last meeting, per session."""
    by_session: dict[int, set[int]] = defaultdict(set)
    for s in slots:
        by_session[p.session_of[s]].add(s)
    return sum(max(ss) - min(ss) + 1 - len(ss) for ss in by_session.values())


def gaps(p: Problem, slot_of: dict[int, int]) -> dict[int, int]:
    """Idle gaps per party with at least one meeting."""
    held: dict[int, list[int]] = defaultdict(list)
    for rid, t in slot_of.items():
        r = p.by_id[rid]
        held[r.buyer].append(t)
        held[r.supplier].append(t)
    return {pid: _party_gaps(p, sorted(set(ts))) for pid, ts in held.items()}


def objective(p: Problem, slot_of: dict[int, int]) -> int:
    return sum(p.by_id[rid].weight for rid in slot_of)


# ---------------------------------------------------------------- baseline and priority greedy


def _fixed(p: Problem, st: _State) -> None:
    for r in p.requests:
        if r.locked_slot is not None and p.schedulable(r):
            st.place(r, r.locked_slot)


def greedy(p: Problem, *, bounds: bool = True) -> Schedule:
    """The baseline: requests by weight, each in the first common slot where it fits. ``bounds=False``
    skips the bounds (a bench times the baseline alone)."""
    start = time.perf_counter()
    st = _State(p)
    _fixed(p, st)
    for r in sorted(p.requests, key=lambda r: (-r.weight, r.id)):
        if r.id in st.slot_of or not p.schedulable(r):
            continue
        for t in p.common(r):
            if st.fits(r, t):
                st.place(r, t)
                break
    return _finish(p, st.slot_of, "greedy", start, bounds=bounds)


def _best_slot(st: _State, r: Request, prefer: int | None = None) -> int | None:
    options = [t for t in st.p.common(r) if st.fits(r, t)]
    if not options:
        return None
    if prefer in options:
        return prefer
    return min(options, key=lambda t: (st.added_gaps(r, t), t))


def priority_greedy(p: Problem, keep: dict[int, int] | None = None) -> dict[int, int]:
    """Must-meet first, then by weight (the pair with fewer common slots first), each in the slot that
    adds the fewest idle gaps; then blocked requests placed by moving what blocks them; then parties
    still without a meeting served by the cheapest swap. ``keep`` (a re-plan) places those meetings in
    their slot first."""
    st = _State(p)
    _fixed(p, st)
    for rid, t in (keep or {}).items():
        r = p.by_id[rid]
        if rid not in st.slot_of and p.schedulable(r) and t in p.common(r) and st.fits(r, t):
            st.place(r, t)
    todo = [r for r in p.requests if p.schedulable(r) and r.id not in st.slot_of]
    order = sorted(todo, key=lambda r: (-r.must, -r.weight, len(p.common(r)), r.id))
    tiers: dict[tuple[bool, int], list[Request]] = defaultdict(list)
    for r in order:
        tiers[(r.must, r.weight)].append(r)
    for tier in tiers.values():
        # within a tier (same priority) a pair with a side still without a meeting goes first: fairness
        # at no cost to the weighted objective
        for first_meeting in (True, False):
            for r in tier:
                if r.id in st.slot_of or first_meeting != (not st.count[r.buyer] or not st.count[r.supplier]):
                    continue
                best = _best_slot(st, r)
                if best is not None:
                    st.place(r, best)
    for _ in range(3):
        if not _repair(st, order):
            break
    _place_musts(st, order)
    _serve_everyone(st, order, frozen=set(keep or ()))
    _repair(st, order)
    return st.slot_of


def _serve_everyone(st: _State, order: list[Request], frozen: set[int]) -> None:
    """A party with a feasible request and no meeting gets one, by giving up the lightest meetings that
    stand in the way (never a must-meet, locked or kept one) where that serves more parties in all.
    Being served comes before weight (after must-meet): someone who came and met nobody is the outcome
    organisers regret most. Of the swaps tried the cheapest is kept; parties still without a meeting
    are listed with their requests' reasons."""
    without = {q for r in order for q in (r.buyer, r.supplier) if not st.count[q]}
    for r in order:
        if r.id in st.slot_of or not any(q in without and not st.count[q] for q in (r.buyer, r.supplier)):
            continue
        _best_swap(st, r, frozen, need_more_served=True)


def _place_musts(st: _State, order: list[Request]) -> None:
    """A must-meet left out gets a slot by giving up (or moving) any meetings that are not must-meet or
    locked, kept ones of a re-plan included: must-meet comes first in the objective."""
    for r in order:
        if r.must and r.id not in st.slot_of:
            _best_swap(st, r, set(), need_more_served=False)


def _best_swap(st: _State, r: Request, frozen: set[int], *, need_more_served: bool) -> bool:
    p = st.p
    options: list[tuple[int, int, list[Request]]] = []
    for t in p.common(r):
        if st.fits(r, t):
            options = [(0, t, [])]
            break
        out: list[Request] = []
        for q in (r.buyer, r.supplier):
            if st.party_ok(q, t):
                continue
            if t not in p.parties[q].slots:
                break
            blockers = [p.by_id[rid] for rid in st.at[(q, t)]]
            if not blockers:  # at cap: give up its lightest meeting anywhere
                blockers = [
                    p.by_id[rid] for rid in st.slot_of if q in (p.by_id[rid].buyer, p.by_id[rid].supplier)
                ]
            blockers = [m for m in blockers if not (m.must or m.locked_slot is not None or m.id in frozen)]
            if not blockers:
                break
            out.append(min(blockers, key=lambda m: (_orphans(st, m), m.weight, m.id)))
        else:
            # an upper estimate: re-placing the displaced meetings (in _swap_in) usually costs nothing
            options.append((sum(m.weight for m in {m.id: m for m in out}.values()) - r.weight, t, out))
    best: tuple[int, int, list[Request]] | None = None
    # slots where both sides are free first (only a table to find), then by the estimate
    for _est, t, out in sorted(options, key=lambda o: (bool(o[2]), o[0], o[1]))[:SWAP_TRIES]:
        lost = _swap_in(st, r, t, out, frozen, need_more_served)
        if lost is None:
            continue
        st.rollback()
        if best is None or lost < best[0]:
            best = (lost, t, out)
        if lost <= 0:
            break
    if best is None:
        return False
    _swap_in(st, r, best[1], best[2], frozen, need_more_served)
    st.journal = None
    return True


SWAP_TRIES = 16


def _table_blocker(st: _State, r: Request, t: int, frozen: set[int]) -> Request | None:
    """The meeting at t to give up for r's table: one whose leaving frees a table r can use (not a
    booth's first meeting), preferring one whose sides keep another meeting, then the lightest."""
    p, kind = st.p, st.p.kind(r)

    def frees(m: Request) -> bool:
        mk = p.kind(m)
        if kind == "online" or mk == "online":
            return mk == kind
        if kind.startswith("lang:") and st.used[(t, kind)] >= p.capacity.get(kind, 0):
            return mk == kind  # the interpreter is what is missing
        if mk == "plain" and m.supplier in p.booth_owners:
            return st.booth_used[(t, m.supplier)] > 1  # the booth's first meeting holds no public table
        return True

    movable = [
        m
        for m in (p.by_id[rid] for rid, u in st.slot_of.items() if u == t and rid not in frozen)
        if not (m.must or m.locked_slot is not None) and frees(m)
    ]
    if not movable:
        return None
    return min(movable, key=lambda m: (_orphans(st, m), m.weight, m.id))


def _orphans(st: _State, m: Request) -> int:
    """Parties left without any meeting if m goes."""
    return sum(1 for q in (m.buyer, m.supplier) if st.count[q] <= 1)


def _swap_in(
    st: _State, r: Request, t: int, out: list[Request], frozen: set[int], need_more_served: bool = True
) -> int | None:
    """Make room at t, place r, then put the displaced meetings back wherever they still fit (moving
    others if need be): most swaps then cost nothing. Returns the weight really lost, with the changes
    journalled for the caller to keep or roll back; None (already undone) when r does not fit or, with
    ``need_more_served``, the swap does not leave more parties holding a meeting."""
    p = st.p
    displaced = list({m.id: m for m in out}.values())
    st.mark()
    for m in displaced:
        st.remove(m)
    if st.party_ok(r.buyer, t) and st.party_ok(r.supplier, t) and not st.table_ok(r, t):
        extra = _table_blocker(st, r, t, frozen)  # both sides free, every usable table taken
        if extra is not None:
            st.remove(extra)
            displaced.append(extra)
    if not st.fits(r, t):
        st.rollback()
        return None
    st.place(r, t)
    for m in displaced:
        slot = _best_slot(st, m)
        if slot is not None:
            st.place(m, slot)
        else:
            any(_try_with_moves(st, m, u) for u in p.common(m))
    # parties served before and after, from the journal: each swap must serve more, so this ends
    change: dict[int, int] = defaultdict(int)
    for placed, m, _t in st.journal or []:
        for q in (m.buyer, m.supplier):
            change[q] += 1 if placed else -1
    before = sum(1 for q, d in change.items() if st.count[q] - d > 0)
    after = sum(1 for q in change if st.count[q] > 0)
    if need_more_served and after <= before:
        st.rollback()
        return None
    return sum(m.weight for m in displaced if m.id not in st.slot_of) - r.weight


def _repair(st: _State, order: list[Request]) -> int:
    """Place requests the greedy left out by moving the meetings that block them to another free slot
    (one move per blocking side, locked and kept-in-place meetings never). Returns how many were placed."""
    p, placed = st.p, 0
    for r in order:
        if r.id in st.slot_of:
            continue
        for t in p.common(r):
            if _try_with_moves(st, r, t):
                placed += 1
                break
    return placed


def _try_with_moves(st: _State, r: Request, t: int) -> bool:
    p = st.p
    moves: list[tuple[Request, int, int]] = []  # (meeting, from, to)

    def undo() -> None:
        for m, frm, _to in reversed(moves):
            st.remove(m)
            st.place(m, frm)

    for pid in (r.buyer, r.supplier):
        party = p.parties[pid]
        if t not in party.slots or (party.cap is not None and st.count[pid] >= party.cap):
            undo()
            return False
        if st.busy[(pid, t)] < party.people:
            continue
        movable = [p.by_id[rid] for rid in st.at[(pid, t)] if p.by_id[rid].locked_slot is None]
        done = False
        for m in movable:
            frm = st.remove(m)
            dest = next((u for u in p.common(m) if u != frm and st.fits(m, u)), None)
            if dest is None:
                st.place(m, frm)
                continue
            st.place(m, dest)
            moves.append((m, frm, dest))
            done = True
            break
        if not done:
            undo()
            return False
    if st.fits(r, t):
        st.place(r, t)
        return True
    undo()
    return False


# ---------------------------------------------------------------- independent bound


def flow_bound(p: Problem) -> int:
    """Upper bound on the weighted objective by min-cost flow on a relaxation: each party meets at most
    min(cap, people × available slots) times, all meetings at most the slots' total table capacity;
    slot clashes, sessions and table types are relaxed. Exact when availability is not binding."""
    from ortools.graph.python import min_cost_flow  # noqa: PLC0415 — native library, loaded when scheduling

    reqs = [r for r in p.requests if p.schedulable(r) and p.common(r)]
    if not reqs:
        return 0
    per_slot = p.capacity.get("physical", 0) + p.capacity.get("online", 0) + len(p.booth_owners)
    total = per_slot * len(p.slots)
    parties = sorted({r.buyer for r in reqs} | {r.supplier for r in reqs})
    node = {pid: i + 2 for i, pid in enumerate(parties)}
    collector = len(parties) + 2
    source, sink = 0, 1
    f = min_cost_flow.SimpleMinCostFlow()

    def cap_of(pid: int) -> int:
        party = p.parties[pid]
        c = party.people * len(party.slots & p.session_of.keys())
        if party.session_cap is not None:
            c = min(c, party.session_cap * len({p.session_of[t] for t in party.slots if t in p.session_of}))
        return c if party.cap is None else min(c, party.cap)

    buyers = {r.buyer for r in reqs}
    for pid in parties:
        if pid in buyers:
            f.add_arc_with_capacity_and_unit_cost(source, node[pid], cap_of(pid), 0)
        else:
            f.add_arc_with_capacity_and_unit_cost(node[pid], collector, cap_of(pid), 0)
    best: dict[tuple[int, int], int] = {}
    for r in reqs:  # one meeting per pair: the best of duplicate requests
        best[(r.buyer, r.supplier)] = max(best.get((r.buyer, r.supplier), 0), r.weight)
    for (b, s), w in best.items():
        if s in buyers:  # a party on both sides cannot be modelled as bipartite: relax to capacity
            continue
        f.add_arc_with_capacity_and_unit_cost(node[b], node[s], 1, -w)
    f.add_arc_with_capacity_and_unit_cost(collector, sink, total, 0)
    f.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # unused capacity
    f.set_node_supply(source, total)
    f.set_node_supply(sink, -total)
    if f.solve() != f.OPTIMAL:
        return sum(w for w in best.values())
    return -f.optimal_cost()


def lp_bound(p: Problem, served: set[int] | frozenset[int] = frozenset()) -> float:
    """Upper bound by the LP relaxation of the whole model (GLOP): slot clashes, caps, windows, typed
    tables and booths are kept, integrality is dropped. Tighter than :func:`flow_bound` when windows or
    interpreter tables bind; a few seconds at 5,000 requests. With ``served``, only schedules in which
    each of those parties holds a meeting count (the bound of the problem as organisers pose it:
    everyone who can meet does, then weight)."""
    from ortools.linear_solver import pywraplp  # noqa: PLC0415 — native library, loaded when scheduling

    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    rows: dict[tuple, pywraplp.Constraint] = {}

    def row(key: tuple, ub: float) -> pywraplp.Constraint:
        if key not in rows:
            rows[key] = solver.Constraint(-inf, ub)
        return rows[key]

    obj = solver.Objective()
    physical = p.capacity.get("physical", 0)
    booth_y: dict[tuple[int, int], pywraplp.Variable] = {}
    vars_of: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    for r in p.requests:
        if not p.schedulable(r):
            continue
        kind = p.kind(r)
        slots = [r.locked_slot] if r.locked_slot is not None else p.common(r)
        for t in slots:
            v = solver.NumVar(0, 1, "")
            vars_of[r.id].append(v)
            obj.SetCoefficient(v, r.weight)
            row(("r", r.id), 1).SetCoefficient(v, 1)
            for q in (r.buyer, r.supplier):
                party = p.parties[q]
                row(("ps", q, t), party.people).SetCoefficient(v, 1)
                if party.cap is not None:
                    row(("p", q), party.cap).SetCoefficient(v, 1)
                if party.session_cap is not None:
                    row(("pss", q, p.session_of[t]), party.session_cap).SetCoefficient(v, 1)
            if kind == "online":
                row(("online", t), p.capacity.get("online", 0)).SetCoefficient(v, 1)
                continue
            row(("physical", t), physical).SetCoefficient(v, 1)
            if kind.startswith("lang:"):
                row((kind, t), p.capacity.get(kind, 0)).SetCoefficient(v, 1)
            elif r.supplier in p.booth_owners:
                y = booth_y.get((r.supplier, t))
                if y is None:
                    y = booth_y[(r.supplier, t)] = solver.NumVar(0, 1, "")
                    row(("physical", t), physical).SetCoefficient(y, -1)
                    row(("booth", r.supplier, t), 0).SetCoefficient(y, 1)
                row(("booth", r.supplier, t), 0).SetCoefficient(v, -1)
    for q in served:
        at_least = solver.Constraint(1, inf)
        for r in p.requests:
            if q in (r.buyer, r.supplier) and p.schedulable(r):
                for v_t in vars_of.get(r.id, ()):
                    at_least.SetCoefficient(v_t, 1)
    if not rows:
        return 0.0
    obj.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return float("inf")
    return obj.Value()


# ---------------------------------------------------------------- CP-SAT


def _cpsat(p: Problem, hint: dict[int, int], seconds: float, keep: dict[int, int] | None) -> tuple[dict, str]:
    """Improve ``hint`` with CP-SAT (lexicographic objective by separated weights); (slot_of, status)."""
    from ortools.sat.python import cp_model  # noqa: PLC0415 — native library, loaded when scheduling

    m = cp_model.CpModel()
    reqs = [r for r in p.requests if p.schedulable(r) and p.common(r)]
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for r in reqs:
        slots = [r.locked_slot] if r.locked_slot is not None else p.common(r)
        for t in slots:
            x[(r.id, t)] = m.new_bool_var(f"x{r.id}_{t}")
    by_req: dict[int, list] = defaultdict(list)
    by_party_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_party: dict[int, list] = defaultdict(list)
    by_party_session: dict[tuple[int, int], list] = defaultdict(list)
    by_slot_kind: dict[tuple[int, str], list] = defaultdict(list)
    plain_by_supplier: dict[tuple[int, int], list] = defaultdict(list)
    for (rid, t), v in x.items():
        r = p.by_id[rid]
        by_req[rid].append(v)
        for pid in (r.buyer, r.supplier):
            by_party_slot[(pid, t)].append(v)
            by_party[pid].append(v)
            by_party_session[(pid, p.session_of[t])].append(v)
        kind = p.kind(r)
        by_slot_kind[(t, kind)].append(v)
        if kind == "plain":
            plain_by_supplier[(t, r.supplier)].append(v)
    for rid, vs in by_req.items():
        if p.by_id[rid].locked_slot is not None:
            m.add(sum(vs) == 1)
        else:
            m.add_at_most_one(vs)
    for (pid, _t), vs in by_party_slot.items():
        m.add(sum(vs) <= p.parties[pid].people)
    for pid, vs in by_party.items():
        if p.parties[pid].cap is not None:
            m.add(sum(vs) <= p.parties[pid].cap)
    for (pid, _s), vs in by_party_session.items():
        if p.parties[pid].session_cap is not None:
            m.add(sum(vs) <= p.parties[pid].session_cap)
    booth_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    for s in p.slots:
        t = s.index
        lang = []
        for (tt, kind), vs in by_slot_kind.items():
            if tt != t:
                continue
            if kind == "online":
                m.add(sum(vs) <= p.capacity.get("online", 0))
            elif kind.startswith("lang:"):
                m.add(sum(vs) <= p.capacity.get(kind, 0))
                lang += vs
        plain: list = by_slot_kind.get((t, "plain"), [])
        booths = []
        for sup in p.booth_owners:
            sup_vs = plain_by_supplier.get((t, sup))
            if sup_vs:
                y = m.new_bool_var(f"y{sup}_{t}")
                m.add(y <= sum(sup_vs))
                booth_vars[(sup, t)] = y
                booths.append(y)
        if lang or plain:
            m.add(sum(lang) + sum(plain) - sum(booths) <= p.capacity.get("physical", 0))
    # idle gaps: a block starts where a party is busy and was not in the previous slot of the session
    parties = sorted({r.buyer for r in reqs} | {r.supplier for r in reqs})
    busy: dict[tuple[int, int], cp_model.IntVar] = {}
    starts = []
    prev_of: dict[int, int | None] = {s.index: None for s in p.slots}
    ordered = sorted(p.slots, key=lambda s: s.index)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.session == b.session:
            prev_of[b.index] = a.index
    start_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    for pid in parties:
        for s in ordered:
            p_vs = by_party_slot.get((pid, s.index))
            if not p_vs:
                continue
            bv = m.new_bool_var(f"b{pid}_{s.index}")
            for v in p_vs:
                m.add_implication(v, bv)
            m.add(bv <= sum(p_vs))
            busy[(pid, s.index)] = bv
        for s in ordered:
            b_opt = busy.get((pid, s.index))
            if b_opt is None:
                continue
            bv = b_opt
            before = prev_of[s.index]
            prev = busy.get((pid, before)) if before is not None else None
            st = m.new_bool_var(f"s{pid}_{s.index}")
            if prev is None:
                m.add(st >= bv)
            else:
                m.add(st >= bv - prev)
            start_vars[(pid, s.index)] = st
            starts.append(st)
    # served: a party with a feasible request holds at least one meeting
    served = []
    served_vars: dict[int, cp_model.IntVar] = {}
    for pid in parties:
        z = m.new_bool_var(f"z{pid}")
        m.add(z <= sum(by_party[pid]))
        served.append(z)
        served_vars[pid] = z
    weight_expr = sum(p.by_id[rid].weight * v for (rid, _t), v in x.items())
    must_expr = sum(v for (rid, _t), v in x.items() if p.by_id[rid].must)
    keep_terms = [x[(rid, t)] for rid, t in (keep or {}).items() if (rid, t) in x]
    # Lexicographic by separated weights, most important first: must-meet, parties served, (a re-plan)
    # published meetings left where they were — people hold printed agendas —, weighted requests, then
    # fewer blocks (= fewer idle gaps).
    terms = [
        (must_expr, sum(1 for (rid, _t) in x if p.by_id[rid].must)),
        (sum(served), len(served)),
        (sum(keep_terms), len(keep_terms)),
        (weight_expr, sum(r.weight for r in reqs)),
        (-sum(starts), len(starts)),
    ]
    expr: Any = 0
    scale = 1
    for term, span in reversed(terms):
        expr += scale * term
        scale *= span + 1
    if scale >= 2**62:  # beyond CP-SAT's integer objective: keep the hint
        return hint, "TOO_LARGE"
    m.maximize(expr)
    # complete hint: every variable, so CP-SAT starts from the greedy schedule (partial hints are ignored)
    held: dict[tuple[int, int], int] = defaultdict(int)
    for rid, t in hint.items():
        r = p.by_id[rid]
        held[(r.buyer, t)] += 1
        held[(r.supplier, t)] += 1
    for (rid, t), v in x.items():
        m.add_hint(v, hint.get(rid) == t)
    for (pid, t), bv in busy.items():
        m.add_hint(bv, held[(pid, t)] > 0)
    for (pid, t), sv in start_vars.items():
        earlier = prev_of[t]
        m.add_hint(sv, held[(pid, t)] > 0 and (earlier is None or held[(pid, earlier)] == 0))
    for pid, z in served_vars.items():
        m.add_hint(z, any(held[(pid, t)] for t in p.session_of))
    for (sup, t), y in booth_vars.items():
        m.add_hint(y, any(hint.get(r.id) == t for r in reqs if r.supplier == sup and p.kind(r) == "plain"))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.relative_gap_limit = 0.0
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, solver.status_name(status)
    out = {rid: t for (rid, t), v in x.items() if solver.boolean_value(v)}
    return out, solver.status_name(status)


def _child(conn: Any, target: Callable, args: tuple) -> None:
    conn.send(target(*args))
    conn.close()


def _isolated(
    target: Callable, p: Problem, hint: dict[int, int], seconds: float, keep: dict[int, int] | None
) -> tuple[dict, str]:
    """Run ``target`` (CP-SAT) in a child process from a fork server (not a fork of the threaded web
    server). OR-Tools has had rare native crashes on some models; here one ends as the hint kept with
    status SOLVER_CRASHED, and a solver that overruns its limit by a minute is killed (SOLVER_TIMEOUT)."""
    ctx = multiprocessing.get_context("forkserver")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, target, (p, hint, seconds, keep)), daemon=True)
    proc.start()
    send.close()
    try:
        if recv.poll(seconds + 60):
            return recv.recv()
        proc.kill()
        return hint, "SOLVER_TIMEOUT"
    except EOFError:  # the child died without answering
        return hint, "SOLVER_CRASHED"
    finally:
        recv.close()
        proc.join(5)


# ---------------------------------------------------------------- public entry points


def solve(
    p: Problem,
    *,
    seconds: float = 5.0,
    keep: dict[int, int] | None = None,
    keep_tables: dict[int, int] | None = None,
    max_vars: int = 25000,
    isolate: bool = False,
) -> Schedule:
    """The organiser-optimised schedule. ``keep`` (request → slot) is the published schedule a re-plan
    disturbs as little as possible. Models above ``max_vars`` booleans keep the priority greedy: on two
    cores CP-SAT does not improve them within seconds (measured in bench/events.py)."""
    start = time.perf_counter()
    hint = priority_greedy(p, keep)
    status = "greedy"
    size = sum(len(p.common(r)) for r in p.requests if p.schedulable(r))
    slot_of = hint
    cp_bound_exact = False
    if size and size <= max_vars and seconds > 0:
        if isolate:
            slot_of, status = _isolated(_cpsat, p, hint, seconds, keep)
        else:
            slot_of, status = _cpsat(p, hint, seconds, keep)
        cp_bound_exact = status == "OPTIMAL"
        if _rank(p, slot_of, keep) < _rank(
            p, hint, keep
        ):  # never worse than the hint in the objective's own order
            slot_of = hint
    improved = status not in ("greedy", "TOO_LARGE", "SOLVER_CRASHED", "SOLVER_TIMEOUT")
    sched = _finish(p, slot_of, "cp-sat" if improved else "priority-greedy", start)
    sched.solver_status = status
    if cp_bound_exact and sched.bound is not None and sched.objective == sched.bound:
        sched.bound_source = "cp-sat optimal = flow bound"
    elif cp_bound_exact:
        sched.bound_source = "cp-sat optimal (lexicographic)"
    if keep:
        sched.moved = sorted(rid for rid, t in keep.items() if rid in slot_of and slot_of[rid] != t)
        sched.dropped = sorted(rid for rid in keep if rid not in slot_of)
        sched.table_of = assign_tables(p, slot_of, previous=keep_tables)
    return sched


def _rank(p: Problem, slot_of: dict[int, int], keep: dict[int, int] | None) -> tuple[int, int, int, int]:
    """(must-meet met, parties served, published meetings in place, weight): the lexicographic order
    the schedule is optimised in."""
    served = {q for rid in slot_of for q in (p.by_id[rid].buyer, p.by_id[rid].supplier)}
    kept = sum(1 for rid, t in (keep or {}).items() if slot_of.get(rid) == t)
    return sum(1 for rid in slot_of if p.by_id[rid].must), len(served), kept, objective(p, slot_of)


def replan(
    p: Problem,
    published: dict[int, int],
    tables: dict[int, int] | None = None,
    *,
    seconds: float = 5.0,
    isolate: bool = False,
) -> Schedule:
    """After late changes: keep every published meeting that still fits where it is (and at its table);
    place the rest."""
    return solve(p, seconds=seconds, keep=published, keep_tables=tables, isolate=isolate)


def _finish(
    p: Problem, slot_of: dict[int, int], method: str, start: float, *, bounds: bool = True
) -> Schedule:
    sched = Schedule(slot_of=dict(slot_of), method=method)
    sched.objective = objective(p, slot_of)
    sched.table_of = assign_tables(p, slot_of)
    sched.unscheduled = reasons(p, slot_of)
    if not bounds:
        sched.seconds = time.perf_counter() - start
        return sched
    flow, lp = flow_bound(p), lp_bound(p)
    sched.weight_bound = min(flow, int(lp + 1e-6))
    served = {q for rid in slot_of for q in (p.by_id[rid].buyer, p.by_id[rid].supplier)}
    # the bounds are independent of how the schedule was found; the tightest one is reported. Serving
    # everyone comes before weight, so the bound that counts keeps the parties this schedule serves
    # served (when it serves every party with a feasible request, it is the problem's own bound)
    fair = int(lp_bound(p, served) + 1e-6) if served else sched.weight_bound
    sched.bound, sched.bound_source = min(
        (fair, "LP relaxation, everyone served"),
        (flow, "min-cost flow relaxation"),
        (int(lp + 1e-6), "LP relaxation"),
    )
    sched.gap = 0.0 if not sched.bound else max(0.0, (sched.bound - sched.objective) / sched.bound)
    sched.seconds = time.perf_counter() - start
    return sched


def assign_tables(
    p: Problem, slot_of: dict[int, int], previous: dict[int, int] | None = None
) -> dict[int, int]:
    """Tables per slot: interpreter meetings at their language's tables, online pairs in rooms, a booth
    supplier's first plain meeting at its booth, the rest at public tables, then any free interpreter table.
    The capacities the schedule respects make this always succeed."""
    out: dict[int, int] = {}
    by_slot: dict[int, list[Request]] = defaultdict(list)
    for rid, t in slot_of.items():
        by_slot[t].append(p.by_id[rid])
    booths = {t.owner: t for t in p.tables if t.kind == "booth"}
    for reqs in by_slot.values():
        taken: set[int] = set()

        def take(r: Request, ok, _taken=taken) -> bool:
            pref = (previous or {}).get(r.id)
            cands = [tb for tb in p.tables if tb.id not in _taken and ok(tb)]
            cands.sort(key=lambda tb: (tb.id != pref, tb.id))
            if cands:
                out[r.id] = cands[0].id
                _taken.add(cands[0].id)
                return True
            return False

        reqs = sorted(reqs, key=lambda r: r.id)
        for r in reqs:
            kind = p.kind(r)
            if kind == "online":
                take(r, lambda tb: tb.kind == "online")
            elif kind.startswith("lang:"):
                take(r, lambda tb, lang=r.language: tb.kind == "interpreter" and tb.language == lang)
        rest = [r for r in reqs if p.kind(r) == "plain"]
        later = []
        for r in rest:
            booth = booths.get(r.supplier)
            if booth is not None and booth.id not in taken:
                out[r.id] = booth.id
                taken.add(booth.id)
            else:
                later.append(r)
        for r in later:
            if not take(r, lambda tb: tb.kind == "public"):
                take(r, lambda tb: tb.kind == "interpreter")
    return out


REASONS = {
    "pending": ("Yêu cầu chưa được chấp nhận", "Request not accepted yet"),
    "declined": ("Yêu cầu bị từ chối", "Request declined"),
    "expired": ("Yêu cầu đã hết hạn", "Request expired"),
    "cancelled": ("Yêu cầu đã hủy", "Request cancelled"),
    "inactive": ("Một bên chưa được xác nhận tham dự", "A participant is not confirmed"),
    "no_common_availability": ("Hai bên không có khung giờ chung", "No common availability"),
    "at_cap": ("Một bên đã đủ số cuộc gặp tối đa", "A participant is at their meeting cap"),
    "tables_full": (
        "Hết bàn phù hợp trong các khung giờ chung",
        "No suitable table left in the common slots",
    ),
    "displaced": (
        "Các khung giờ chung đã dành cho cuộc gặp ưu tiên hơn",
        "Common slots taken by higher-priority meetings",
    ),
}


def reasons(p: Problem, slot_of: dict[int, int]) -> dict[int, dict]:
    """Why each request without a slot has none — read from the data and the schedule, in the order a
    person would check: the request, the people, their calendars, their caps, the tables, the others."""
    st = _State(p)
    for rid, t in slot_of.items():
        st.place(p.by_id[rid], t)
    out: dict[int, dict] = {}
    for r in p.requests:
        if r.id in slot_of:
            continue
        if r.status not in SCHEDULABLE:
            out[r.id] = {"reason": r.status if r.status in REASONS else "pending"}
            continue
        if not p.schedulable(r):
            inactive = [q for q in (r.buyer, r.supplier) if not (p.parties.get(q) and p.parties[q].active)]
            out[r.id] = {"reason": "inactive", "parties": inactive}
            continue
        common = p.common(r)
        if not common:
            out[r.id] = {"reason": "no_common_availability"}
            continue
        at_cap = [q for q in (r.buyer, r.supplier) if st.count[q] >= (p.parties[q].cap or 10**9)]
        if at_cap:
            out[r.id] = {"reason": "at_cap", "parties": at_cap}
            continue
        free = [t for t in common if st.party_ok(r.buyer, t) and st.party_ok(r.supplier, t)]
        if free and not any(st.table_ok(r, t) for t in free):
            out[r.id] = {"reason": "tables_full", "slots": free}
            continue
        blockers = sorted(
            {
                rid
                for rid, t in slot_of.items()
                if t in common and {p.by_id[rid].buyer, p.by_id[rid].supplier} & {r.buyer, r.supplier}
            }
        )
        out[r.id] = {"reason": "displaced", "by": blockers}
    return out


def violations(p: Problem, sched: Schedule) -> list[str]:
    """Every hard constraint a schedule breaks (empty for a valid one); used by tests and benches."""
    errs: list[str] = []
    st = _State(p)
    for rid, t in sorted(sched.slot_of.items(), key=lambda kv: (kv[1], kv[0])):
        r = p.by_id.get(rid)
        if r is None:
            errs.append(f"unknown request {rid}")
            continue
        if not p.schedulable(r):
            errs.append(f"request {rid} is not schedulable ({r.status})")
        if r.locked_slot is not None and r.locked_slot != t:
            errs.append(f"locked request {rid} moved {r.locked_slot}→{t}")
        if t not in p.common(r) and r.locked_slot != t:
            errs.append(f"request {rid} at slot {t} outside common availability")
        for pid in (r.buyer, r.supplier):
            if not st.party_ok(pid, t) and t in p.parties[pid].slots:
                errs.append(f"party {pid} over capacity at slot {t}")
        if not st.table_ok(r, t):
            errs.append(f"no table for request {rid} at slot {t}")
        st.place(r, t)
    for r in p.requests:
        if r.locked_slot is not None and p.schedulable(r) and r.id not in sched.slot_of:
            errs.append(f"locked request {r.id} dropped")
    tables = {tb.id: tb for tb in p.tables}
    seen: set[tuple[int, int]] = set()
    for rid, t in sched.slot_of.items():
        tid = sched.table_of.get(rid)
        r = p.by_id.get(rid)
        if tid is None or r is None:
            errs.append(f"request {rid} has no table")
            continue
        if (t, tid) in seen:
            errs.append(f"table {tid} double-booked at slot {t}")
        seen.add((t, tid))
        tb, kind = tables[tid], p.kind(r)
        if kind == "online" and tb.kind != "online":
            errs.append(f"online request {rid} at a physical table")
        if kind != "online" and tb.kind == "online":
            errs.append(f"in-person request {rid} in an online room")
        if kind.startswith("lang:") and (tb.kind != "interpreter" or tb.language != r.language):
            errs.append(f"request {rid} needs a {r.language} interpreter table")
        if tb.kind == "booth" and tb.owner != r.supplier:
            errs.append(f"request {rid} at another supplier's booth")
    return errs
