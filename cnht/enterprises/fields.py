"""marshmallow fields that read values the way Vietnamese users write them.

Shared by the API, the web forms and the spreadsheet importer, so one rulebook applies everywhere.
Error messages are bilingual ("Vietnamese / English").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields

from cnht.enterprises.rules import TaxCodeError, normalize_tax_code
from cnht.i18n import Msg, install_marshmallow_messages
from cnht.reference import resolve_province, resolve_sector
from vnsearch.analysis import fold_key, nfc

install_marshmallow_messages()

# "; " separates items of a list cell ("|" separates the details of one item, see _ItemList)
LIST_SEPARATORS = re.compile(r"\s*(?:;|\n)\s*")


MAX_INT = 2**63 - 1


def parse_vn_number(value, *, integer: bool = False) -> Decimal:
    """'1.200' → 1200, '85,5' → 85.5, '1.200,5' → 1200.5, '1,200.5' → 1200.5, ' 120 ' → 120.

    Vietnamese writes '.' for thousands and ',' for decimals. With only one kind of separator:
    ',' is a decimal comma unless the number is an integer field in 1,234 grouping; '.' followed by
    groups of exactly three digits is a thousands separator, otherwise a decimal point.
    """
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():  # JSON 1e309 is infinity
            raise ValueError("not finite")
        return number
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValueError("empty")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if integer and re.fullmatch(r"-?\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        else:
            raise ValueError(text)
    elif "." in text and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


class Text(fields.String):
    """A string stored NFC with whitespace cleaned; empty becomes None."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return None
        # a spreadsheet cell typed as a number is text all the same; a JSON client sends strings
        if (
            isinstance(value, int | float | Decimal)
            and not isinstance(value, bool)
            and getattr(self.root, "numbers_as_text", False)
        ):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        # Keep line breaks inside long text, collapse other whitespace.
        text = "\n".join(nfc(line) for line in text.replace("\r\n", "\n").split("\n")).strip()
        if not text:
            return None
        if self.max_length and len(text) > self.max_length:
            raise ValidationError(
                Msg("Quá dài (tối đa {n} ký tự)", "Too long (at most {n} characters)", n=self.max_length)
            )
        return text

    def _validate(self, value) -> None:
        # A blank text loads as None: a required one is missing, and validators (Length…) never see None.
        if value is None:
            if self.required:
                raise self.make_error("required")
            return
        super()._validate(value)


class StrList(fields.Field):
    """A list of strings, from a JSON list or a '; '-separated cell. Empty items dropped,
    duplicates removed (case- and diacritic-insensitive), order kept."""

    def __init__(
        self, *args, item_max_length: int = 255, items: dict | None = None, json_lists: bool = False, **kwargs
    ):
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", list)
            kwargs.setdefault("allow_none", True)  # an empty spreadsheet cell is an empty list
        item = {"type": "string", "maxLength": item_max_length, **(items or {})}
        array = {
            "type": "array",
            "items": {"anyOf": [item, {"type": "null"}]},
        }  # empty and null items are dropped
        kwargs["metadata"] = {
            "anyOf": [array, {"type": "null"}] if json_lists else [array, item, {"type": "null"}],
            "description": "a list" if json_lists else "a list (a '; '-separated text is read as one too)",
            **kwargs.get("metadata", {}),
        }
        super().__init__(*args, **kwargs)
        self.item_max_length = item_max_length
        # JSON clients send lists; a '; '-separated text still comes from forms (load_form marks them)
        self.json_lists = json_lists

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])

    def deserialize(self, value, attr=None, data=None, **kwargs):
        # marshmallow returns None for null without calling _deserialize: null is an empty list here
        if value is None and not self.required:
            return []
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return []
        if isinstance(value, str):
            if self.json_lists and not getattr(self.root, "from_form", False):
                raise ValidationError(Msg("Cần một danh sách", "A list is required"))
            items = LIST_SEPARATORS.split(value)
        elif isinstance(value, list | tuple):
            numbers_ok = getattr(self.root, "numbers_as_text", False)
            items = []
            for v in value:
                if v is None or isinstance(v, str):
                    items.append(v or "")
                elif numbers_ok and isinstance(v, int | float) and not isinstance(v, bool):
                    items.append(str(v))
                else:
                    raise ValidationError(Msg("Mỗi mục phải là một chuỗi", "Each item must be a string"))
        else:
            raise ValidationError(Msg("Cần một danh sách", "A list is required"))
        out, seen = [], set()
        for item in items:
            item = nfc(item).strip(" ,;")
            if not item:
                continue
            if len(item) > self.item_max_length:
                raise ValidationError(Msg("Mục '{v}…' quá dài", "Item '{v}…' is too long", v=item[:30]))
            key = fold_key(item)
            if key in seen:
                continue
            seen.add(key)
            out.append(item)
        return out


class VNInteger(fields.Field):
    def __init__(self, *args, min_value: int | None = 0, max_value: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_value, self.max_value = min_value, max_value

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = parse_vn_number(value, integer=True)
        except ValueError:
            raise ValidationError(
                Msg("'{v}' không phải là số nguyên", "'{v}' is not a whole number", v=value)
            ) from None
        if number != number.to_integral_value():
            raise ValidationError(Msg("'{v}' phải là số nguyên", "'{v}' must be a whole number", v=value))
        number = int(number)
        # the database's integers are 64-bit: a bigger number is an error here, not a 500 later
        if self.max_value is None and number > MAX_INT:
            raise ValidationError(Msg("Giá trị quá lớn", "Value too large"))
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(Msg("Phải ≥ {n}", "Must be ≥ {n}", n=self.min_value))
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(Msg("Phải ≤ {n}", "Must be ≤ {n}", n=self.max_value))
        return number


class VNDecimal(fields.Field):
    def __init__(self, *args, places: int = 2, min_value: Decimal | int | None = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.places, self.min_value = places, min_value

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return float(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = parse_vn_number(value)
        except ValueError:
            raise ValidationError(Msg("'{v}' không phải là số", "'{v}' is not a number", v=value)) from None
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(Msg("Phải ≥ {n}", "Must be ≥ {n}", n=self.min_value))
        if abs(number) >= Decimal(10) ** 13:  # either sign: a loss can be negative (min_value None)
            raise ValidationError(Msg("Giá trị quá lớn", "Value too large"))
        return number.quantize(Decimal(1).scaleb(-self.places))


class ProvinceField(fields.Field):
    """Loads to the 2025 province code; remembers a former-province mapping in the schema context."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        match = resolve_province(value)
        if match is None:
            raise ValidationError(
                Msg(
                    "Không nhận ra tỉnh/thành phố '{v}' (dùng tên một trong 34 đơn vị hiện hành hoặc tên tỉnh cũ)",
                    "Unknown province '{v}' (use one of the 34 current units or a former province name)",
                    v=value,
                )
            )
        return match


class SectorList(StrList):
    def _deserialize(self, value, attr, data, **kwargs):
        codes, unknown = [], []
        for item in super()._deserialize(value, attr, data, **kwargs):
            code = resolve_sector(item)
            if code is None:
                unknown.append(item)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValidationError(
                Msg(
                    "Ngành không hợp lệ: {v} (cơ khí, điện tử, dệt may, da giày, ô tô, công nghệ cao)",
                    "Unknown sector: {v} (mechanical, electronics, textile, leather_footwear, automotive, high_tech)",
                    v=", ".join(unknown),
                )
            )
        return codes


OWNERSHIP_ALIASES = {
    "private": [
        "tư nhân",
        "tu nhan",
        "doanh nghiệp tư nhân",
        "dntn",
        "ngoài nhà nước",
        "ngoai nha nuoc",
        "private",
        "domestic private",
        "tnhh",
        "cổ phần",
        "co phan",
        "cp",
        "trong nước",
    ],
    "state": [
        "nhà nước",
        "nha nuoc",
        "dnnn",
        "doanh nghiệp nhà nước",
        "vốn nhà nước",
        "state",
        "state-owned",
        "soe",
        "state owned",
    ],
    "fdi": [
        "fdi",
        "vốn đầu tư nước ngoài",
        "có vốn đầu tư nước ngoài",
        "100% vốn nước ngoài",
        "100% vốn đầu tư nước ngoài",
        "nước ngoài",
        "nuoc ngoai",
        "foreign",
        "foreign-invested",
        "foreign invested",
        "foreign owned",
    ],
    "joint_venture": ["liên doanh", "lien doanh", "joint venture", "joint-venture", "jv"],
}
_OWNERSHIP_INDEX = {
    fold_key(alias): code for code, aliases in OWNERSHIP_ALIASES.items() for alias in [code, *aliases]
}


def ownership_values() -> list[str]:
    """Every spelling the ownership field accepts (codes and their Vietnamese and English names)."""
    return sorted({alias for code, aliases in OWNERSHIP_ALIASES.items() for alias in [code, *aliases]})


class OwnershipField(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or not str(value).strip():
            return None
        code = _OWNERSHIP_INDEX.get(fold_key(str(value)))
        if code is None:
            raise ValidationError(
                Msg(
                    "Loại hình sở hữu không hợp lệ: '{v}' (tư nhân, nhà nước, FDI, liên doanh)",
                    "Unknown ownership: '{v}' (private, state, fdi, joint_venture)",
                    v=value,
                )
            )
        return code


def normalize_phone(value: str) -> str:
    """'024 3812 3456' → '+842438123456'; '0903.123.456' → '+84903123456'; several numbers kept, '; '."""
    out = []
    for part in re.split(r"\s*[;,/]\s*|\s+-\s+", str(value)):
        if not part.strip():
            continue
        ext = ""
        m = re.search(r"(?:ext\.?|máy lẻ|ml|x)\s*(\d{1,6})$", part, re.I)
        if m:
            ext, part = f" ext {m.group(1)}", part[: m.start()]
        digits = re.sub(r"[\s.\-()]", "", part)
        if digits.startswith("+84"):
            national = digits[3:]
        elif digits.startswith("0084"):
            national = digits[4:]
        elif digits.startswith("84") and len(digits) in (11, 12):
            national = digits[2:]
        elif digits.startswith("0"):
            national = digits[1:]
        else:
            national = digits
        if national.startswith("0"):
            national = national[1:]
        if not national.isdigit() or not 8 <= len(national) <= 10:
            raise ValidationError(
                Msg("Số điện thoại không hợp lệ: '{v}'", "Invalid phone number: '{v}'", v=part.strip())
            )
        out.append(f"+84{national}{ext}")
    return "; ".join(out)


class PhoneField(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or not str(value).strip():
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = "0" + str(int(value))  # Excel drops the leading zero of a phone stored as a number
        return normalize_phone(str(value))


_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,}(?::\d{2,5})?(?:/\S*)?$", re.I)


class WebsiteField(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or not str(value).strip():
            return None
        url = str(value).strip()
        m = re.match(r"^(https?)://(.+)$", url, re.I)
        scheme, rest = (m.group(1).lower(), m.group(2)) if m else ("https", url)
        if not _DOMAIN.match(rest) or len(url) > 255:
            raise ValidationError(
                Msg("Địa chỉ website không hợp lệ: '{v}'", "Invalid website address: '{v}'", v=url)
            )
        return f"{scheme}://{rest}"


class TaxCodeField(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value).zfill(10)  # Excel drops the leading zero of a numeric tax code
        try:
            return normalize_tax_code(value)
        except TaxCodeError as exc:
            raise ValidationError(str(exc.msg)) from None
