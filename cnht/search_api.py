"""GET /api/v1/search and /api/v1/suggest."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from cnht.enterprises.fields import OwnershipField
from cnht.enterprises.rules import SIZE_CLASSES, normalize_certification
from cnht.i18n import bi
from cnht.reference import resolve_filter_args, sector_label
from cnht.searching import SearchRequest, get_backend, run_search
from search.backends.base import Filters, SearchResult

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Tìm kiếm / Search")

_TRUE = {"1", "true", "yes", "co", "có"}
_FALSE = {"0", "false", "no", "khong", "không"}


class SearchArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=200, error=bi(
        "Câu tìm kiếm quá dài (tối đa 200 ký tự)", "Query too long (at most 200 characters)")))
    sector = fields.String(metadata={"description": "code (mechanical, electronics, textile, leather_footwear, …) "
                                                    "or Vietnamese label"})
    province = fields.String(metadata={"description": "name with or without diacritics (current or former), "
                                                      "or 2025 code"})
    certification = fields.String(metadata={"description": "e.g. ISO 9001 (any spelling: ISO9001, iso 9001:2015)"})
    ownership = OwnershipField()
    size = fields.String(validate=validate.OneOf(SIZE_CLASSES))
    verified = fields.String(metadata={"description": "true: documents checked or staff-assessed"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500, error=bi(
        "Trang từ 1 đến 500", "Page between 1 and 500")))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100, error=bi(
        "Từ 1 đến 100", "Between 1 and 100")))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(
        ("relevance", "name", "verified"), error=bi("Sắp xếp: relevance, name hoặc verified",
                                                    "Sort: relevance, name or verified")),
        metadata={"description": "relevance (default), name (A–Z) or verified (verified suppliers first)"})

    @post_load
    def _filters(self, data, **_):
        f = Filters()
        f.sector, f.province, errors = resolve_filter_args(data.get("sector"), data.get("province"))
        if data.get("certification"):
            f.certification = normalize_certification(data["certification"])
        f.ownership = data.get("ownership")
        f.size = data.get("size")
        if data.get("verified"):
            v = data["verified"].strip().lower()
            if v in _TRUE:
                f.verified = True
            elif v in _FALSE:
                f.verified = False
            else:
                errors["verified"] = [bi("Dùng true hoặc false", "Use true or false")]
        if errors:
            raise ValidationError(errors)
        return SearchRequest(q=data["q"], filters=f, page=data["page"], per_page=data["per_page"], sort=data["sort"])


class SuggestArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


# how certification keys are usually written (keys are upper-cased for comparison)
CERT_DISPLAY = {"ROHS": "RoHS", "OEKO-TEX STANDARD 100": "OEKO-TEX Standard 100", "GLOBALG.A.P": "GlobalG.A.P"}


def facet_label(facet: str, value: str, lang: str = "vi") -> str:
    from cnht.enterprises.rules import SIZE_LABELS
    from cnht.reference import provinces

    if facet == "sector":
        return sector_label(value, lang)
    if facet == "province":
        for row in provinces():
            if row["new_code"] == value:
                return row["new_name"]
    if facet == "size":
        msg = SIZE_LABELS.get(value)
        return (msg.vi if lang == "vi" else msg.en) if msg else value
    if facet == "ownership":
        from cnht.web import OWNERSHIP_LABELS

        msg = OWNERSHIP_LABELS.get(value)
        return (msg.vi if lang == "vi" else msg.en) if msg else value
    if facet == "certification":
        return CERT_DISPLAY.get(value, value)
    if facet == "verified":
        labels = {"true": ("Đã xác minh", "Verified"), "false": ("Chưa xác minh", "Not verified")}[value]
        return labels[0] if lang == "vi" else labels[1]
    return value


def result_json(result: SearchResult) -> dict:
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": [{
            "ref": h.tax_code,
            "tax_code": None if h.tax_code.startswith("id-") else h.tax_code,
            "name": h.name,
            "name_en": h.name_en,
            "province": {"code": h.province_code, "name": h.province_name},
            "sectors": h.sectors,
            "verification": h.verification,
            "score": round(h.score, 4),
            "highlights": h.highlights,
        } for h in result.hits],
        "facets": {facet: [{"value": v, "label": facet_label(facet, v), "count": n} for v, n in pairs]
                   for facet, pairs in result.facets.items()},
        "did_you_mean": result.did_you_mean,
        "relaxed": result.relaxed,
        "ignored_words": result.dropped,
    }


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query", as_kwargs=False)
    @blp.response(200)
    def get(self, req: SearchRequest):
        """Tìm doanh nghiệp / Search enterprises (Vietnamese or English, with or without diacritics)

        Returns `{"total", "page", "per_page", "items": [{"tax_code", "name", "name_en", "province",
        "sectors", "score", "highlights"}], "facets": {...}, "did_you_mean"}`. An empty `q` with filters
        browses.
        """
        return result_json(run_search(req))


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.arguments(SuggestArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """Gợi ý khi gõ / Autocomplete enterprise names, products and categories"""
        items = get_backend().suggest(args["q"], limit=args["limit"])
        return {"items": [{"text": s.text, "kind": s.kind, "ref": s.tax_code,
                           "tax_code": s.tax_code if s.tax_code and not s.tax_code.startswith("id-") else None} for s in items]}
