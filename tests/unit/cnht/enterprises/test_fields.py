from decimal import Decimal

import pytest
from marshmallow import ValidationError

from cnht.enterprises.fields import StrList, normalize_phone, parse_vn_number
from cnht.enterprises.schemas import EnterpriseIn
from tests.factories import enterprise_record


@pytest.mark.parametrize(
    "text, integer, expected",
    [
        ("1.200", True, Decimal(1200)),
        ("1.200", False, Decimal(1200)),
        ("1,200", True, Decimal(1200)),
        ("85,5", False, Decimal("85.5")),
        ("85.5", False, Decimal("85.5")),
        ("1.200,5", False, Decimal("1200.5")),
        ("1,200.5", False, Decimal("1200.5")),
        ("2.500.000", True, Decimal(2500000)),
        (" 120 ", True, Decimal(120)),
        ("1 200", True, Decimal(1200)),
        (42, True, Decimal(42)),
    ],
)
def test_vietnamese_number_formats(text, integer, expected):
    assert parse_vn_number(text, integer=integer) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "inf"])
def test_bad_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_vn_number(text)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("024 3812 3456", "+842438123456"),
        ("0903.123.456", "+84903123456"),
        ("(028) 3770-1234", "+842837701234"),
        ("+84 903 123 456", "+84903123456"),
        ("84903123456", "+84903123456"),
        ("0274 3567 890", "+842743567890"),
        ("024 3812 3456; 0903 123 456", "+842438123456; +84903123456"),
    ],
)
def test_phone_numbers_are_normalised_to_plus_84(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["123", "0903 abc 456", "+84 1"])
def test_bad_phone_numbers(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_list_cells_split_clean_and_deduplicate():
    field = StrList()
    assert field.deserialize("Khuôn ép nhựa;  Đồ gá ;; khuon ep nhua; Đồ gá") == ["Khuôn ép nhựa", "Đồ gá"]
    assert field.deserialize(["A", " ", None, "B"]) == ["A", "B"]


def test_enterprise_input_is_normalised():
    data = EnterpriseIn().load(
        enterprise_record(
            name="  Công ty   TNHH\u200b Cơ khí  ",
            province="Bình Dương",
            sectors="co khi; Điện tử",
            website="hoabinh.example.vn",
            employees="1.200",
            email=" Info@HoaBinh.Example.VN ",
        )
    )
    assert data["name"] == "Công ty TNHH Cơ khí"
    assert data["province_code"] == "79" and data["province_legacy"] == "Bình Dương"
    assert data["sectors"] == ["mechanical", "electronics"]
    assert data["website"] == "https://hoabinh.example.vn"
    assert data["employees"] == 1200
    assert data["revenue_bn_vnd"] == Decimal("45.50")
    assert data["email"] == "info@hoabinh.example.vn"
    assert data["certifications"][0]["standard_key"] == "ISO 9001"


def test_enterprise_input_is_stored_nfc():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Công ty Nhựa Việt")
    data = EnterpriseIn().load(enterprise_record(name=nfd))
    assert data["name"] == unicodedata.normalize("NFC", "Công ty Nhựa Việt")
    assert data["name"] != nfd


def test_invalid_enterprise_input_lists_every_problem_in_both_languages():
    with pytest.raises(ValidationError) as err:
        EnterpriseIn().load(
            enterprise_record(
                tax_code="0100233480",
                province="Atlantis",
                sectors=["Nông nghiệp"],
                employees="nhiều",
                email="not-an-email",
                founded_year=2999,
                website="not a site",
                ownership="hợp tác xã",
            )
        )
    messages = err.value.messages
    assert set(messages) == {
        "tax_code",
        "province",
        "sectors",
        "employees",
        "email",
        "founded_year",
        "website",
        "ownership",
    }
    assert "sai chữ số kiểm tra" in messages["tax_code"][0] and "check digit" in messages["tax_code"][0]
    assert "Không nhận ra tỉnh" in messages["province"][0] and "Unknown province" in messages["province"][0]
    assert "Ngành không hợp lệ" in messages["sectors"][0] and "Unknown sector" in messages["sectors"][0]


def test_required_fields():
    with pytest.raises(ValidationError) as err:
        EnterpriseIn().load({})
    assert set(err.value.messages) == {"tax_code", "name", "province", "sectors"}
    assert "Bắt buộc" in err.value.messages["name"][0]


def test_empty_sector_list_is_refused():
    with pytest.raises(ValidationError) as err:
        EnterpriseIn().load(enterprise_record(sectors=""))
    assert "sectors" in err.value.messages
