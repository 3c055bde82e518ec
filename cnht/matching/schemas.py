"""Input and output of requirements and matches (validated at the edge, bilingual messages)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from cnht.enterprises.fields import StrList, Text, VNDecimal, VNInteger
from cnht.enterprises.rules import normalize_certification
from cnht.i18n import Msg
from cnht.matching.models import BUYER_SHOWN, REQUIREMENT_STATUSES, STAGES, VISIBILITIES
from cnht.reference import (
    category_values,
    product_categories,
    province_values,
    resolve_province,
    resolve_sector,
    sector_values,
)
from vnsearch.understand import Quantity, parse_quantity


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


def _resolve_provinces(items: list[str], field: str) -> list[str]:
    codes, unknown = [], []
    for item in items:
        m = resolve_province(item)
        if m is None:
            unknown.append(item)
        elif m.code not in codes:
            codes.append(m.code)
    if unknown:
        raise ValidationError(
            Msg("Không nhận ra tỉnh/thành phố: {v}", "Unknown province: {v}", v=", ".join(unknown))
        )
    return codes


class ProvinceCodes(StrList):
    """Province names (current or former, any spelling) or codes → 2025 codes."""

    def __init__(self, *args, **kwargs):
        # "" too: a blank item is dropped (a form's empty row), as the list's own description says
        super().__init__(*args, items={"enum": [*province_values(), ""]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return _resolve_provinces(super()._deserialize(value, attr, data, **kwargs), attr)


class SectorCode(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        code = resolve_sector(text)
        if code is None:
            raise ValidationError(Msg("Ngành không hợp lệ: {v}", "Unknown sector: {v}", v=text))
        return code


class CategoryCode(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        if text not in {r["code"] for r in product_categories()}:
            raise ValidationError(
                Msg(
                    "Mã nhóm sản phẩm không có trong danh mục: {v}",
                    "Not a taxonomy category code: {v}",
                    v=text,
                )
            )
        return text


class CertKeys(StrList):
    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(normalize_certification(c) for c in items))


PERIOD_LABELS = {
    "month": "mỗi tháng",
    "year": "mỗi năm",
    "week": "mỗi tuần",
    "day": "mỗi ngày",
    "order": "mỗi đợt",
    "quarter": "mỗi quý",
}


class QuantityField(fields.Field):
    """A quantity as buyers write it: 20000, "20.000", "20.000 kg/đợt", "10.000 bộ/tháng",
    "5k pcs/month". Loads to a Quantity (number, unit and frequency kept)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > 80:
            raise ValidationError(
                Msg("Số lượng quá dài (tối đa 80 ký tự)", "Quantity too long (at most 80 characters)")
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValidationError(Msg("Số lượng không hợp lệ", "Not a quantity"))
        if isinstance(value, int | float):
            if value != value or value in (float("inf"), float("-inf")) or value != int(value):
                raise ValidationError(
                    Msg("Số lượng phải là số nguyên", "The quantity must be a whole number")
                )
            q = Quantity(int(value), None, None, str(int(value)))
        elif isinstance(value, str) and len(value) <= 80:
            q = parse_quantity(value)
            if q is None:
                raise ValidationError(
                    Msg(
                        "Không đọc được số lượng '{v}' (ví dụ: 20.000 kg/đợt, 10.000 bộ/tháng)",
                        "Cannot read the quantity '{v}' (e.g. 20,000 kg/order, 5k pcs/month)",
                        v=value,
                    )
                )
        else:
            raise ValidationError(Msg("Số lượng không hợp lệ", "Not a quantity"))
        if q.value < 0 or q.value > MAX_QUANTITY:
            raise ValidationError(Msg("Số lượng ngoài khoảng cho phép", "Quantity out of range"))
        return q


MAX_QUANTITY = 10**12


class MatchIn(_Base):
    """A requirement as the matching engine reads it (also the body of POST /api/v1/match)."""

    title = Text(
        required=True,
        max_length=255,
        validate=validate.Length(
            min=3, error=Msg("Tiêu đề cần ít nhất 3 ký tự", "The title needs at least 3 characters")
        ),
        # three characters that are not blank or control characters (those are dropped)
        metadata={"pattern": "^(?:.*[^\\s\\x00-\\x1f\\x7f-\\x9f]){3}"},
    )
    description = Text(load_default=None, max_length=5000)
    sector = SectorCode(
        load_default=None,
        allow_none=True,
        # "" is none, as a form's "any sector" sends it
        metadata={
            "description": "code or label (also without diacritics); empty: any",
            "enum": [*sector_values(), "", None],
        },
    )
    category = CategoryCode(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "taxonomy code; empty: from the title",
            "enum": [*category_values(), "", None],
        },
    )
    processes = StrList(json_lists=True)
    materials = StrList(json_lists=True)
    certifications_required = CertKeys(json_lists=True)
    certifications_preferred = CertKeys(json_lists=True)
    provinces_required = ProvinceCodes(json_lists=True)
    provinces_preferred = ProvinceCodes(json_lists=True)
    min_employees = VNInteger(
        load_default=None,
        allow_none=True,
        max_value=1_000_000,
        metadata={
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                {"type": "string", "pattern": r"^ *(?:\d{1,3}(?:[.,]\d{3})?|\d{1,6}|1[.,]?000[.,]?000)? *$"},
                {"type": "null"},
            ]
        },
    )
    quantity = QuantityField(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "a number, or as buyers write it: '20.000 kg/đợt', '10.000 bộ/tháng', '5k pcs/month'",
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 10**12},
                {"type": "string", "maxLength": 80, "pattern": r"^\s*$|[0-9]"},
                {"type": "null"},
            ],
        },
    )

    @post_load
    def _quantity(self, data, **_):
        """The number goes to ``quantity``; the unit and frequency it was written with are kept
        (``quantity_unit``, ``frequency``) unless the request gives them itself."""
        q = data.get("quantity")
        if isinstance(q, Quantity):
            data["quantity"] = q.value
            data["quantity_parsed"] = q
            if q.unit_text and not data.get("quantity_unit"):
                data["quantity_unit"] = q.unit_text
            if q.per and not data.get("frequency"):
                data["frequency"] = PERIOD_LABELS[q.per]
        return data


class RequirementIn(MatchIn):
    specifications = Text(load_default=None, max_length=2000)
    quantity_unit = Text(load_default=None, max_length=40)
    frequency = Text(load_default=None, max_length=80)
    target_price = Text(load_default=None, max_length=120)
    deadline = fields.Date(load_default=None, allow_none=True)
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    buyer_name = Text(load_default=None, max_length=255)
    buyer_shown = fields.String(
        load_default="name",
        validate=validate.OneOf(BUYER_SHOWN),
        metadata={"description": "name: the organisation; fdi: 'FDI firm (anonymous)'; anonymous: no name"},
    )


class RequirementPatch(RequirementIn):
    """Partial update: only the fields sent change."""

    title = Text(
        max_length=255,
        validate=validate.Length(min=3),
        metadata={"pattern": "^(?:.*[^\\s\\x00-\\x1f\\x7f-\\x9f]){3}"},
    )
    status = fields.String(validate=validate.OneOf(REQUIREMENT_STATUSES))

    def load(self, data, **kw):
        return super().load(data, partial=True, **kw)

    @validates_schema
    def _title_kept(self, data, **_kw):
        # sent, but blank once control characters and spaces are dropped: a requirement keeps a title
        if "title" in data and data["title"] is None:
            raise ValidationError(
                {"title": [Msg("Tiêu đề không được để trống", "The title must not be empty")]}
            )


class ExplanationItem(Schema):
    criterion = fields.String()
    hard = fields.Boolean()
    met = fields.Boolean()
    label = fields.String()
    label_en = fields.String()
    value = fields.Float()
    weight = fields.Float()
    contribution = fields.Float()
    evidence = fields.List(fields.String())
    note = fields.String()
    note_en = fields.String()


class MatchOut(Schema):
    ref = fields.String()
    tax_code = fields.String(allow_none=True)
    name = fields.String()
    province = fields.String()
    score = fields.Float()
    explanation = fields.List(fields.Nested(ExplanationItem))


class QuantityOut(Schema):
    value = fields.Integer()
    unit = fields.String(
        allow_none=True, metadata={"description": "kg, t, pcs, set, pair, m, m2, roll, sheet, l"}
    )
    per = fields.String(allow_none=True, metadata={"description": "month, year, week, day, order, quarter"})
    text = fields.String()


class MatchListOut(Schema):
    items = fields.List(fields.Nested(MatchOut))
    quantity = fields.Nested(
        QuantityOut, allow_none=True, metadata={"description": "the quantity as understood"}
    )


class RequirementOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    sector = fields.String(attribute="sector_code", allow_none=True)
    category = fields.String(attribute="category_code", allow_none=True)
    processes = fields.List(fields.String())
    materials = fields.List(fields.String())
    specifications = fields.String(allow_none=True)
    quantity = fields.Integer(allow_none=True)
    quantity_unit = fields.String(allow_none=True)
    frequency = fields.String(allow_none=True)
    certifications_required = fields.List(fields.String())
    certifications_preferred = fields.List(fields.String())
    provinces_required = fields.List(fields.String())
    provinces_preferred = fields.List(fields.String())
    min_employees = fields.Integer(allow_none=True)
    target_price = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    visibility = fields.String()
    status = fields.String()
    # the organisation as this caller may see it (the buyer's choice); who posted it is never shown
    buyer_name = fields.Function(lambda r: getattr(r, "shown_buyer", r.public_buyer), allow_none=True)
    buyer_shown = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class OpportunityOut(Schema):
    requirement = fields.Nested(RequirementOut)
    score = fields.Float()
    explanation = fields.List(fields.Nested(ExplanationItem))


class ConnectionIn(_Base):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    contract_value_mvnd = VNDecimal(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "million VND, as a number or as written ('1.250,5')",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 10**13 - 1},
                {"type": "string", "pattern": r"^ *[0-9]{1,3}(?:\.[0-9]{3}){0,2}(?:,[0-9]{1,2})? *$"},
                {"type": "null"},
            ],
        },
    )
    contract_signed_on = fields.Date(load_default=None, allow_none=True)
    note = Text(load_default=None, max_length=2000)


class ConnectionForm(ConnectionIn):
    """The page's form also carries the match score shown beside the supplier."""

    score = fields.Float(load_default=None, allow_none=True)


class RequirementStatusIn(_Base):
    status = fields.String(required=True, validate=validate.OneOf(REQUIREMENT_STATUSES))


class ConnectionOut(Schema):
    id = fields.Integer()
    requirement_id = fields.Integer()
    enterprise_ref = fields.Function(lambda c: c.enterprise.ref)
    enterprise_name = fields.Function(lambda c: c.enterprise.name)
    stage = fields.String()
    initiated_by = fields.String()
    score = fields.Float(allow_none=True)
    contract_value_mvnd = fields.Decimal(allow_none=True, as_string=True)
    contract_signed_on = fields.Date(allow_none=True)
    contract_confirmed = fields.Boolean(
        metadata={"description": "counted in the programme figures: confirmed by the supplier or by staff"}
    )
    note = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
