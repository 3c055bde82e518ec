"""The matching engine: hard constraints first, then an explained, weighted score.

Score = Σ wᵢ·vᵢ / Σ wᵢ over the criteria that apply to the requirement (a criterion the buyer did
not ask for — no preferred certificates, no quantity, no preferred provinces — is left out rather
than given to everyone), so scores lie in [0, 1] and stay comparable. Weights live in
``DEFAULT_WEIGHTS`` and can be overridden with the ``MATCH_WEIGHTS`` config key.

Hard constraints (never broken by a result): sector, required provinces, minimum employees
(unknown head-count does not pass), every required certificate held and not expired.

Candidates: the search backend's best hits for the title's product phrase (request boilerplate and
the application dropped) and for the category's name (the index holds each firm's categories), under
the hard filters the index can apply; the database adds firms with a product in the category, or
any firm meeting the constraints, only when the index found few. Every constraint is then checked
again on the loaded facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property, lru_cache

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from cnht.db import local_today, utcnow
from cnht.enterprises.classify import classify_product
from cnht.enterprises.models import (
    Certification,
    Enterprise,
    EnterpriseMaterial,
    EnterpriseProcess,
    EnterpriseProduct,
    Equipment,
    enterprise_sector,
    verified_first,
)
from cnht.i18n import Msg
from cnht.matching.regions import region_of
from cnht.reference import product_categories
from cnht.search.backend import get_backend
from vnsearch.analysis import fold_token, tokens
from vnsearch.backends.base import Filters
from vnsearch.query import plan_query
from vnsearch.synonyms import thesaurus

DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.30,  # what is wanted (the title's product phrase) found in the profile (search analyser)
    "category": 0.16,  # product in the requested taxonomy category (exact 1, same group 0.4); halved
    # when the category is only inferred from the title
    "processes": 0.16,  # share of required processes covered (synonyms count)
    "materials": 0.06,  # share of materials the firm works with
    "certs_preferred": 0.08,
    "capacity": 0.06,  # size against the quantity asked for
    "verified": 0.07,  # staff-assessed 1, documents checked 0.7, self-declared 0.3
    "proximity": 0.06,  # preferred province 1, same region 0.5
    "freshness": 0.05,  # profile updated ≤ 6 months 1 … ≥ 36 months 0
}
CANDIDATES_FROM_SEARCH = 100
CANDIDATES_FROM_CATEGORY = 150
FALLBACK_POOL = 400

LABELS = {
    "text": Msg("Mức liên quan của mô tả", "Text relevance"),
    "category": Msg("Nhóm sản phẩm", "Product category"),
    "processes": Msg("Công nghệ/quy trình yêu cầu", "Required processes"),
    "materials": Msg("Vật liệu", "Materials"),
    "certs_preferred": Msg("Chứng chỉ ưu tiên", "Preferred certifications"),
    "capacity": Msg("Năng lực đáp ứng số lượng", "Capacity for the quantity"),
    "verified": Msg("Mức xác minh", "Verification"),
    "proximity": Msg("Vị trí địa lý", "Proximity"),
    "freshness": Msg("Hồ sơ được cập nhật", "Profile freshness"),
}
VERIFIED_VALUE = {"staff_assessed": 1.0, "documents_checked": 0.7, "self_declared": 0.3, "unverified": 0.0}
# Words too common in requirements to be evidence of anything.
STOPWORDS = {
    "can",
    "tim",
    "nha",
    "cung",
    "cap",
    "ung",
    "cho",
    "va",
    "cua",
    "cac",
    "nhung",
    "mot",
    "voi",
    "theo",
    "cong",
    "ty",
    "doi",
    "tac",
    "chung",
    "toi",
    "nguon",
    "lam",
    "lon",
    "xuat",
    "khau",
    "bo",
    "chiec",
    "cai",
    "want",
    "buy",
    "rfq",
    "pcs",
    "year",
    "pieces",
    "needed",
    "tai",
    "tu",
    "den",
    "la",
    "co",
    "khong",
    "duoc",
    "de",
    "trong",
    "nay",
    "san",
    "gia",
    "dat",
    "hang",
    "don",
    "so",
    "luong",
    "yeu",
    "cau",
    "the",
    "for",
    "and",
    "of",
    "to",
    "in",
    "with",
    "supplier",
    "suppliers",
    "need",
    "looking",
    "we",
    "our",
    "a",
    "an",
    "per",
    "on",
    "by",
}
SIZE_RANK = {"micro": 0, "small": 1, "medium": 2, "large": 3}


@dataclass
class RequirementSpec:
    title: str
    description: str = ""
    sector: str | None = None
    category: str | None = None
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    certifications_required: list[str] = field(default_factory=list)  # normalised keys
    certifications_preferred: list[str] = field(default_factory=list)
    provinces_required: list[str] = field(default_factory=list)  # codes
    provinces_preferred: list[str] = field(default_factory=list)
    min_employees: int | None = None
    quantity: int | None = None

    @classmethod
    def from_requirement(cls, r) -> RequirementSpec:
        return cls(
            title=r.title,
            description=r.description or "",
            sector=r.sector_code,
            category=r.category_code,
            processes=list(r.processes or []),
            materials=list(r.materials or []),
            certifications_required=list(r.certifications_required or []),
            certifications_preferred=list(r.certifications_preferred or []),
            provinces_required=list(r.provinces_required or []),
            provinces_preferred=list(r.provinces_preferred or []),
            min_employees=r.min_employees,
            quantity=r.quantity,
        )


@dataclass
class Criterion:
    key: str
    weight: float
    value: float
    met: bool
    evidence: list[str]
    note: Msg | None = None

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    def as_dict(self, total_weight: float) -> dict:
        label = LABELS[self.key]
        return {
            "criterion": self.key,
            "label": label.vi,
            "label_en": label.en,
            "met": self.met,
            "value": round(self.value, 3),
            "weight": round(self.weight / total_weight, 3),
            "contribution": round(self.contribution / total_weight, 4),
            "evidence": self.evidence,
            **({"note": self.note.vi, "note_en": self.note.en} if self.note else {}),
        }


@dataclass
class Match:
    enterprise_id: int
    ref: str
    tax_code: str | None
    name: str
    province_code: str
    score: float
    criteria: list[Criterion]
    constraints: list[dict]
    total_weight: float

    def explanation(self) -> list[dict]:
        return self.constraints + [c.as_dict(self.total_weight) for c in self.criteria]


@dataclass
class Facts:
    id: int
    tax_code: str | None
    name: str
    province_code: str
    employees: int | None
    revenue: float | None
    size_class: str | None
    verification: str
    updated_at: datetime
    description: str
    sectors: set[str] = field(default_factory=set)
    products: list[tuple[str, str | None]] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)
    certs: dict[str, tuple[str, date | None]] = field(default_factory=dict)  # key → (as written, valid until)

    @cached_property
    def profile_tokens(self) -> frozenset[str]:
        """Folded and exact (lower-case, marks kept) tokens of the profile's texts."""
        return _text_tokens(
            " ".join(
                [
                    self.name,
                    *(n for n, _ in self.products),
                    *self.processes,
                    *self.materials,
                    *self.equipment,
                    self.description,
                ]
            )
        )

    @cached_property
    def capability_texts(self) -> list[tuple[str, tuple[str, ...]]]:
        """Processes, equipment and products, each with its folded tokens (process evidence)."""
        return [(t, _ftoks(t)) for t in [*self.processes, *self.equipment, *(n for n, _ in self.products)]]

    @cached_property
    def material_texts(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(t, _ftoks(t)) for t in [*self.materials, *(n for n, _ in self.products), self.description]]

    @cached_property
    def description_tokens(self) -> tuple[str, ...]:
        return _ftoks(self.description)


# ---- phrase matching -----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _text_tokens(text: str) -> frozenset[str]:
    """Kept per text: the facts are read afresh for every match, and the same firms are candidates
    for many requirements (tokenising them was a third of a match's time at 100,000 firms)."""
    toks = tokens(text)
    return frozenset(toks) | frozenset(fold_token(t) for t in toks)


@lru_cache(maxsize=32768)
def _ftoks(text: str) -> tuple[str, ...]:
    return tuple(fold_token(t) for t in tokens(text or ""))


def _contains(hay: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    if not n or n > len(hay):
        return False
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def phrase_forms(phrase: str) -> list[tuple[str, ...]]:
    """A phrase and its thesaurus alternatives, folded ('phay CNC' → cnc milling, milling…)."""
    own = _ftoks(phrase)
    forms = [own]
    for alt in thesaurus().get(own, []):
        f = tuple(fold_token(t) for t in alt)
        if f not in forms:
            forms.append(f)
    return [f for f in forms if f]


def _find(forms: list[tuple[str, ...]], texts: Iterable[tuple[str, tuple[str, ...]]]) -> str | None:
    for text, hay in texts:
        if any(_contains(hay, f) for f in forms):
            return text
    return None


# ---- candidates and facts ------------------------------------------------------------------------


def _today() -> date:
    return local_today()


def _hard_filter(spec: RequirementSpec):
    conds = [Enterprise.deleted_at.is_(None)]
    if spec.sector:
        conds.append(
            exists().where(
                enterprise_sector.c.enterprise_id == Enterprise.id,
                enterprise_sector.c.sector_code == spec.sector,
            )
        )
    if spec.provinces_required:
        conds.append(Enterprise.province_code.in_(spec.provinces_required))
    if spec.min_employees:
        conds.append(Enterprise.employees >= spec.min_employees)
    today = _today()
    for key in spec.certifications_required:
        conds.append(
            exists().where(
                Certification.enterprise_id == Enterprise.id,
                Certification.standard_key == key,
                (Certification.valid_until.is_(None)) | (Certification.valid_until >= today),
            )
        )
    return and_(*conds)


_LEADS = [  # request boilerplate before the product (folded); stripped repeatedly, longest first
    "can tim nha cung cap",
    "can tim nha cung ung",
    "tim nha cung cap",
    "tim nha cung ung",
    "can nha cung cap",
    "can nha cung ung",
    "nha cung cap",
    "nha cung ung",
    "can tim don vi",
    "tim don vi san xuat",
    "tim don vi gia cong",
    "tim don vi",
    "tim doi tac",
    "can tim xuong",
    "tim xuong",
    "can xuong",
    "can dat hang",
    "dat hang",
    "dat lam",
    "can dat",
    "can mua",
    "dat mua",
    "can tim kiem",
    "tim kiem",
    "can tim",
    "can supplier",
    "tim nguon hang",
    "tim nguon cung",
    "nguon hang",
    "nguon cung",
    "nha may",
    "cong ty",
    "chung toi",
    "doanh nghiep",
    "chung minh",
    "ben minh",
    "minh",
    "em",
    "can",
    "tim",
    "mua",
    "dat",
    "yeu cau bao gia",
    "bao gia",
    "looking for",
    "we are looking for",
    "we look for",
    "we want to buy",
    "we want",
    "we need",
    "want to buy",
    "need",
    "sourcing",
    "seeking",
    "wanted",
    "request for quotation",
    "request for quote",
    "rfq",
    "rfi",
    "supplier needed for",
    "suppliers needed for",
    "supplier wanted for",
    "supplier of",
    "suppliers of",
    "supplier for",
    "suppliers for",
    "vendor for",
    "manufacturer of",
    "manufacturers of",
    "buy",
    "purchase",
]
_TAILS = (
    " cho ",
    " dung cho ",
    " phuc vu ",
    " for ",
    " theo ban ve",
    " theo mau",
    " to be used",
    " used in ",
    " supplier",
    " suppliers",
    " manufacturer",
    " vendor",
    " so luong",
    " quantity",
    " sl ",
    " xuat khau",
    " voi ",
    " with ",
    " pcs",
    " chiec",
    " cai ",
)
# Counter words that come after a quantity ("50.000 bộ gioăng", "2 tấn thép", "10k pcs").
_COUNTERS = {"bộ", "chiếc", "cái", "tấm", "cuộn", "tấn", "mét", "lô", "thùng", "đôi", "cặp", "con", "sợi"}
_COUNTERS_ASCII = {"k", "x", "kg", "m", "pcs", "sets", "set", "units", "pieces", "tons", "bo", "chiec", "cai"}
_LEAD_TOKENS = sorted((tuple(x.split()) for x in _LEADS), key=len, reverse=True)


def core_phrase(title: str) -> str:
    """What is wanted, without the request's boilerplate or its application: 'Cần tìm nhà cung cấp
    khuôn ép nhựa cho vỏ máy in' → 'khuôn ép nhựa'; 'Supplier needed for wire harness for e-bikes' →
    'wire harness'; 'Nhà máy cần đặt 50.000 bộ gioăng…' → 'bộ gioăng…' (quantities dropped)."""
    toks = tokens(title)
    folded = [fold_token(t) for t in toks]
    start, moved = 0, True
    while moved:
        moved = False
        for lead in _LEAD_TOKENS:
            n = len(lead)
            if tuple(folded[start : start + n]) == lead and len(folded) > start + n:
                start += n
                moved = True
                break
        while start < len(toks) - 1 and toks[start][:1].isdigit():
            start += 1  # a quantity and its counter word at the front ("50.000 bộ …", "10k pcs …")
            if start < len(toks) - 1 and (toks[start] in _COUNTERS or folded[start] in _COUNTERS_ASCII):
                start += 1
            moved = True
    text = " " + " ".join(folded[start:]) + " "
    end = len(toks)
    for tail in _TAILS:
        i = text.find(tail)
        if i > 0:
            end = min(end, start + text[:i].count(" "))
    core = toks[start:end] or toks[start:] or toks
    return " ".join(core)


def _category_name(code: str | None) -> str | None:
    if not code:
        return None

    row = next((r for r in product_categories() if r["code"] == code), None)
    return row["item_vi"].split("(")[0].strip() if row else None


def _search_candidates(spec: RequirementSpec, category: str | None) -> dict[int, float]:
    """Search-backend candidates for the title's product phrase, then for the category's name; a
    hit's text score is its share of the best title score (category-name hits count half)."""
    backend = get_backend()
    filters = Filters(
        sector=spec.sector,
        province=spec.provinces_required[0] if len(spec.provinces_required) == 1 else None,
        certification=spec.certifications_required[0] if spec.certifications_required else None,
    )
    out: dict[int, float] = {}
    vocab = backend.vocabulary()
    words = core_phrase(spec.title)[:200].split()
    # Vietnamese puts the head noun first ("bo mạch | điều khiển", "gioăng | cao su chịu dầu"): when the
    # whole phrase matches nothing, drop words from the end, not the rarest ones, before relaxing.
    hits: list[tuple[int, float]] = []
    for n in range(len(words), max(len(words) - 3, 1) - 1, -1):
        hits = backend.candidates(
            plan_query(" ".join(words[:n]), vocab), filters, CANDIDATES_FROM_SEARCH, relax=False
        )
        if hits or n == 1:
            break
    if not hits:
        hits = backend.candidates(plan_query(" ".join(words), vocab), filters, CANDIDATES_FROM_SEARCH)
    top = max((sc for _i, sc in hits), default=0.0) or 1.0
    for eid, sc in hits:
        out[eid] = sc / top
    name = _category_name(category)
    # a category's name is a long, general phrase ("Chi tiết đúc, rèn, dập, gia công cắt gọt cho máy
    # móc thiết bị") that matches most of a large index and costs more than the rest of the match: it
    # is searched only when the title found few; match() adds the category's members from the database
    if name and len(hits) < CANDIDATES_FROM_SEARCH:
        more = backend.candidates(
            plan_query(name, backend.vocabulary()), filters, CANDIDATES_FROM_SEARCH // 2
        )
        top = max((sc for _i, sc in more), default=0.0) or 1.0
        for eid, sc in more:
            out.setdefault(eid, 0.5 * sc / top)
    return out


# members from which a category is dense enough to walk the firms in order and stop at the limit
DENSE_CATEGORY = 2000


def _category_candidates(
    session: Session, spec: RequirementSpec, category: str | None, limit: int
) -> list[int]:
    """Firms with a product of the category that meet the hard constraints, verified and recent first."""
    if not category:
        return []
    of_category = EnterpriseProduct.category_code == category
    some = select(EnterpriseProduct.id).where(of_category).limit(DENSE_CATEGORY).subquery()
    if session.scalar(select(func.count()).select_from(some)) >= DENSE_CATEGORY:
        # a large category: the firms in ix_enterprise_verified_recent's order, each asked whether it
        # has one, until the limit (sorting 43,000 members of 100,000 firms took 85 ms, this 2)
        member = exists().where(EnterpriseProduct.enterprise_id == Enterprise.id, of_category)
    else:
        # a small one: its members from the category's index, sorted (walking the firms would pass
        # almost all of them)
        member = Enterprise.id.in_(select(EnterpriseProduct.enterprise_id).where(of_category))
    stmt = (
        select(Enterprise.id)
        .where(member, _hard_filter(spec))
        .order_by(verified_first(), Enterprise.updated_at.desc(), Enterprise.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def load_facts(session: Session, ids: list[int], spec: RequirementSpec | None = None) -> dict[int, Facts]:
    if not ids:
        return {}
    stmt = select(
        Enterprise.id,
        Enterprise.tax_code,
        Enterprise.name,
        Enterprise.province_code,
        Enterprise.employees,
        Enterprise.revenue_bn_vnd,
        Enterprise.size_class,
        Enterprise.verification_status,
        Enterprise.updated_at,
        Enterprise.description,
    ).where(Enterprise.id.in_(ids))
    if spec is not None:
        stmt = stmt.where(_hard_filter(spec))
    facts = {
        r[0]: Facts(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            float(r[5]) if r[5] is not None else None,
            r[6],
            r[7],
            r[8],
            r[9] or "",
        )
        for r in session.execute(stmt)
    }
    keep = list(facts)
    if not keep:
        return facts
    for eid, code in session.execute(
        select(enterprise_sector.c.enterprise_id, enterprise_sector.c.sector_code).where(
            enterprise_sector.c.enterprise_id.in_(keep)
        )
    ):
        facts[eid].sectors.add(code)
    for eid, name, cat in session.execute(
        select(EnterpriseProduct.enterprise_id, EnterpriseProduct.name, EnterpriseProduct.category_code)
        .where(EnterpriseProduct.enterprise_id.in_(keep))
        .order_by(EnterpriseProduct.position)
    ):
        facts[eid].products.append((name, cat))
    for model, attr, col in (
        (EnterpriseProcess, "processes", EnterpriseProcess.name),
        (EnterpriseMaterial, "materials", EnterpriseMaterial.name),
        (Equipment, "equipment", Equipment.machine_type),
    ):
        for eid, name in session.execute(
            select(model.enterprise_id, col).where(model.enterprise_id.in_(keep)).order_by(model.position)
        ):
            getattr(facts[eid], attr).append(name)
    for eid, std, key, until in session.execute(
        select(
            Certification.enterprise_id,
            Certification.standard,
            Certification.standard_key,
            Certification.valid_until,
        ).where(Certification.enterprise_id.in_(keep))
    ):
        facts[eid].certs[key] = (std, until)
    return facts


# ---- scoring -------------------------------------------------------------------------------------


class Scorer:
    """Scores enterprises' facts against one requirement (its phrase forms prepared once)."""

    def __init__(self, spec: RequirementSpec, weights: dict[str, float] | None = None):
        self.spec = spec
        self.w = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.category, self.category_inferred = spec.category, False
        if not self.category:
            self.category = classify_product(core_phrase(spec.title), [spec.sector] if spec.sector else None)
            self.category_inferred = self.category is not None
        self.group = _group_of(self.category)
        self.process_forms = [(p, phrase_forms(p)) for p in spec.processes]
        self.material_forms = [(m, phrase_forms(m)) for m in spec.materials]
        self.today = _today()
        self.preferred_regions = {region_of(p) for p in spec.provinces_preferred} - {None}
        seen, self.words = set(), []
        core = tokens(core_phrase(spec.title))
        # A title typed with diacritics is compared with them ("xưởng may" sews; "máy" is a machine); a
        # title typed without any is compared folded.
        marked = any(fold_token(t) != t for t in core)
        for t in core:
            ft = fold_token(t)
            if len(ft) > 1 and ft not in STOPWORDS and ft not in seen:
                seen.add(ft)
                self.words.append((t if marked else ft, t))

    def constraints(self, f: Facts) -> tuple[bool, list[dict]]:
        s, out, ok = self.spec, [], True

        def add(key: str, met: bool, vi: str, en: str, evidence: list[str]):
            nonlocal ok
            ok = ok and met
            out.append(
                {
                    "criterion": key,
                    "hard": True,
                    "met": met,
                    "label": vi,
                    "label_en": en,
                    "evidence": evidence,
                }
            )

        if s.sector:
            add("sector", s.sector in f.sectors, "Đúng ngành", "Sector", sorted(f.sectors))
        if s.provinces_required:
            add(
                "provinces_required",
                f.province_code in s.provinces_required,
                "Tỉnh/thành bắt buộc",
                "Required province",
                [f.province_code],
            )
        if s.min_employees:
            add(
                "min_employees",
                f.employees is not None and f.employees >= s.min_employees,
                f"Tối thiểu {s.min_employees} lao động",
                f"At least {s.min_employees} employees",
                [str(f.employees) if f.employees is not None else "?"],
            )
        for key in s.certifications_required:
            held = f.certs.get(key)
            valid = held is not None and (held[1] is None or held[1] >= self.today)
            add(
                "certification_required",
                valid,
                f"Chứng chỉ bắt buộc {key}",
                f"Required certificate {key}",
                [held[0] + (f" (→ {held[1].isoformat()})" if held[1] else "")] if held else [],
            )
        return ok, out

    def score(self, f: Facts, text_value: float) -> tuple[float, list[Criterion], float]:
        s, w, crit = self.spec, self.w, []
        profile = f.profile_tokens
        found = [t for ft, t in self.words if ft in profile]
        overlap = len(found) / len(self.words) if self.words else 0.0
        text_value = max(text_value, overlap)
        crit.append(Criterion("text", w["text"], text_value, text_value >= 0.5, found[:8]))
        if self.category:
            exact = [n for n, c in f.products if c == self.category]
            related = [n for n, c in f.products if c and _group_of(c) == self.group] if not exact else []
            value = 1.0 if exact else (0.4 if related else 0.0)
            note = (
                Msg("Nhóm sản phẩm suy ra từ tiêu đề", "Category inferred from the title")
                if self.category_inferred
                else None
            )
            weight = w["category"] * (0.5 if self.category_inferred else 1.0)
            crit.append(Criterion("category", weight, value, bool(exact), (exact or related)[:3], note))
        if self.process_forms:
            found = []
            texts = f.capability_texts
            for phrase, forms in self.process_forms:
                hit = _find(forms, texts) or (
                    _find(forms, [(f.description, f.description_tokens)]) and "…" + phrase + "… (mô tả)"
                )
                if hit:
                    found.append(f"{phrase} → {hit}" if hit != phrase else phrase)
            value = len(found) / len(self.process_forms)
            crit.append(Criterion("processes", w["processes"], value, value == 1.0, found))
        if self.material_forms:
            found = []
            texts = f.material_texts
            for phrase, forms in self.material_forms:
                hit = _find(forms, texts)
                if hit:
                    found.append(f"{phrase} → {hit[:80]}")
            value = len(found) / len(self.material_forms)
            crit.append(Criterion("materials", w["materials"], value, value == 1.0, found))
        if s.certifications_preferred:
            held = [
                f.certs[k][0]
                for k in s.certifications_preferred
                if k in f.certs and (f.certs[k][1] is None or f.certs[k][1] >= self.today)
            ]
            value = len(held) / len(s.certifications_preferred)
            crit.append(Criterion("certs_preferred", w["certs_preferred"], value, value == 1.0, held))
        if s.quantity:
            need = (
                3
                if s.quantity >= 1_000_000
                else 2
                if s.quantity >= 100_000
                else 1
                if s.quantity >= 5_000
                else 0
            )
            have = SIZE_RANK.get(f.size_class or "")
            if have is None:
                value = 0.3
            else:
                value = 1.0 if have >= need else 0.5 if have == need - 1 else 0.0
            ev = [f"{f.employees} lao động/employees" if f.employees is not None else "?"]
            if f.revenue is not None:
                ev.append(f"{f.revenue:g}".replace(".", ",") + " tỷ đồng/bn VND")
            crit.append(Criterion("capacity", w["capacity"], value, value == 1.0, ev))
        v = VERIFIED_VALUE.get(f.verification, 0.0)
        crit.append(Criterion("verified", w["verified"], v, v >= 0.7, [f.verification]))
        if s.provinces_preferred:
            if f.province_code in s.provinces_preferred:
                value = 1.0
            elif region_of(f.province_code) in self.preferred_regions:
                value = 0.5
            else:
                value = 0.0
            crit.append(Criterion("proximity", w["proximity"], value, value == 1.0, [f.province_code]))
        updated = f.updated_at if f.updated_at.tzinfo else f.updated_at.replace(tzinfo=UTC)
        months = max(0.0, (utcnow() - updated).days / 30.44)
        value = 1.0 if months <= 6 else max(0.0, 1 - (months - 6) / 30)
        crit.append(Criterion("freshness", w["freshness"], value, months <= 12, [updated.date().isoformat()]))
        total_w = sum(c.weight for c in crit)
        return sum(c.contribution for c in crit) / total_w if total_w else 0.0, crit, total_w


def _group_of(category: str | None) -> str | None:
    return _groups().get(category or "")


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    return {row["code"]: row["group_vi"] for row in product_categories()}


def match(
    session: Session,
    spec: RequirementSpec,
    *,
    limit: int = 20,
    weights: dict[str, float] | None = None,
    exclude: set[int] | None = None,
) -> list[Match]:
    scorer = Scorer(spec, weights)
    text_scores = _search_candidates(spec, scorer.category)
    ids = list(text_scores)
    # the category's members, more of them when the words found few
    few = len(ids) < 2 * max(limit, 20)
    more = CANDIDATES_FROM_CATEGORY if few else CANDIDATES_FROM_CATEGORY // 3
    for eid in _category_candidates(session, spec, scorer.category, more):
        if eid not in text_scores:
            ids.append(eid)
    if len(ids) < max(limit, 20):
        # Few hits for the words: widen to everyone who meets the hard constraints (scored on overlap).
        seen = set(ids)
        pool = session.scalars(
            select(Enterprise.id)
            .where(_hard_filter(spec))
            .order_by(verified_first(), Enterprise.id)
            .limit(FALLBACK_POOL)
        )
        ids += [i for i in pool if i not in seen]
    if exclude:
        ids = [i for i in ids if i not in exclude]
    return _scored(session, spec, scorer, ids, text_scores)[:limit]


def _scored(
    session: Session, spec: RequirementSpec, scorer: Scorer, ids: list[int], text_scores: dict[int, float]
) -> list[Match]:
    """Every firm in ``ids`` that meets the hard constraints, scored and ranked."""
    out = []
    for eid, f in load_facts(session, ids, spec).items():
        ok, constraints = scorer.constraints(f)
        if not ok:  # defence in depth: the SQL filter already dropped these
            continue
        score, crit, total_w = scorer.score(f, text_scores.get(eid, 0.0))
        out.append(
            Match(
                eid,
                f.tax_code or f"id-{eid}",
                f.tax_code,
                f.name,
                f.province_code,
                round(score, 4),
                crit,
                constraints,
                total_w,
            )
        )
    out.sort(key=lambda m: (-m.score, m.name, m.enterprise_id))
    return out


def rank_among(
    session: Session, spec: RequirementSpec, ids: list[int], *, weights: dict[str, float] | None = None
) -> list[Match]:
    """The given firms (an event's suppliers) scored against a requirement with the same constraints and
    criteria as :func:`match`; firms breaking a hard constraint are left out."""
    scorer = Scorer(spec, weights)
    return _scored(session, spec, scorer, ids, _search_candidates(spec, scorer.category))


def opportunities(
    session: Session,
    enterprise_id: int,
    requirements: list,
    *,
    limit: int = 20,
    weights: dict[str, float] | None = None,
) -> list[tuple[object, Match]]:
    """Open requirements this enterprise can serve (hard constraints met), best fit first. The text
    criterion is the share of the requirement's words found in the profile (no search round trip)."""
    facts = load_facts(session, [enterprise_id]).get(enterprise_id)
    if facts is None:
        return []
    out = []
    for req in requirements:
        spec = RequirementSpec.from_requirement(req)
        scorer = Scorer(spec, weights)
        ok, constraints = scorer.constraints(facts)
        if not ok:
            continue
        score, crit, total_w = scorer.score(facts, 0.0)
        out.append(
            (
                req,
                Match(
                    enterprise_id,
                    facts.tax_code or f"id-{enterprise_id}",
                    facts.tax_code,
                    facts.name,
                    facts.province_code,
                    round(score, 4),
                    crit,
                    constraints,
                    total_w,
                ),
            )
        )
    out.sort(key=lambda x: (-x[1].score, x[0].id))
    return out[:limit]
