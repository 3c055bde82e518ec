"""Search and suggest arguments as clients send them; the filters they become."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from cnht.enterprises.fields import OwnershipField, ownership_values
from cnht.enterprises.rules import SIZE_CLASSES, normalize_certification
from cnht.i18n import Msg
from cnht.reference import province_values, resolve_filter_args, sector_values
from cnht.search.services import SearchRequest
from vnsearch.backends.base import Filters

_TRUE = {"1", "true", "yes", "co", "có"}
_FALSE = {"0", "false", "no", "khong", "không"}


class SearchArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(
        load_default="",
        validate=validate.Length(
            max=200,
            error=Msg("Câu tìm kiếm quá dài (tối đa 200 ký tự)", "Query too long (at most 200 characters)"),
        ),
    )
    sector = fields.String(
        metadata={
            "description": "code (mechanical, electronics, textile, leather_footwear, …) or its label; "
            "also without diacritics",
            "enum": ["", *sector_values()],
        }
    )
    province = fields.String(
        metadata={
            "description": "name (current or former; also without diacritics) or 2025 code",
            "enum": ["", *province_values()],
        }
    )
    certification = fields.String(
        metadata={"description": "e.g. ISO 9001 (any spelling: ISO9001, iso 9001:2015)"}
    )
    ownership = OwnershipField(metadata={"type": "string", "enum": ["", *ownership_values()]})
    size = fields.String(validate=validate.OneOf(SIZE_CLASSES))
    verified = fields.String(
        metadata={
            "description": "true: documents checked or staff-assessed; false: the others",
            "enum": ["", *sorted(_TRUE | _FALSE)],
        }
    )
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=500, error=Msg("Trang từ 1 đến 500", "Page between 1 and 500")),
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100, error=Msg("Từ 1 đến 100", "Between 1 and 100")),
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(
            ("relevance", "name", "verified"),
            error=Msg("Sắp xếp: relevance, name hoặc verified", "Sort: relevance, name or verified"),
        ),
        metadata={"description": "relevance (default), name (A–Z) or verified (verified suppliers first)"},
    )

    literal = fields.Boolean(
        load_default=False,
        truthy={"1", "true", "yes"},
        falsy={"0", "false", "no"},
        metadata={
            "description": "true: search the words exactly as typed, without query understanding"
            " (no boilerplate left out, no place taken as a province preference)"
        },
    )

    @post_load
    def _filters(self, data, **_):
        f = Filters()
        f.sector, f.province, errors = resolve_filter_args(data.get("sector"), data.get("province"))
        if data.get("certification"):
            f.certification = normalize_certification(data["certification"])
        f.ownership = data.get("ownership")
        f.size = data.get("size")
        if data.get("verified"):
            # Exact values only: the OpenAPI enum is what clients are promised, so "True" is refused too.
            v = data["verified"]
            if v in _TRUE:
                f.verified = True
            elif v in _FALSE:
                f.verified = False
            else:
                errors["verified"] = [Msg("Dùng true hoặc false", "Use true or false")]
        if errors:
            raise ValidationError(errors)
        return SearchRequest(
            q=data["q"],
            filters=f,
            page=data["page"],
            per_page=data["per_page"],
            sort=data["sort"],
            literal=data["literal"],
        )


class SuggestArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))
