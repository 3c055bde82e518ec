"""marshmallow schemas for enterprises: one load schema (API, forms, importer, demo) and
audience-specific dump schemas."""

from __future__ import annotations

from datetime import date

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from cnht.enterprises.fields import (
    OwnershipField,
    PhoneField,
    ProvinceField,
    SectorList,
    StrList,
    TaxCodeField,
    Text,
    VNDecimal,
    VNInteger,
    WebsiteField,
)
from cnht.enterprises.models import VERIFICATION_LEVELS
from cnht.enterprises.rules import normalize_certification
from cnht.i18n import Msg

REQUIRED = {
    "required": Msg("Bắt buộc phải có", "This field is required"),
    "null": Msg("Không được để trống", "Must not be empty"),
}


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class ProductIn(_Strict):
    name = Text(required=True, max_length=255, error_messages=REQUIRED)
    category = Text(load_default=None, max_length=64)
    description = Text(load_default=None, max_length=2000)


class CertificationIn(_Strict):
    standard = Text(required=True, max_length=120, error_messages=REQUIRED)
    number = Text(load_default=None, max_length=120)
    issuer = Text(load_default=None, max_length=255)
    valid_until = fields.Date(
        load_default=None,
        error_messages={"invalid": Msg("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)")},
    )

    @post_load
    def _key(self, data, **_):
        data["standard_key"] = normalize_certification(data["standard"])
        return data


class EquipmentIn(_Strict):
    machine_type = Text(required=True, max_length=255, error_messages=REQUIRED)
    brand = Text(load_default=None, max_length=120)
    count = VNInteger(load_default=None, min_value=0, max_value=100000)
    key_spec = Text(load_default=None, max_length=255)


class CapacityIn(_Strict):
    product = Text(required=True, max_length=255, error_messages=REQUIRED)
    quantity = VNDecimal(load_default=None)
    unit = Text(load_default=None, max_length=40)
    period = fields.String(
        load_default=None,
        validate=validate.OneOf(
            ("day", "week", "month", "year"),
            error=Msg("Chọn một trong: {choices}", "Choose one of: {choices}"),
        ),
    )
    note = Text(load_default=None, max_length=500)


class _ItemList(fields.List):
    """A list of nested objects that also accepts plain strings ('; '-separated or a JSON list),
    which become the object's first field (a product name, a certificate's standard…)."""

    def __init__(self, nested: type[Schema], key: str, **kwargs):
        kwargs.setdefault("load_default", list)
        kwargs.setdefault("allow_none", True)  # an empty spreadsheet cell is an empty list
        super().__init__(fields.Nested(nested), **kwargs)
        self.key = key

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return []
        if isinstance(value, str):
            value = StrList()._deserialize(value, attr, data)
        if isinstance(value, list | tuple) and all(isinstance(v, str) and "|" not in v for v in value):
            return [self._plain(v) for v in value]  # the common case, without a nested load per item
        if isinstance(value, list | tuple):
            value = [self._from_text(v) if isinstance(v, str) else v for v in value]
        # a partial load (PATCH, one editor section) replaces whole lists: each item is complete
        kwargs["partial"] = False
        return super()._deserialize(value, attr, data, **kwargs)

    def _plain(self, text: str) -> dict:
        """A bare name ('Khuôn ép nhựa', 'ISO 9001:2015'): the same result as the nested load."""
        schema = self.inner.schema
        first = schema.fields[self.key]
        out = {name: None for name in schema.fields if name != "standard_key"}
        out[self.key] = first.deserialize(text)
        if out[self.key] is None:
            raise ValidationError(Msg("Mục rỗng", "Empty item"))
        if self.key == "standard":  # what CertificationIn's post_load adds
            out["standard_key"] = normalize_certification(out[self.key])
        return out

    def _from_text(self, text: str) -> dict:
        """'ISO 9001:2015 | VN123 | QUACERT | 2027-05-01' → the nested object's fields in order
        (the spreadsheet form of certificates, equipment and capacity; a plain name fills the first)."""
        parts = [p.strip() for p in text.split("|")]
        names = list(self.inner.schema.fields)
        return {k: (v or None) for k, v in zip(names, parts, strict=False) if k != "standard_key"}


class EnterpriseIn(_Strict):
    """Everything an enterprise record can be loaded from. Field names are the API's; the importer
    maps spreadsheet headers onto them."""

    tax_code = TaxCodeField(required=True, error_messages=REQUIRED)
    name = Text(required=True, max_length=255, error_messages=REQUIRED)
    name_en = Text(load_default=None, max_length=255)
    short_name = Text(load_default=None, max_length=120)
    province = ProvinceField(required=True, error_messages=REQUIRED)
    address = Text(load_default=None, max_length=500)
    sectors = SectorList(required=True, error_messages=REQUIRED)
    products = _ItemList(ProductIn, "name")
    processes = StrList()
    materials = StrList()
    equipment = _ItemList(EquipmentIn, "machine_type")
    certifications = _ItemList(CertificationIn, "standard")
    capacities = _ItemList(CapacityIn, "product")
    employees = VNInteger(load_default=None, min_value=0, max_value=2_000_000)
    revenue_bn_vnd = VNDecimal(load_default=None)
    charter_capital_bn_vnd = VNDecimal(load_default=None)
    founded_year = VNInteger(load_default=None, min_value=1800, max_value=date.today().year)
    ownership = OwnershipField(load_default=None)
    export_markets = StrList(item_max_length=80)
    key_customers = StrList()
    email = fields.Email(
        load_default=None,
        error_messages={"invalid": Msg("Địa chỉ email không hợp lệ", "Invalid email address")},
    )
    phone = PhoneField(load_default=None)
    website = WebsiteField(load_default=None)
    description = Text(load_default=None, max_length=20000)
    description_en = Text(load_default=None, max_length=20000)
    verification_status = fields.String(
        load_default=None,
        validate=validate.OneOf(
            VERIFICATION_LEVELS, error=Msg("Chọn một trong: {choices}", "Choose one of: {choices}")
        ),
    )

    @pre_load
    def _blank_email(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = dict(data)
            data["email"] = data["email"].strip().lower() or None
        return data

    @validates_schema
    def _sectors_present(self, data, **_):
        if "sectors" in data and not data["sectors"]:
            raise ValidationError(Msg("Cần ít nhất một ngành", "At least one sector is required"), "sectors")

    @post_load
    def _province(self, data, **_):
        match = data.pop("province", None)
        if match is not None:
            data["province_code"] = match.code
            data["province_legacy"] = match.legacy_name
        return data


class EnterprisePatch(EnterpriseIn):
    """Partial update: every field optional, tax code immutable."""

    class Meta:
        unknown = EXCLUDE
        exclude = ("tax_code",)


# ---- dump schemas -------------------------------------------------------------------------------


class ProvinceOut(Schema):
    code = fields.String()
    name = fields.String()
    full_name = fields.String()


class SectorOut(Schema):
    code = fields.String()
    name_vi = fields.String()
    name_en = fields.String()


class ProductOut(Schema):
    name = fields.String()
    category = fields.String(attribute="category_code", allow_none=True)
    category_name = fields.Function(lambda p: p.category.name_vi if p.category else None)
    description = fields.String(allow_none=True)


class CertificationOut(Schema):
    standard = fields.String()
    standard_key = fields.String()
    number = fields.String(allow_none=True)
    issuer = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)


class EquipmentOut(Schema):
    machine_type = fields.String()
    brand = fields.String(allow_none=True)
    count = fields.Integer(allow_none=True)
    key_spec = fields.String(allow_none=True)


class CapacityOut(Schema):
    product = fields.String()
    quantity = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class EnterpriseSummaryOut(Schema):
    ref = fields.String(
        metadata={"description": "Public key: the tax code, or id-<n> for a firm without one"}
    )
    tax_code = fields.String(allow_none=True)
    name = fields.String()
    name_en = fields.String(allow_none=True)
    short_name = fields.String(allow_none=True)
    province = fields.Nested(ProvinceOut)
    sectors = fields.List(fields.Nested(SectorOut))
    size_class = fields.String(allow_none=True)
    verification_status = fields.String()
    updated_at = fields.DateTime()


class EnterpriseOut(EnterpriseSummaryOut):
    address = fields.String(allow_none=True)
    ownership = fields.String(allow_none=True)
    founded_year = fields.Integer(allow_none=True)
    employees = fields.Integer(allow_none=True)
    revenue_bn_vnd = fields.Float(allow_none=True)
    charter_capital_bn_vnd = fields.Float(allow_none=True)
    export_markets = fields.List(fields.String())
    key_customers = fields.List(fields.String())
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    description_en = fields.String(allow_none=True)
    products = fields.List(fields.Nested(ProductOut))
    processes = fields.Function(lambda e: [p.name for p in e.processes])
    materials = fields.Function(lambda e: [m.name for m in e.materials])
    equipment = fields.List(fields.Nested(EquipmentOut))
    certifications = fields.List(fields.Nested(CertificationOut))
    capacities = fields.List(fields.Nested(CapacityOut))
    verified_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class AttachmentIn(Schema):
    """The fields sent with an uploaded file (the file itself is checked by content in the view)."""

    class Meta:
        unknown = EXCLUDE

    kind = fields.String(load_default="photo", validate=validate.OneOf(("photo", "certificate", "document")))
    caption = fields.String(load_default=None)
