"""Disclosure control: primary rules, secondary suppression that subtraction cannot undo, and the
over-time rule — tested by trying to recover suppressed values the way a reader would."""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from cnht.localisation.disclosure import TOTAL, Rules, protect, relations, table


def _recoverable(cells, status) -> list:
    """Cells a reader can compute from published ones: a relation (total = Σ cells) with one unknown."""
    known = {k for k, s in status.items() if s == "published"}
    found = []
    progress = True
    while progress:
        progress = False
        for rel in relations(cells):
            members = [k for k in rel if k in cells]
            unknown = [k for k in members if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found.append(unknown[0])
                progress = True
    return [k for k in found if status[k] != "published"]


def test_primary_rules():
    rows = [("mech", "01", f"f{i}", D(50), D(100)) for i in range(3)]
    rows += [
        ("elec", "01", "big", D(900), D(1000)),
        ("elec", "01", "a", D(5), D(10)),
        ("elec", "01", "b", D(5), D(10)),
    ]
    rows += [("tex", "01", "x", D(1), D(2)), ("tex", "01", "y", D(1), D(2))]
    st_ = protect(table(rows))
    assert st_[("mech", "01")] == "published"
    assert st_[("elec", "01")] == "primary"  # the two largest hold 1010 of 1020 (> 85 %)
    assert st_[("tex", "01")] == "primary"  # two firms: each could subtract itself
    assert protect(table(rows), Rules(min_n=5))[("mech", "01")] == "primary"


def test_a_lone_suppressed_cell_cannot_be_recovered_from_its_row_or_column_total():
    rows = []
    for sector in ("mech", "elec"):
        for prov in ("01", "24", "79"):
            n = 1 if (sector, prov) == ("mech", "24") else 4
            rows += [(sector, prov, f"{sector}{prov}{i}", D(40 + i), D(100 + 10 * i)) for i in range(n)]
    cells = table(rows)
    status = protect(cells)
    assert status[("mech", "24")] == "primary"
    assert sum(1 for k, s in status.items() if s == "secondary") >= 2  # its row and its column each get one
    assert _recoverable(cells, status) == []
    # and with every cell published, subtraction would have revealed it — the test can fail
    naive = {k: ("primary" if k == ("mech", "24") else "published") for k in cells}
    assert ("mech", "24") in _recoverable(cells, naive)


def test_a_cell_whose_contributors_changed_by_one_firm_is_withheld_next_year():
    last = {("mech", TOTAL): {"a", "b", "c", "d"}}
    rows = [("mech", "01", f, D(1), D(10)) for f in ("a", "b", "c", "d", "e")]
    status = protect(table(rows), previous=last)
    assert status[("mech", TOTAL)] != "published"  # this year − last year = firm e alone
    rows_many = rows + [("mech", "01", f, D(1), D(10)) for f in ("f", "g")]
    assert protect(table(rows_many), previous=last)[("mech", TOTAL)] == "published"  # 3 new firms


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000))
def test_no_generated_table_leaks_a_suppressed_cell(seed):
    rng = random.Random(seed)
    rows = []
    for s in range(rng.randint(1, 4)):
        for p in range(rng.randint(1, 4)):
            for f in range(rng.choice([0, 1, 2, 3, 5])):
                den = D(rng.randint(1, 1000))
                rows.append((f"s{s}", f"p{p}", f"s{s}p{p}f{f}", den * D(rng.randint(0, 100)) / 100, den))
    if not rows:
        return
    cells = table(rows)
    status = protect(cells)
    assert _recoverable(cells, status) == []
    for k, c in cells.items():  # every published cell meets the primary rules
        if status[k] == "published":
            assert c.n >= 3
