from decimal import Decimal

import pytest

from cnht.enterprises.rules import (
    TaxCodeError,
    classify_size,
    make_tax_code,
    mst_check_digit,
    normalize_certification,
    normalize_tax_code,
)

# Real tax codes (python-stdnum's test list and public registrations).
VALID = [
    "0300588569",
    "0101248141",
    "0100112437",
    "0101245486",
    "0100109106",
    "0100283873",
    "0106718351",
    "0313845728",
    "3702741967",
    "1700984230",
]


@pytest.mark.parametrize("code", VALID)
def test_real_tax_codes_are_valid(code):
    assert normalize_tax_code(code) == code


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" 0300588569 ", "0300588569"),
        ("0300 588 569", "0300588569"),
        ("0300.588.569", "0300588569"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),  # branch typed without the dash
        ("0314409058 - 002".replace(" ", ""), "0314409058-002"),
    ],
)
def test_tax_code_forms_people_type(raw, expected):
    assert normalize_tax_code(raw) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("0100233480", "sai chữ số kiểm tra"),  # stdnum marks this one invalid
        ("0300588568", "sai chữ số kiểm tra"),  # last digit changed
        ("030058856", "không đúng định dạng"),  # 9 digits
        ("03005885691", "không đúng định dạng"),  # 11 digits
        ("0300588569-00", "không đúng định dạng"),
        ("0300588569-000", "mã chi nhánh 000"),
        ("0100000000", "0000000"),
        ("ABC0588569", "không đúng định dạng"),
        ("", "không đúng định dạng"),
    ],
)
def test_invalid_tax_codes_explain_why_in_both_languages(raw, fragment):
    with pytest.raises(TaxCodeError) as err:
        normalize_tax_code(raw)
    assert fragment in err.value.msg.vi
    assert "Tax code" in err.value.msg.en


def test_check_digit_matches_published_algorithm():
    # weights 31 29 23 19 17 13 7 5 3 over 030058856: S = 375 (by hand), 10 - 375 % 11 = 9
    assert mst_check_digit("030058856") == 9
    # a prefix whose sum is a multiple of 11 has no valid code
    first9 = next(f"{n:09d}" for n in range(100000000, 100001000) if mst_check_digit(f"{n:09d}") is None)
    assert make_tax_code(first9) is None


@pytest.mark.parametrize(
    "employees, revenue, capital, expected",
    [
        (10, 3, None, "micro"),
        (10, Decimal("3.01"), 3, "micro"),  # capital alone qualifies (OR)
        (10, Decimal("3.01"), Decimal("3.01"), "small"),
        (11, 1, 1, "small"),  # headcount alone moves it up (AND)
        (100, 50, None, "small"),
        (100, 51, 20, "small"),
        (100, 51, 21, "medium"),
        (101, 10, 10, "medium"),
        (200, 200, None, "medium"),
        (200, 201, 100, "medium"),
        (200, 201, 101, "large"),
        (201, 1, 1, "large"),
        (0, 0, None, "micro"),
        (None, 10, 10, None),  # unknown headcount → unknown class
        (50, None, None, None),  # neither revenue nor capital → unknown class
    ],
)
def test_sme_size_class_decree_80_industry_thresholds(employees, revenue, capital, expected):
    assert classify_size(employees, revenue, capital) == expected


def test_sme_size_class_trade_services_thresholds():
    # trade/services: small is ≤50 employees and revenue ≤100 or capital ≤50
    assert classify_size(50, 100, None, "trade_services") == "small"
    assert classify_size(51, 100, None, "trade_services") == "medium"
    assert classify_size(10, 10, None, "trade_services") == "micro"


@pytest.mark.parametrize(
    "text, key",
    [
        ("ISO 9001:2015", "ISO 9001"),
        ("ISO9001", "ISO 9001"),
        ("iso 9001", "ISO 9001"),
        ("ISO 9001 : 2008", "ISO 9001"),
        ("Iso-9001", "ISO 9001"),
        ("TCVN ISO 9001:2015", "ISO 9001"),
        ("IATF 16949:2016", "IATF 16949"),
        ("ISO 14001:2015", "ISO 14001"),
        ("ISO/TS 16949", "ISO/TS 16949"),
        ("OEKO-TEX Standard 100", "OEKO-TEX STANDARD 100"),
        ("Oeko Tex 100", "OEKO-TEX STANDARD 100"),
        ("LWG", "LWG"),
    ],
)
def test_certification_keys(text, key):
    assert normalize_certification(text) == key
