"""Localisation metrics for one product, three of them and never mixed (no app imports).

* **A — local procurement ratio** (JETRO-comparable): the share, by value, of purchased materials and parts
  bought in Vietnam, split by who sold them — Vietnamese-owned firms, FDI firms in Vietnam, undetermined.
  In-house parts are not purchases and are left out of both sides. A procurement share, not value added.
* **B — LVC, indirect** (Circular 05/2018/TT-BCT Art. 6(3)(b)): (FOB − VNM) / FOB, where VNM is the CIF value
  of imported inputs plus the invoice value of inputs of undetermined origin and of domestic inputs without
  the supplier's origin declaration (Art. 6(4)(b), Appendix X).
* **C — LVC, direct** (Art. 6(3)(a), 6(4)(a)): (originating inputs + direct labour + direct overhead + other
  costs + profit) / FOB.

B and C agree whenever the accounts add up (ex-works = materials + labour + overhead + profit, FOB = ex-works
+ other costs); a difference is reported as a warning, never silently averaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ORIGINS = ("imported", "fdi_vn", "vn_owned", "in_house", "undetermined")
ZERO = Decimal(0)
METHODS = {
    "procurement": "A: tỷ lệ mua trong nước (kiểu JETRO) / local procurement ratio (JETRO-comparable)",
    "lvc_indirect": "B: LVC gián tiếp, TT 05/2018/TT-BCT Đ.6(3)(b) / LVC indirect",
    "lvc_direct": "C: LVC trực tiếp, TT 05/2018/TT-BCT Đ.6(3)(a) / LVC direct",
}


@dataclass(frozen=True)
class Input:
    value: Decimal  # CIF for imports, the first purchase price on the VAT invoice otherwise
    origin: str  # one of ORIGINS
    declared: bool = False  # the domestic supplier gave an origin declaration (originating)


@dataclass(frozen=True)
class Product:
    fob: Decimal
    ex_works: Decimal | None = None  # giá xuất xưởng
    other_costs: Decimal = ZERO  # FOB − ex-works: inland transport, port, commissions
    labour: Decimal = ZERO
    overhead: Decimal = ZERO
    profit: Decimal = ZERO
    inputs: tuple[Input, ...] = ()


@dataclass
class Result:
    """Sums as well as ratios: aggregates are ratios of sums, never means of ratios."""

    fob: Decimal
    materials: Decimal
    vnm: Decimal
    vom: Decimal
    purchases: Decimal
    local: Decimal
    local_vn_owned: Decimal
    local_fdi: Decimal
    local_undetermined: Decimal
    direct_numerator: Decimal
    warnings: list[str] = field(default_factory=list)

    @staticmethod
    def _pct(num: Decimal, den: Decimal) -> Decimal | None:
        return (100 * num / den).quantize(Decimal("0.1")) if den else None

    @property
    def procurement_pct(self) -> Decimal | None:
        return self._pct(self.local, self.purchases)

    @property
    def split_pct(self) -> dict[str, Decimal | None]:
        return {
            "vn_owned": self._pct(self.local_vn_owned, self.purchases),
            "fdi_vn": self._pct(self.local_fdi, self.purchases),
            "undetermined": self._pct(self.local_undetermined, self.purchases),
        }

    @property
    def lvc_indirect_pct(self) -> Decimal | None:
        return self._pct(self.fob - self.vnm, self.fob)

    @property
    def lvc_direct_pct(self) -> Decimal | None:
        return self._pct(self.direct_numerator, self.fob)


def originating(i: Input) -> bool:
    """Made in-house, or bought in Vietnam with the supplier's declaration that it is originating."""
    return i.origin == "in_house" or (i.origin in ("vn_owned", "fdi_vn") and i.declared)


def compute(p: Product, tolerance: Decimal = Decimal("0.01")) -> Result:
    materials = sum((i.value for i in p.inputs), ZERO)
    vom = sum((i.value for i in p.inputs if originating(i)), ZERO)
    vnm = materials - vom
    bought = [i for i in p.inputs if i.origin != "in_house"]
    purchases = sum((i.value for i in bought), ZERO)

    def local_of(origin: str) -> Decimal:
        return sum((i.value for i in bought if i.origin == origin), ZERO)

    r = Result(
        fob=p.fob,
        materials=materials,
        vnm=vnm,
        vom=vom,
        purchases=purchases,
        local=local_of("vn_owned") + local_of("fdi_vn") + local_of("undetermined"),
        local_vn_owned=local_of("vn_owned"),
        local_fdi=local_of("fdi_vn"),
        local_undetermined=local_of("undetermined"),
        direct_numerator=vom + p.labour + p.overhead + p.other_costs + p.profit,
    )
    if p.fob <= 0:
        r.warnings.append("fob_missing")
        return r
    if p.ex_works is not None:
        if materials + p.labour + p.overhead > p.ex_works * (1 + tolerance):
            r.warnings.append("inputs_exceed_ex_works")
        if abs(p.ex_works + p.other_costs - p.fob) > p.fob * tolerance:
            r.warnings.append("fob_mismatch")  # ex-works + other costs should be FOB within 1 %
        cost_side = materials + p.labour + p.overhead + p.profit
        if (p.labour or p.overhead or p.profit) and abs(cost_side - p.ex_works) > p.ex_works * tolerance:
            r.warnings.append("ex_works_mismatch")
    if p.labour or p.overhead or p.profit:
        direct, indirect = r.lvc_direct_pct, r.lvc_indirect_pct
        if direct is not None and indirect is not None and abs(direct - indirect) > Decimal("0.5"):
            r.warnings.append("direct_differs_from_indirect")
    return r


WARNINGS = {
    "fob_missing": ("Thiếu trị giá FOB", "FOB value missing"),
    "inputs_exceed_ex_works": (
        "Nguyên liệu + nhân công + chi phí phân bổ vượt giá xuất xưởng",
        "Materials + labour + overhead exceed the ex-works price",
    ),
    "fob_mismatch": (
        "Giá xuất xưởng + chi phí khác lệch trị giá FOB quá 1 %",
        "Ex-works price + other costs differ from FOB by more than 1 %",
    ),
    "ex_works_mismatch": (
        "Nguyên liệu + nhân công + chi phí phân bổ + lợi nhuận lệch giá xuất xưởng quá 1 %",
        "Materials + labour + overhead + profit differ from the ex-works price by more than 1 %",
    ),
    "direct_differs_from_indirect": (
        "LVC trực tiếp khác LVC gián tiếp: số liệu chi phí chưa khớp",
        "Direct LVC differs from indirect LVC: the cost figures do not add up",
    ),
    "method_switched": (
        "Doanh nghiệp đổi phương pháp trong năm tài chính (giữ cả hai giá trị)",
        "The firm switched method within the fiscal year (both values kept)",
    ),
    "outlier_last_year": ("Chênh lệch lớn so với năm trước", "Far from last year's value"),
    "outlier_range": ("Giá trị ngoài khoảng hợp lý", "Outside the sane range"),
}
