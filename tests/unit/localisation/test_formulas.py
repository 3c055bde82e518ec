"""The three metrics on the hand-checked worked example (../shared/data/localisation_formulas.json) and
on cases worked out by hand here."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from cnht.localisation.formulas import Input, Product, compute

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "localisation_formulas.json"
ORIGIN = {  # the example's wording → the questionnaire's origin and declaration
    "imported": ("imported", False),
    "fdi_in_vn_nonoriginating": ("fdi_vn", False),
    "vn_owned_originating": ("vn_owned", True),
    "undetermined": ("undetermined", False),
}


def _example():
    if SHARED.exists():
        ex = json.loads(SHARED.read_text(encoding="utf-8"))["worked_example"]
    else:  # the same numbers, for a checkout without ../shared
        ex = {
            "ex_factory_price": 100.0,
            "other_costs_to_fob": 5.0,
            "fob": 105.0,
            "direct_labour": 20.0,
            "direct_overhead": 18.0,
            "profit": 12.0,
            "inputs": [
                {"origin": "imported", "value_cif": 30.0},
                {"origin": "fdi_in_vn_nonoriginating", "value": 10.0},
                {"origin": "vn_owned_originating", "value": 8.0},
                {"origin": "undetermined", "value": 2.0},
            ],
        }
    inputs = tuple(
        Input(D(str(i.get("value_cif", i.get("value")))), *ORIGIN[i["origin"]]) for i in ex["inputs"]
    )
    return Product(
        fob=D(str(ex["fob"])),
        ex_works=D(str(ex["ex_factory_price"])),
        other_costs=D(str(ex["other_costs_to_fob"])),
        labour=D(str(ex["direct_labour"])),
        overhead=D(str(ex["direct_overhead"])),
        profit=D(str(ex["profit"])),
        inputs=inputs,
    )


def test_worked_example():
    r = compute(_example())
    assert r.vnm == D(42) and r.materials == D(50)
    assert r.lvc_indirect_pct == D("60.0") and r.lvc_direct_pct == D("60.0")
    assert r.procurement_pct == D("40.0")
    assert r.split_pct == {"vn_owned": D("16.0"), "fdi_vn": D("20.0"), "undetermined": D("4.0")}
    assert r.warnings == []


def test_direct_differs_from_indirect_when_the_costs_do_not_add_up():
    p = _example()
    bad = Product(
        fob=p.fob,
        ex_works=p.ex_works,
        other_costs=p.other_costs,
        labour=D(30),
        overhead=p.overhead,
        profit=p.profit,
        inputs=p.inputs,
    )
    r = compute(bad)
    # direct: (8 + 30 + 18 + 5 + 12) / 105 = 69.5 %; indirect still (105 − 42) / 105 = 60.0 %
    assert r.lvc_direct_pct == D("69.5") and r.lvc_indirect_pct == D("60.0")
    assert "direct_differs_from_indirect" in r.warnings and "ex_works_mismatch" in r.warnings
    assert "inputs_exceed_ex_works" not in r.warnings  # 50 + 30 + 18 = 98 ≤ 100


def test_a_declared_fdi_input_is_originating_and_in_house_parts_are_not_purchases():
    # FOB 200; inputs: imported 50, FDI-in-VN with declaration 30, in-house 20 → VNM 50
    p = Product(
        fob=D(200), inputs=(Input(D(50), "imported"), Input(D(30), "fdi_vn", True), Input(D(20), "in_house"))
    )
    r = compute(p)
    assert r.vnm == D(50) and r.lvc_indirect_pct == D("75.0")  # (200 − 50) / 200
    assert r.purchases == D(80) and r.procurement_pct == D("37.5")  # 30 / 80
    assert r.split_pct["fdi_vn"] == D("37.5") and r.split_pct["vn_owned"] == D("0.0")


@pytest.mark.parametrize(
    ("fob", "ex_works", "other", "warning"),
    [(D(105), D(100), D(10), "fob_mismatch"), (D(0), None, D(0), "fob_missing")],
)
def test_inconsistent_values_are_flagged(fob, ex_works, other, warning):
    r = compute(Product(fob=fob, ex_works=ex_works, other_costs=other, inputs=(Input(D(10), "imported"),)))
    assert warning in r.warnings


def test_inputs_above_ex_works_are_flagged():
    r = compute(Product(fob=D(60), ex_works=D(55), other_costs=D(5), inputs=(Input(D(70), "imported"),)))
    assert "inputs_exceed_ex_works" in r.warnings
    assert r.lvc_indirect_pct == D("-16.7")  # reported as computed, flagged for the statistician
