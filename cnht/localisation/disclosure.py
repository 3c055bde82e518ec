"""Statistical disclosure control for published localisation tables (no app imports).

A table is cells (row, column) — sector × province — each the sum of its contributors' numerators and
denominators, with row totals, column totals and a grand total. Published per cell: the rate and the
output covered (the denominator), so a suppressed cell must not be recoverable by subtraction.

* **Primary**: fewer than ``min_n`` contributors, or the two largest hold more than ``dominance`` of the
  denominator (the (n, k) rule with n = 2).
* **Secondary**: every additive relation (a row's cells and its total; a column's cells and its total; the
  row totals and the grand total; the column totals and the grand total) with exactly one suppressed member
  gets a second one — the smallest published member, interior cells before totals — until none is left.
* **Over time**: a cell published last year whose contributors changed by fewer than ``min_n`` firms would
  give those firms' figures by difference; it is suppressed this year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal

TOTAL = "*"


@dataclass
class Cell:
    contributors: dict[Hashable, tuple[Decimal, Decimal]] = field(default_factory=dict)  # firm → (num, den)

    @property
    def n(self) -> int:
        return len(self.contributors)

    @property
    def num(self) -> Decimal:
        return sum((v[0] for v in self.contributors.values()), Decimal(0))

    @property
    def den(self) -> Decimal:
        return sum((v[1] for v in self.contributors.values()), Decimal(0))

    def add(self, firm: Hashable, num: Decimal, den: Decimal) -> None:
        a, b = self.contributors.get(firm, (Decimal(0), Decimal(0)))
        self.contributors[firm] = (a + num, b + den)


@dataclass
class Rules:
    min_n: int = 3
    dominance: Decimal = Decimal("0.85")


def table(rows: list[tuple[str, str, Hashable, Decimal, Decimal]]) -> dict[tuple[str, str], Cell]:
    """(row, column, firm, numerator, denominator) → cells with their margins (TOTAL in either key)."""
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for r, c, firm, num, den in rows:
        for key in ((r, c), (r, TOTAL), (TOTAL, c), (TOTAL, TOTAL)):
            cells[key].add(firm, num, den)
    return dict(cells)


def primary(cell: Cell, rules: Rules) -> bool:
    if cell.n < rules.min_n:
        return True
    den = cell.den
    if den <= 0:
        return False
    top2 = sorted((v[1] for v in cell.contributors.values()), reverse=True)[:2]
    return sum(top2, Decimal(0)) > rules.dominance * den


def relations(cells: dict[tuple[str, str], Cell]) -> list[list[tuple[str, str]]]:
    rows = {r for r, _ in cells if r != TOTAL}
    cols = {c for _, c in cells if c != TOTAL}
    rels = []
    for r in rows:
        rels.append([(r, c) for c in cols if (r, c) in cells] + [(r, TOTAL)])
    for c in cols:
        rels.append([(r, c) for r in rows if (r, c) in cells] + [(TOTAL, c)])
    rels.append([(r, TOTAL) for r in rows] + [(TOTAL, TOTAL)])
    rels.append([(TOTAL, c) for c in cols] + [(TOTAL, TOTAL)])
    return rels


def protect(
    cells: dict[tuple[str, str], Cell],
    rules: Rules | None = None,
    previous: dict[tuple[str, str], set] | None = None,
) -> dict[tuple[str, str], str]:
    """Status per cell: "published", "primary", "secondary" or "over_time". ``previous``: last year's
    published cells with their contributor sets."""
    rules = rules or Rules()
    status = {k: ("primary" if primary(c, rules) else "published") for k, c in cells.items()}
    for k, c in cells.items():
        before = (previous or {}).get(k)
        if status[k] == "published" and before is not None:
            changed = len(before ^ set(c.contributors))
            if 0 < changed < rules.min_n:
                status[k] = "over_time"
    rels = relations(cells)
    changed = True
    while changed:
        changed = False
        for rel in rels:
            members = [k for k in rel if k in cells]
            hidden = [k for k in members if status[k] != "published"]
            if len(hidden) != 1:
                continue
            shown = [k for k in members if status[k] == "published"]
            if not shown:
                continue
            # the cheapest second suppression: interior cells before totals, then the smallest output
            pick = min(shown, key=lambda k: (TOTAL in k, cells[k].den, cells[k].n, k))
            status[pick] = "secondary"
            changed = True
    return status
