"""The public connections report never reveals one firm's contract values."""

from cnht.matching.services import _withhold


def _items(groups):
    return [
        {"key": k, "connections": len(f), "contract_value_mvnd": sum(f.values()), "withheld": False}
        for k, f in groups.items()
    ]


def test_few_firms_or_one_dominant_firm_withhold_the_value():
    groups = {
        "01": {1: 100.0, 2: 120.0, 3: 90.0},
        "79": {4: 5000.0, 5: 10.0, 6: 10.0},  # one firm holds 99 %
        "48": {7: 80.0, 8: 70.0, 9: 60.0, 10: 50.0},
    }
    items = _items(groups)
    _withhold(items, groups, additive=False)
    assert [(i["key"], i["withheld"]) for i in items] == [("01", False), ("79", True), ("48", False)]
    assert items[1]["contract_value_mvnd"] is None and items[1]["connections"] == 3


def test_a_lone_withheld_cell_takes_the_smallest_other_with_it_when_cells_add_up():
    groups = {"01": {1: 100.0, 2: 120.0, 3: 90.0}, "31": {4: 700.0}, "48": {5: 80.0, 6: 70.0, 7: 60.0}}
    items = _items(groups)
    _withhold(items, groups, additive=True)
    # otherwise the total (published by year) minus the others gives firm 4's value
    assert {i["key"] for i in items if i["withheld"]} == {"31", "48"}
    items = _items(groups)
    _withhold(items, groups, additive=False)  # sectors overlap: no total to subtract from
    assert {i["key"] for i in items if i["withheld"]} == {"31"}


def test_nothing_withheld_when_every_cell_is_safe():
    groups = {"2024": {1: 10.0, 2: 10.0, 3: 10.0}, "2025": {1: 5.0, 4: 6.0, 5: 7.0}}
    items = _items(groups)
    _withhold(items, groups, additive=True)
    assert not any(i["withheld"] for i in items)
