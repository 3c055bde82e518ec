"""Localisation surveys: campaigns, collection (token form, spreadsheet, staff entry), validation, the three
metrics, aggregation with disclosure control, targets, leads for local sourcing and programme indicators."""

from __future__ import annotations

import secrets
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cnht.accounts.models import User
from cnht.db import utcnow
from cnht.enterprises.models import Certification, Enterprise, EnterpriseProduct, enterprise_sector
from cnht.enterprises.rules import TaxCodeError, normalize_tax_code
from cnht.i18n import Msg, UserError
from cnht.localisation import disclosure, formulas
from cnht.localisation.models import Campaign, InputLine, ProductReturn, Respondent, Target
from cnht.mail import send_mail

METRIC_SUMS = {  # metric → (numerator, denominator) over products
    "procurement": ("local", "purchases"),
    "lvc_indirect": (None, "fob"),  # numerator fob − vnm
    "lvc_direct": ("direct_numerator", "fob"),
}
SANE = {"procurement": (Decimal(0), Decimal(100)), "lvc_indirect": (Decimal(0), Decimal(100))}
OUTLIER_POINTS = Decimal(20)  # a rate 20 points from last year's is flagged for a look


class SurveyError(UserError):
    def __init__(self, msg: Msg, status: int = 400):
        super().__init__(msg)
        self.status = status


def _staff(user: User | None) -> None:
    if user is None or not user.is_staff:
        raise SurveyError(Msg("Chỉ cán bộ Sở và thống kê viên", "Staff and statisticians only"), 403)


# ---------------------------------------------------------------- campaigns and respondents


def save_campaign(
    session: Session, data: dict[str, Any], user: User | None, campaign: Campaign | None = None
) -> Campaign:
    _staff(user)
    if campaign is None:
        campaign = Campaign(created_by_id=user.id if user else None, sectors=[], provinces=[])
        session.add(campaign)
    for key in ("year", "name", "basis", "deadline", "sectors", "provinces", "status", "reminder_days"):
        if key in data:
            setattr(campaign, key, data[key])
    session.flush()
    if campaign.status == "published" and (campaign.published_at is None or "status" in data):
        campaign.published_at = utcnow()
        campaign.snapshot = snapshot(session, campaign)
    elif campaign.status != "published":
        campaign.snapshot = {}
    session.flush()
    return campaign


def add_respondents(
    session: Session, campaign: Campaign, refs: list[str], user: User | None, role: str = "final"
) -> tuple[list[Respondent], list[str]]:
    """Firms by tax code (or id-n); returns the new respondents and the refs not found."""
    _staff(user)
    from cnht.enterprises import services as ent_services  # noqa: PLC0415 — enterprise lookups only

    have = {r.enterprise_id for r in campaign.respondents}
    made, missing = [], []
    for ref in refs:
        ent = ent_services.get_by_ref(session, ref.strip(), full=False)
        if ent is None:
            missing.append(ref)
            continue
        if ent.id in have:
            continue
        r = Respondent(
            campaign=campaign,
            enterprise_id=ent.id,
            token=secrets.token_urlsafe(24),
            role=role,
            contact_email=ent.email,
            flags=[],
        )
        session.add(r)
        made.append(r)
        have.add(ent.id)
    session.flush()
    return made, missing


def by_token(session: Session, token: str | None) -> Respondent | None:
    if not token or len(token) > 64:
        return None
    return session.scalars(select(Respondent).where(Respondent.token == token)).first()


def remind(session: Session, campaign: Campaign, user: User | None, link_for, *, force: bool = False) -> int:
    """Reminders to respondents who have not submitted, at most every ``reminder_days``."""
    _staff(user)
    now = utcnow()
    n = 0
    for r in campaign.respondents:
        if r.status not in ("invited", "draft", "returned") or not r.contact_email:
            continue
        if not force and r.reminded_at and now - r.reminded_at < timedelta(days=campaign.reminder_days):
            continue
        deadline = campaign.deadline.strftime("%d/%m/%Y") if campaign.deadline else "—"
        send_mail(
            session,
            r.contact_email,
            f"Điều tra tỷ lệ nội địa hóa {campaign.year}: xin gửi phiếu / localisation survey reminder",
            f"{campaign.name}\n\nKính gửi {r.enterprise.name},\nXin điền phiếu điều tra trước ngày {deadline}:\n"
            f"{link_for(r)}\n(không cần tài khoản; có thể lưu nháp).\n\n"
            f"Please fill in the survey before {deadline} at the link above (no account needed; drafts are kept).\n",
            "localisation_reminder",
        )
        r.reminded_at, r.reminders = now, r.reminders + 1
        n += 1
    session.flush()
    return n


# ---------------------------------------------------------------- a return


def _money(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def save_return(session: Session, r: Respondent, data: dict[str, Any], *, submit: bool) -> list[dict]:
    """Replace the respondent's products with ``data["products"]`` (each with its inputs), compute every
    product's sums and warnings, and keep the respondent's method; submitting checks the whole return.
    Warnings are flagged, never refused: a statistician reads them when validating."""
    if r.campaign.status not in ("open",) and r.status != "returned":
        raise SurveyError(
            Msg("Đợt điều tra không nhận phiếu lúc này", "The survey is not taking answers now"), 409
        )
    if r.status == "validated":
        raise SurveyError(Msg("Phiếu đã được xác nhận", "The return is already validated"), 409)
    flags: list[dict] = []
    method = data.get("method") or r.method
    if method != r.method and r.status in ("submitted", "validated", "returned") and r.products:
        flags.append({"code": "method_switched", "from": r.method, "to": method})
    r.method = method
    r.products.clear()
    session.flush()
    with session.no_autoflush:  # the ownership look-ups below must not flush half-built products
        for pos, pdata in enumerate(data.get("products") or []):
            prod = ProductReturn(
                respondent=r,
                position=pos,
                **{k: pdata.get(k) for k in ("name", "hs_code", "vsic_code", "unit")},
                **{
                    k: _money(pdata.get(k))
                    for k in ("output_qty", "ex_works", "fob", "other_costs", "labour", "overhead", "profit")
                },
            )
            if prod.fob is None and prod.ex_works is not None:
                prod.fob = prod.ex_works + (
                    prod.other_costs or 0
                )  # a domestic sale: FOB is ex-works + delivery
            for ipos, idata in enumerate(pdata.get("inputs") or []):
                tax = idata.get("supplier_tax_code")
                if tax:
                    try:
                        tax = normalize_tax_code(tax)
                    except TaxCodeError as exc:
                        raise SurveyError(exc.msg) from exc
                prod.inputs.append(
                    InputLine(
                        position=ipos,
                        name=idata["name"],
                        value=_money(idata["value"]),
                        origin=_origin(session, idata.get("origin"), tax),
                        supplier_tax_code=tax,
                        hs6=idata.get("hs6"),
                        category_code=idata.get("category_code"),
                        declared=bool(idata.get("declared")),
                        why_not_local=idata.get("why_not_local"),
                    )
                )
            compute_product(prod)
            session.add(prod)
            flags += [{"code": w, "product": prod.name} for w in prod.warnings]
    flags += _outliers(session, r)
    r.flags = flags
    if submit:
        if not r.products:
            raise SurveyError(Msg("Phiếu cần ít nhất một sản phẩm", "A return needs at least one product"))
        r.status, r.submitted_at = "submitted", utcnow()
    elif r.status in ("invited", "returned"):
        r.status = "draft"
    session.flush()
    return flags


def _origin(session: Session, origin: str | None, tax: str | None) -> str:
    """A domestic supplier's tax code decides FDI or Vietnamese-owned from the database; the form's
    choice stands otherwise."""
    if tax and origin in (None, "", "vn_owned", "fdi_vn", "undetermined"):
        ownership = session.scalar(select(Enterprise.ownership).where(Enterprise.tax_code == tax))
        if ownership == "fdi":
            return "fdi_vn"
        if ownership in ("private", "state", "joint_venture"):
            return "vn_owned"
    return origin if origin in formulas.ORIGINS else "undetermined"


def compute_product(prod: ProductReturn) -> formulas.Result:
    res = formulas.compute(
        formulas.Product(
            fob=prod.fob or Decimal(0),
            ex_works=prod.ex_works,
            other_costs=prod.other_costs or Decimal(0),
            labour=prod.labour or Decimal(0),
            overhead=prod.overhead or Decimal(0),
            profit=prod.profit or Decimal(0),
            inputs=tuple(formulas.Input(i.value, i.origin, i.declared) for i in prod.inputs),
        )
    )
    prod.materials, prod.vnm, prod.purchases, prod.local = res.materials, res.vnm, res.purchases, res.local
    prod.local_vn_owned, prod.local_fdi, prod.local_undetermined = (
        res.local_vn_owned,
        res.local_fdi,
        res.local_undetermined,
    )
    prod.direct_numerator = res.direct_numerator
    prod.warnings = res.warnings
    return res


def firm_rates(r: Respondent) -> dict[str, Decimal | None]:
    """The respondent's three metrics over all its products (ratios of sums) and the procurement split."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for p in r.products:
        for k in (
            "fob",
            "vnm",
            "purchases",
            "local",
            "local_vn_owned",
            "local_fdi",
            "local_undetermined",
            "direct_numerator",
        ):
            sums[k] += getattr(p, k) or Decimal(0)

    def pct(a: Decimal, b: Decimal) -> Decimal | None:
        return (100 * a / b).quantize(Decimal("0.1")) if b else None

    return {
        "procurement": pct(sums["local"], sums["purchases"]),
        "procurement_vn_owned": pct(sums["local_vn_owned"], sums["purchases"]),
        "procurement_fdi_vn": pct(sums["local_fdi"], sums["purchases"]),
        "procurement_undetermined": pct(sums["local_undetermined"], sums["purchases"]),
        "lvc_indirect": pct(sums["fob"] - sums["vnm"], sums["fob"]),
        "lvc_direct": pct(sums["direct_numerator"], sums["fob"]),
    }


def _outliers(session: Session, r: Respondent) -> list[dict]:
    """Flag (not refuse) a rate far from the same firm's last year, or outside 0–100 %."""
    out = []
    now = firm_rates(r)
    for metric, (lo, hi) in SANE.items():
        v = now.get(metric)
        if v is not None and not (lo <= v <= hi):
            out.append({"code": "outlier_range", "metric": metric, "value": str(v)})
    last = session.scalars(
        select(Respondent)
        .join(Campaign)
        .where(
            Respondent.enterprise_id == r.enterprise_id,
            Campaign.year == r.campaign.year - 1,
            Respondent.status == "validated",
        )
    ).first()
    if last is not None:
        before = firm_rates(last)
        for metric in ("procurement", "lvc_indirect"):
            a, b = now.get(metric), before.get(metric)
            if a is not None and b is not None and abs(a - b) > OUTLIER_POINTS:
                out.append({"code": "outlier_last_year", "metric": metric, "value": str(a), "last": str(b)})
        if last.method != r.method:
            out.append({"code": "method_switched", "from": last.method, "to": r.method})
    return out


def validate(
    session: Session, r: Respondent, user: User | None, *, accept: bool, note: str | None = None
) -> None:
    _staff(user)
    if r.status not in ("submitted", "validated"):
        raise SurveyError(Msg("Phiếu chưa được gửi", "The return has not been submitted"), 409)
    if accept:
        r.status, r.validated_at, r.validated_by_id = "validated", utcnow(), user.id if user else None
    else:
        r.status, r.note = "returned", note
        if r.contact_email:
            send_mail(
                session,
                r.contact_email,
                f"Phiếu điều tra cần bổ sung / survey return needs changes: {r.campaign.name}",
                f"{note or ''}\n",
                "localisation_returned",
            )
    session.flush()


# ---------------------------------------------------------------- aggregation


@dataclass
class Aggregate:
    metric: str
    status: dict[tuple[str, str], str]
    cells: dict[tuple[str, str], disclosure.Cell]
    medians: dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]]  # row → (q1, median, q3)
    coverage: dict[str, Decimal | None]  # row → share of invited firms' revenue covered
    suppliers_labelled: int  # supplier respondents kept out (no double counting)

    def rate(self, key: tuple[str, str]) -> Decimal | None:
        c = self.cells.get(key)
        if c is None or c.den == 0 or self.status.get(key) != "published":
            return None
        return (100 * c.num / c.den).quantize(Decimal("0.1"))

    def published(self) -> list[dict]:
        """What may leave the building: rates and output covered of published cells only."""
        out = []
        for key, st in sorted(self.status.items()):
            cell = self.cells[key]
            out.append(
                {
                    "sector": key[0],
                    "province": key[1],
                    "status": "published" if st == "published" else "suppressed",
                    "rate": str(self.rate(key)) if st == "published" else None,
                    "output": str(cell.den) if st == "published" else None,
                    "firms": cell.n if st == "published" else None,
                }
            )
        return out


def _rows(session: Session, campaign: Campaign, metric: str) -> tuple[list[tuple], int]:
    """(sector, province, firm, numerator, denominator) per validated final producer, summed in SQL over
    the products' stored sums (one row per firm, whatever the number of products and inputs)."""
    num_col, den_col = METRIC_SUMS[metric]
    den = func.coalesce(func.sum(getattr(ProductReturn, den_col)), 0)
    if num_col is None:
        num = den - func.coalesce(func.sum(ProductReturn.vnm), 0)
    else:
        num = func.coalesce(func.sum(getattr(ProductReturn, num_col)), 0)
    firms = session.execute(
        select(Respondent.enterprise_id, Respondent.role, Enterprise.province_code, num, den)
        .join(ProductReturn, ProductReturn.respondent_id == Respondent.id)
        .join(Enterprise, Enterprise.id == Respondent.enterprise_id)
        .where(Respondent.campaign_id == campaign.id, Respondent.status == "validated")
        .group_by(Respondent.id, Respondent.enterprise_id, Respondent.role, Enterprise.province_code)
    ).all()
    sectors = _first_sectors(session, {f[0] for f in firms})
    rows, suppliers = [], 0
    for eid, role, province, n, d in firms:
        if role != "final":
            suppliers += 1
            continue
        rows.append((sectors.get(eid, "other"), province, eid, Decimal(str(n)), Decimal(str(d))))
    return rows, suppliers


def _first_sectors(session: Session, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    if not ids:
        return out
    for eid, code in session.execute(
        select(enterprise_sector.c.enterprise_id, enterprise_sector.c.sector_code)
        .where(enterprise_sector.c.enterprise_id.in_(ids))
        .order_by(enterprise_sector.c.enterprise_id, enterprise_sector.c.sector_code)
    ):
        out.setdefault(eid, code)
    return out


def configured_rules() -> disclosure.Rules:
    """The disclosure parameters from configuration (never shown on a public page)."""
    from flask import current_app, has_app_context  # noqa: PLC0415 — configuration when an app runs

    if not has_app_context():
        return disclosure.Rules()
    cfg, default = current_app.config, disclosure.Rules()
    try:
        min_n = max(default.min_n, int(cfg.get("DISCLOSURE_MIN_CONTRIBUTORS") or default.min_n))
        dominance = Decimal(str(cfg.get("DISCLOSURE_DOMINANCE") or default.dominance))
    except (ValueError, ArithmeticError):
        return default  # a malformed setting never weakens the protection
    return disclosure.Rules(min_n=min_n, dominance=min(dominance, default.dominance))


def aggregate(
    session: Session, campaign: Campaign, metric: str = "lvc_indirect", rules: disclosure.Rules | None = None
) -> Aggregate:
    rules = rules or configured_rules()
    rows, suppliers = _rows(session, campaign, metric)
    cells = disclosure.table(rows)
    previous = _previous_published(session, campaign, metric, rules)
    status = disclosure.protect(cells, rules, previous)
    per_firm: dict[str, dict[int, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    for sector, _prov, eid, num, den in rows:
        acc = per_firm[sector][eid]
        acc[0] += num
        acc[1] += den
    medians: dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]] = {}
    for sector, firms in per_firm.items():
        rates = sorted(100 * a / b for a, b in firms.values() if b)
        if len(rates) >= 3:
            q = statistics.quantiles(rates, n=4)
            medians[sector] = (
                Decimal(q[0]).quantize(Decimal("0.1")),
                Decimal(statistics.median(rates)).quantize(Decimal("0.1")),
                Decimal(q[2]).quantize(Decimal("0.1")),
            )
        else:
            medians[sector] = (None, None, None)  # spread of fewer than 3 firms would disclose them
    return Aggregate(metric, status, cells, medians, coverage(session, campaign), suppliers)


def _previous_published(session: Session, campaign: Campaign, metric: str, rules) -> dict | None:
    last = session.scalars(
        select(Campaign).where(Campaign.year == campaign.year - 1, Campaign.status == "published")
    ).first()
    if last is None:
        return None
    rows, _ = _rows(session, last, metric)
    cells = disclosure.table(rows)
    st = disclosure.protect(cells, rules)
    return {k: set(c.contributors) for k, c in cells.items() if st[k] == "published"}


def coverage(session: Session, campaign: Campaign) -> dict[str, Decimal | None]:
    """Per sector: the validated respondents' share of the revenue of all firms asked (database revenue)."""
    resp = session.execute(
        select(Respondent.enterprise_id, Respondent.status, Enterprise.revenue_bn_vnd)
        .join(Enterprise, Enterprise.id == Respondent.enterprise_id)
        .where(Respondent.campaign_id == campaign.id, Respondent.role == "final")
    ).all()
    sectors = _first_sectors(session, {r[0] for r in resp})
    asked: dict[str, Decimal] = defaultdict(Decimal)
    answered: dict[str, Decimal] = defaultdict(Decimal)
    for eid, status, revenue in resp:
        s = sectors.get(eid, "other")
        asked[s] += revenue or 0
        if status == "validated":
            answered[s] += revenue or 0
    return {s: ((100 * answered[s] / asked[s]).quantize(Decimal("0.1")) if asked[s] else None) for s in asked}


def snapshot(session: Session, campaign: Campaign) -> dict:
    """The figures as published, frozen when the campaign is published: a published number does not
    change afterwards (a correction is a new publication), and pages read it without re-aggregating."""
    out = {}
    for metric in METRIC_SUMS:
        agg = aggregate(session, campaign, metric)
        out[metric] = {
            "cells": agg.published(),
            "medians": {k: [str(x) if x is not None else None for x in v] for k, v in agg.medians.items()},
            "coverage": {k: (str(v) if v is not None else None) for k, v in agg.coverage.items()},
            "suppliers_labelled": agg.suppliers_labelled,
        }
    return out


@dataclass
class Frozen:
    """A published table read back from its snapshot, with the interface the report pages use."""

    metric: str
    status: dict[tuple[str, str], str]
    rates: dict[tuple[str, str], Decimal | None]
    medians: dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]]
    coverage: dict[str, Decimal | None]
    suppliers_labelled: int

    @classmethod
    def of(cls, campaign: Campaign, metric: str) -> Frozen:
        snap = (campaign.snapshot or {}).get(metric, {})
        status, rates = {}, {}
        for cell in snap.get("cells", []):
            key = (cell["sector"], cell["province"])
            status[key] = cell["status"]
            rates[key] = Decimal(cell["rate"]) if cell["rate"] is not None else None

        def dec(v):
            return Decimal(v) if v is not None else None

        medians = {k: tuple(dec(x) for x in v) for k, v in snap.get("medians", {}).items()}
        return cls(
            metric,
            status,
            rates,
            medians,
            {k: dec(v) for k, v in snap.get("coverage", {}).items()},
            snap.get("suppliers_labelled", 0),
        )

    def rate(self, key: tuple[str, str]) -> Decimal | None:
        return self.rates.get(key) if self.status.get(key) == "published" else None

    @property
    def cells(self) -> dict:
        return self.status


def series(session: Session, metric: str = "lvc_indirect") -> dict[str, list[tuple[int, Decimal | None]]]:
    """Published sector rates by year, from the frozen snapshots (suppressed years are None, never
    interpolated)."""
    out: dict[str, list[tuple[int, Decimal | None]]] = defaultdict(list)
    for c in session.scalars(select(Campaign).where(Campaign.status == "published").order_by(Campaign.year)):
        for cell in (c.snapshot or {}).get(metric, {}).get("cells", []):
            if cell["province"] == disclosure.TOTAL and cell["sector"] != disclosure.TOTAL:
                out[cell["sector"]].append(
                    (c.year, Decimal(cell["rate"]) if cell["rate"] is not None else None)
                )
    return dict(out)


def target_path(t: Target, series_rows: list[tuple[int, Decimal | None]]) -> Decimal | None:
    """The level a target means: absolute as written; + points or + relative % on the base value (given,
    or measured in the base year). None when the base is unknown — never a guess."""
    if t.kind == "absolute":
        return t.value
    base = t.base_value
    if base is None and t.base_year is not None:
        base = next((v for y, v in series_rows if y == t.base_year and v is not None), None)
    if base is None:
        return None
    return base + t.value if t.kind == "pp" else (base * (1 + t.value / 100)).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- leads


def leads(session: Session, campaign: Campaign, limit: int = 50) -> list[dict]:
    """Imported inputs local suppliers could make: value × respondents importing the same HS-6 (or name)
    × database suppliers with a matching product."""
    lines = session.execute(
        select(InputLine, Respondent.enterprise_id)
        .join(ProductReturn, InputLine.product_id == ProductReturn.id)
        .join(Respondent, ProductReturn.respondent_id == Respondent.id)
        .where(
            Respondent.campaign_id == campaign.id,
            Respondent.status.in_(("submitted", "validated")),
            InputLine.origin == "imported",
        )
    ).all()
    groups: dict[str, dict] = {}
    for line, eid in lines:
        key = line.hs6 or line.name.strip().lower()
        g = groups.setdefault(
            key,
            {
                "key": key,
                "hs6": line.hs6,
                "name": line.name,
                "value": Decimal(0),
                "respondents": set(),
                "why": defaultdict(int),
                "category": line.category_code,
            },
        )
        g["value"] += line.value or 0
        g["respondents"].add(eid)
        if line.why_not_local:
            g["why"][line.why_not_local] += 1
    out = []
    for g in groups.values():
        suppliers = _capable_suppliers(session, g["name"], g["category"])
        g["suppliers"] = suppliers
        certified = sum(1 for x in suppliers if x.get("certifications"))
        # value × importers × capable suppliers, a certified supplier counting double
        g["score"] = float(g["value"]) * len(g["respondents"]) * max(1, len(suppliers) + certified)
        g["certified_suppliers"] = certified
        g["respondent_count"] = len(g.pop("respondents"))
        g["why"] = dict(g["why"])
        out.append(g)
    out.sort(key=lambda g: (-g["score"], g["key"]))
    return out[:limit]


def _capable_suppliers(session: Session, name: str, category: str | None) -> list[dict]:
    """Firms in the database with a product named like the input (search) or in its category."""
    from cnht.search.services import SearchRequest, run_search  # noqa: PLC0415 — search pulls in the index

    found: dict[int, dict] = {}
    try:
        res = run_search(SearchRequest(q=name, per_page=10))
        for hit in res.hits:
            found[hit.id] = {"ref": hit.tax_code or f"id-{hit.id}", "name": hit.name}
    except Exception:
        pass
    if category:
        for eid, ename, tax in session.execute(
            select(Enterprise.id, Enterprise.name, Enterprise.tax_code)
            .join(EnterpriseProduct, EnterpriseProduct.enterprise_id == Enterprise.id)
            .where(EnterpriseProduct.category_code == category, Enterprise.deleted_at.is_(None))
            .limit(10)
        ):
            found.setdefault(eid, {"ref": tax or f"id-{eid}", "name": ename})
    if found:  # certificates still valid today: what a buyer's supplier audit asks first
        today = utcnow().date()
        certs: dict[int, list[str]] = defaultdict(list)
        for eid, key in session.execute(
            select(Certification.enterprise_id, Certification.standard_key).where(
                Certification.enterprise_id.in_(list(found)),
                Certification.valid_until.is_(None) | (Certification.valid_until >= today),
            )
        ):
            certs[eid].append(key)
        for eid, f in found.items():
            f["certifications"] = sorted(set(certs.get(eid, [])))
    return list(found.values())


def lead_to_requirement(session: Session, lead: dict, user: User | None, campaign: Campaign):
    """One click: the lead becomes a staff sourcing requirement, matched like any other."""
    _staff(user)
    from cnht.matching.models import SourcingRequirement  # noqa: PLC0415 — the two features meet here only

    req = SourcingRequirement(
        owner_id=user.id if user else None,
        title=f"Tìm nhà cung ứng trong nước: {lead['name']}",
        description=f"Đầu vào đang nhập khẩu của {lead['respondent_count']} doanh nghiệp (điều tra {campaign.year}); "
        f"HS {lead.get('hs6') or '—'}; trị giá nhập khẩu {lead['value']} triệu đồng.",
        category_code=lead.get("category"),
        processes=[],
        materials=[],
        certifications_required=[],
        certifications_preferred=[],
        provinces_required=[],
        provinces_preferred=campaign.provinces or [],
        visibility="staff",
        status="open",
    )
    session.add(req)
    session.flush()
    return req


def lead_to_item(session: Session, lead: dict, buyer, user: User | None):
    """One click: the lead becomes a wanted-parts item of a matchmaking event's buyer."""
    _staff(user)
    from cnht.events import services as events  # noqa: PLC0415 — the two features meet here only

    spec = f"HS {lead['hs6']}" if lead.get("hs6") else None
    (item,) = events.add_items(
        session,
        buyer.event,
        buyer,
        [{"component": lead["name"][:255], "specification": spec, "volume": None}],
        user,
    )
    return item


def event_buyers(session: Session) -> list:
    """Buyers of the events still ahead, for the leads page's "add to an event" choice."""
    from cnht.events.models import Event, Participant  # noqa: PLC0415

    return list(
        session.scalars(
            select(Participant)
            .join(Event)
            .where(Participant.role == "buyer", Event.status != "closed")
            .order_by(Event.starts_on, Participant.organisation)
        ).all()
    )


# ---------------------------------------------------------------- indicators


def indicators(session: Session) -> list[dict]:
    """The programme's figures for staff, each with its source and date."""
    from cnht.events.services import programme_figures  # noqa: PLC0415
    from cnht.matching.services import success_counts  # noqa: PLC0415

    now = utcnow()
    out: list[dict[str, Any]] = [
        {
            "key": "enterprises",
            "value": session.scalar(
                select(func.count()).select_from(Enterprise).where(Enterprise.deleted_at.is_(None))
            ),
            "source": Msg("Cơ sở dữ liệu doanh nghiệp của cổng", "The portal's enterprise database"),
            "at": now,
        },
        {
            "key": "assessed",
            "value": session.scalar(
                select(func.count())
                .select_from(Enterprise)
                .where(Enterprise.verification_status == "staff_assessed", Enterprise.deleted_at.is_(None))
            ),
            "source": Msg("Đánh giá năng lực của Sở", "The Department's capability assessments"),
            "at": now,
        },
    ]
    for row in success_counts(session, "year"):
        out.append(
            {
                "key": f"contracts_{row['key']}",
                "value": row["connections"],
                "extra": row.get("contract_value_mvnd"),
                "source": Msg("Kết nối có hợp đồng đã xác nhận", "Connections with a confirmed contract"),
                "at": now,
            }
        )
    ev = programme_figures(session)
    out.append(
        {
            "key": "event_meetings",
            "value": ev["meetings_held"],
            "extra": ev["contracts"],
            "source": Msg("Sự kiện kết nối: cuộc gặp đã diễn ra", "Matchmaking events: meetings held"),
            "at": now,
        }
    )
    for c in session.scalars(select(Campaign).where(Campaign.status == "published").order_by(Campaign.year)):
        total = next(
            (
                x
                for x in (c.snapshot or {}).get("lvc_indirect", {}).get("cells", [])
                if x["sector"] == disclosure.TOTAL and x["province"] == disclosure.TOTAL
            ),
            None,
        )
        out.append(
            {
                "key": f"lvc_{c.year}",
                "value": total["rate"] if total else None,
                "source": Msg(
                    f"Điều tra {c.year}, LVC gián tiếp (TT 05/2018)",
                    f"Survey {c.year}, LVC indirect (Circular 05/2018)",
                ),
                "at": c.published_at or c.updated_at,
            }
        )
    return out


def respondents_query(campaign_id: int):
    return (
        select(Respondent)
        .where(Respondent.campaign_id == campaign_id)
        .options(selectinload(Respondent.products).selectinload(ProductReturn.inputs))
    )
