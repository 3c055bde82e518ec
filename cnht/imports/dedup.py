"""Likely-duplicate detection for imported rows that carry no tax code.

Company names are compared after normalisation: folded (no diacritics, lower case), legal forms
stripped (Công ty TNHH, Cổ phần, MTV, DNTN, JSC, Co., Ltd…), the usual abbreviations expanded
(SX → sản xuất, TM → thương mại…), punctuation dropped. Candidates are enterprises of the same
province whose normalised name scores ≥ ``THRESHOLD`` with rapidfuzz. Nothing is merged silently:
a row with candidates goes to the staff review queue, and each staff decision (same firm / not the
same firm) is remembered per (normalised name, province, enterprise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.enterprises.models import Enterprise
from cnht.imports.models import DuplicateDecision, DuplicateReview
from vnsearch.analysis import fold

THRESHOLD = 88.0
MAX_CANDIDATES = 3

# Multi-word legal forms first (longest match wins), on folded text.
_LEGAL = [
    "cong ty trach nhiem huu han mot thanh vien",
    "cong ty trach nhiem huu han hai thanh vien tro len",
    "cong ty trach nhiem huu han",
    "trach nhiem huu han",
    "cong ty co phan",
    "co phan",
    "cong ty hop danh",
    "doanh nghiep tu nhan",
    "mot thanh vien",
    "hai thanh vien tro len",
    "hai thanh vien",
    "cong ty",
    "joint stock company",
    "joint-stock company",
    "company limited",
    "limited liability company",
    "co ltd",
    "corporation",
    "company",
    "limited",
    "corp",
    "inc",
    "llc",
    "jsc",
    "ltd",
    "tnhh mtv",
    "tnhh",
    "cty",
    "cp",
    "mtv",
    "dntn",
    "plc",
]
_LEGAL_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(x) for x in sorted(_LEGAL, key=len, reverse=True)) + r")\b"
)
_ABBREV = {
    "sx": "san xuat",
    "tm": "thuong mai",
    "dv": "dich vu",
    "xnk": "xuat nhap khau",
    "xd": "xay dung",
    "kt": "ky thuat",
    "ck": "co khi",
    "dt": "dau tu",
    "vn": "viet nam",
    "vietnam": "viet nam",
    "tmdv": "thuong mai dich vu",
    "sxtm": "san xuat thuong mai",
}
_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[^\w\s]+")


def name_key(name: str) -> str:
    """'CÔNG TY TNHH SX-TM Cơ khí Minh Phát' → 'san xuat thuong mai co khi minh phat'."""
    text = fold(name or "").lower()
    text = text.replace("co.,ltd", " ").replace("co., ltd", " ").replace("co.ltd", " ")
    text = _PUNCT.sub(" ", text)
    text = _LEGAL_RE.sub(" ", text)
    words = [_ABBREV.get(w, w) for w in text.split()]
    return " ".join(" ".join(words).split())


def similarity(a: str, b: str) -> float:
    """Name-key similarity 0–100: word order free; a name contained in the other counts when it has
    at least two words of its own (so 'minh phat' ≈ 'co khi minh phat', 'viet' ≉ 'viet tien')."""
    if not a or not b:
        return 0.0
    if _DIGITS.findall(a) != _DIGITS.findall(b):  # 'Cơ khí số 1' and 'Cơ khí số 2' are two firms
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    shorter = min(a, b, key=len)
    if len(shorter.split()) >= 2:
        score = max(score, fuzz.token_set_ratio(a, b) * 0.97)
    return float(score)


@dataclass
class Resolution:
    action: str  # "update" | "create" | "review"
    enterprise: Enterprise | None = None
    candidates: list[tuple[Enterprise, float]] | None = None
    reason: str = ""


class Deduplicator:
    """Caches the normalised names of each province's enterprises for the length of one import."""

    def __init__(self, session: Session):
        self.session = session
        self._keys: dict[str, dict[int, str]] = {}  # province → {enterprise id: name key}
        self._untaxed: dict[str, dict[str, int]] = {}  # province → {name key: id} of firms without tax code
        self._postings: dict[str, dict[str, set[int]]] = {}  # province → {word: ids whose key has it}

    def _load(self, province: str) -> dict[int, str]:
        keys = self._keys.get(province)
        if keys is None:
            rows = self.session.execute(
                select(Enterprise.id, Enterprise.name, Enterprise.tax_code).where(
                    Enterprise.province_code == province, Enterprise.deleted_at.is_(None)
                )
            ).all()
            keys = {i: name_key(n) for i, n, _tc in rows}
            self._keys[province] = keys
            self._untaxed[province] = {keys[i]: i for i, _n, tc in rows if tc is None}
            postings: dict[str, set[int]] = {}
            for i, k in keys.items():
                for w in set(k.split()):
                    postings.setdefault(w, set()).add(i)
            self._postings[province] = postings
        return keys

    def _block(self, key: str, province: str, keys: dict[int, str]) -> dict[int, str]:
        """The firms worth comparing: those sharing one of the key's three rarest words (a likely
        duplicate shares most of its words); everyone when the province is small."""
        if len(keys) <= 300:
            return keys
        postings = self._postings[province]
        words = sorted(set(key.split()), key=lambda w: len(postings.get(w, ())))
        ids: set[int] = set()
        for w in words[:3]:
            ids |= postings.get(w, set())
        return {i: keys[i] for i in ids}

    def reset(self) -> None:
        """Forget cached names (after a batch of new enterprises was written)."""
        self._keys.clear()
        self._untaxed.clear()
        self._postings.clear()

    def remember_new(self, ent_id: int, name: str, province: str, tax_code: str | None) -> None:
        key = name_key(name)
        self._load(province)[ent_id] = key
        for w in set(key.split()):
            self._postings[province].setdefault(w, set()).add(ent_id)
        if tax_code is None:
            self._untaxed[province][key] = ent_id

    def resolve(self, name: str, province: str) -> Resolution:
        key = name_key(name)
        keys = self._load(province)
        # A firm without a tax code is identified by its normalised name and province: the same list
        # imported again updates it instead of asking again.
        same = self._untaxed[province].get(key)
        if same is not None:
            return Resolution("update", self.session.get(Enterprise, same), reason="same_untaxed")
        decisions = {
            d.enterprise_id: d.same
            for d in self.session.scalars(
                select(DuplicateDecision).where(
                    DuplicateDecision.name_key == key, DuplicateDecision.province_code == province
                )
            )
        }
        for ent_id, is_same in decisions.items():
            if is_same:
                ent = self.session.get(Enterprise, ent_id)
                if ent is not None and ent.deleted_at is None:
                    return Resolution("update", ent, reason="decided_same")
        # rapidfuzz's token-set ratio (C speed) bounds our similarity from above: it preselects, then
        # the exact rule (digits, short names) decides.
        pre = process.extract(
            key,
            self._block(key, province, keys),
            scorer=fuzz.token_set_ratio,
            score_cutoff=THRESHOLD,
            limit=50,
        )
        scored = sorted(
            ((similarity(key, k), ent_id) for k, _s, ent_id in pre if decisions.get(ent_id) is not False),
            reverse=True,
        )
        found = [(sc, ent_id) for sc, ent_id in scored if sc >= THRESHOLD][:MAX_CANDIDATES]
        if not found:
            return Resolution("create")
        cands = [(self.session.get(Enterprise, ent_id), sc) for sc, ent_id in found]
        return Resolution("review", candidates=[(e, sc) for e, sc in cands if e is not None])


def queue_for_review(
    session: Session,
    *,
    source: str,
    row_number: int,
    record: dict,
    name: str,
    province: str,
    candidates: list[tuple[Enterprise, float]],
) -> int:
    """Add (or refresh) review items for a row; re-importing the same row does not duplicate them."""
    key = name_key(name)
    pending = {
        r.candidate_id: r
        for r in session.scalars(
            select(DuplicateReview).where(
                DuplicateReview.name_key == key,
                DuplicateReview.province_code == province,
                DuplicateReview.status == "pending",
            )
        )
    }
    for ent, score in candidates:
        item = pending.get(ent.id)
        if item is None:
            session.add(
                DuplicateReview(
                    source=source,
                    row_number=row_number,
                    row_data=record,
                    name=name,
                    name_key=key,
                    province_code=province,
                    candidate_id=ent.id,
                    score=round(score, 1),
                )
            )
        else:
            item.source, item.row_number, item.row_data, item.score = (
                source,
                row_number,
                record,
                round(score, 1),
            )
    return len(candidates)
