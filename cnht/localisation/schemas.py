"""Input of localisation surveys, validated at the edge (bilingual messages)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from cnht.enterprises.fields import Text, VNDecimal
from cnht.i18n import Msg
from cnht.localisation.formulas import ORIGINS
from cnht.localisation.models import CAMPAIGN_STATUSES, METRICS, TARGET_KINDS, WHY_NOT_LOCAL
from cnht.reference import resolve_province, resolve_sector


def _one_of(values, vi: str, en: str):
    return validate.OneOf(values, error=Msg(f"{vi}: {', '.join(values)}", f"{en}: {', '.join(values)}"))


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class _Codes(fields.Field):
    """A list (JSON) or ';'-separated text (form) of sectors or provinces, resolved to codes."""

    def __init__(self, kind: str, **kw):
        super().__init__(metadata={"type": "array", "items": {"type": "string"}}, **kw)
        self.kind = kind

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [x for x in str(value or "").split(";")]
        out, bad = [], []
        for item in (str(x).strip() for x in items):
            if not item:
                continue
            code = (
                resolve_sector(item)
                if self.kind == "sector"
                else getattr(resolve_province(item), "code", None)
            )
            if code is None:
                bad.append(item)
            elif code not in out:
                out.append(code)
        if bad:
            raise ValidationError(Msg("Không nhận ra: {v}", "Not recognised: {v}", v=", ".join(bad)))
        return out


class CampaignIn(_Base):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    name = Text(required=True, max_length=255, metadata={"pattern": "[^\\s\\x00-\\x1f\\x7f-\\x9f]"})
    basis = fields.String(load_default="fob", validate=_one_of(("fob", "exw"), "Cơ sở giá", "Basis"))
    deadline = fields.Date(allow_none=True)
    sectors = _Codes("sector", load_default=list)
    provinces = _Codes("province", load_default=list)
    status = fields.String(validate=_one_of(CAMPAIGN_STATUSES, "Trạng thái", "Status"))
    reminder_days = fields.Integer(validate=validate.Range(1, 60))


class InputIn(_Base):
    name = Text(required=True, max_length=255, metadata={"pattern": "[^\\s\\x00-\\x1f\\x7f-\\x9f]"})
    value = VNDecimal(required=True, metadata={"description": "million VND; CIF for imports"})
    origin = fields.String(load_default="undetermined", validate=_one_of(ORIGINS, "Xuất xứ", "Origin"))
    supplier_tax_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    hs6 = fields.String(
        allow_none=True, validate=validate.Regexp(r"^\d{6}$", error=Msg("HS 6 số", "HS: 6 digits"))
    )
    category_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    declared = fields.Boolean(load_default=False)
    why_not_local = fields.String(allow_none=True, validate=_one_of(WHY_NOT_LOCAL, "Lý do", "Reason"))


class ProductIn(_Base):
    name = Text(required=True, max_length=255, metadata={"pattern": "[^\\s\\x00-\\x1f\\x7f-\\x9f]"})
    hs_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\d{4,10}$", error=Msg("Mã HS 4–10 số", "HS code: 4–10 digits")),
    )
    vsic_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\d{1,5}$", error=Msg("Mã VSIC tới 5 số", "VSIC: up to 5 digits")),
    )
    output_qty = VNDecimal(allow_none=True)
    unit = Text(allow_none=True, max_length=40)
    ex_works = VNDecimal(allow_none=True, metadata={"description": "giá xuất xưởng, million VND"})
    fob = VNDecimal(allow_none=True)
    other_costs = VNDecimal(allow_none=True)
    labour = VNDecimal(allow_none=True)
    overhead = VNDecimal(allow_none=True)
    profit = VNDecimal(allow_none=True, min_value=None)
    inputs = fields.List(fields.Nested(InputIn), load_default=list, validate=validate.Length(max=500))

    @validates_schema
    def _value(self, data, **_):
        if data.get("fob") is None and data.get("ex_works") is None:
            raise ValidationError(
                Msg("Cần trị giá FOB hoặc giá xuất xưởng", "FOB or ex-works value needed"), "fob"
            )


class ReturnIn(_Base):
    method = fields.String(
        load_default=None,
        allow_none=True,
        validate=_one_of(("lvc_indirect", "lvc_direct"), "Phương pháp", "Method"),
    )
    products = fields.List(fields.Nested(ProductIn), load_default=list, validate=validate.Length(max=200))


class TargetIn(_Base):
    sector_code = Text(required=True, max_length=60)
    province = fields.String(allow_none=True)
    metric = fields.String(load_default="lvc_indirect", validate=_one_of(METRICS, "Chỉ tiêu", "Metric"))
    kind = fields.String(required=True, validate=_one_of(TARGET_KINDS, "Loại", "Kind"))
    value = VNDecimal(required=True, min_value=None)
    base_year = fields.Integer(allow_none=True, validate=validate.Range(1990, 2100))
    base_value = VNDecimal(allow_none=True)
    target_year = fields.Integer(required=True, validate=validate.Range(1990, 2100))
    source = Text(required=True, max_length=500)
