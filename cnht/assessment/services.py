"""Scoring and grading of capability assessments; the enterprise's verification level follows."""

from __future__ import annotations

import calendar
import json
from datetime import date
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.assessment.models import Assessment
from cnht.db import utcnow
from cnht.enterprises.models import Enterprise
from cnht.i18n import Msg

FRAMEWORK = "qd1358-2023"


class AssessmentError(ValueError):
    def __init__(self, errors: dict[str, Msg]):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors


@lru_cache(maxsize=4)
def framework(fid: str = FRAMEWORK) -> dict:
    text = resources.files("cnht.assessment").joinpath("data", f"{fid}.json").read_text("utf-8")
    return json.loads(text)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def grade_of(scores: dict[str, dict], fid: str = FRAMEWORK) -> tuple[int, str]:
    fw = framework(fid)
    values = [int(scores[c["code"]]["score"]) for c in fw["criteria"]]
    total, ones = sum(values), values.count(1)
    for g in fw["grades"]:
        if total >= g["min_total"] and ones <= g["max_ones"]:
            return total, g["grade"]
    return total, fw["grades"][-1]["grade"]


def validate_scores(form: dict, fid: str = FRAMEWORK) -> dict[str, dict]:
    """Form fields score_<code> (1–3) and evidence_<code> → scores; every criterion needs a score, and
    evidence for any score above 1."""
    fw = framework(fid)
    scores, errors = {}, {}
    for c in fw["criteria"]:
        raw = (form.get(f"score_{c['code']}") or "").strip()
        evidence = (form.get(f"evidence_{c['code']}") or "").strip()[:2000]
        if raw not in ("1", "2", "3"):
            errors[c["code"]] = Msg(f"{c['vi']}: chọn điểm 1, 2 hoặc 3", f"{c['en']}: choose 1, 2 or 3")
            continue
        if raw != "1" and not evidence:
            errors[c["code"]] = Msg(
                f"{c['vi']}: cần ghi bằng chứng cho điểm {raw}",
                f"{c['en']}: evidence is needed for a score of {raw}",
            )
            continue
        scores[c["code"]] = {"score": int(raw), "evidence": evidence}
    if errors:
        raise AssessmentError(errors)
    return scores


def record(
    session: Session,
    ent: Enterprise,
    scores: dict[str, dict],
    *,
    assessor_id: int | None,
    assessed_on: date | None = None,
    notes: str | None = None,
    letter_no: str | None = None,
    fid: str = FRAMEWORK,
) -> Assessment:
    """Store an assessment; the enterprise becomes 'staff_assessed' (audited like any change)."""
    assessed_on = assessed_on or utcnow().date()
    total, grade = grade_of(scores, fid)
    a = Assessment(
        enterprise_id=ent.id,
        assessor_id=assessor_id,
        framework=fid,
        assessed_on=assessed_on,
        valid_until=add_months(assessed_on, framework(fid)["validity_months"]),
        scores=scores,
        total=total,
        grade=grade,
        notes=notes,
        letter_no=letter_no,
    )
    session.add(a)
    if ent.verification_status != "staff_assessed":
        ent.verification_status = "staff_assessed"
    ent.verified_at = utcnow()
    session.flush()
    return a


def current_assessment(session: Session, ent_id: int) -> Assessment | None:
    today = utcnow().date()
    return session.scalar(
        select(Assessment)
        .where(
            Assessment.enterprise_id == ent_id,
            Assessment.revoked_at.is_(None),
            Assessment.valid_until >= today,
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    )


def current_assessments(session: Session, ent_ids: list[int]) -> dict[int, Assessment]:
    """``current_assessment`` for many firms in one query (a page of supplier cards)."""
    if not ent_ids:
        return {}
    today = utcnow().date()
    rows = session.scalars(
        select(Assessment)
        .where(
            Assessment.enterprise_id.in_(ent_ids),
            Assessment.revoked_at.is_(None),
            Assessment.valid_until >= today,
        )
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    )
    out: dict[int, Assessment] = {}
    for a in rows:
        out.setdefault(a.enterprise_id, a)  # the first is the newest, as current_assessment picks
    return out


def set_verification(ent: Enterprise, level: str) -> None:
    """Documents checked / self-declared levels set by staff (staff-assessed comes from ``record``)."""
    if ent.verification_status != level:
        ent.verification_status = level
        ent.verified_at = utcnow() if level in ("documents_checked", "staff_assessed") else None


def set_verification_bulk(session: Session, ids: list[int], level: str) -> int:
    """Staff set one level on many profiles (the dashboard's bulk action); returns how many."""
    ents = list(session.scalars(select(Enterprise).where(Enterprise.id.in_(ids))))
    for ent in ents:
        set_verification(ent, level)
    return len(ents)


def revoke(session: Session, a: Assessment) -> bool:
    """Withdraw a confirmation (the public verification page then says so); the firm drops back to
    'documents checked' unless another assessment is still current. False if already withdrawn."""
    if a.revoked_at is not None:
        return False
    a.revoked_at = utcnow()
    session.flush()
    if current_assessment(session, a.enterprise_id) is None:
        set_verification(a.enterprise, "documents_checked")
    return True


def by_token(session: Session, token: str) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.public_token == token))
