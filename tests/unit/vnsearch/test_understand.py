"""Query understanding: what a buyer's words say beside the thing they want."""

from __future__ import annotations

import pytest

from vnsearch.understand import Gazetteer, parse_quantity, understand

PLACES = Gazetteer(
    {
        "Hà Nội": (("01",), "Hà Nội"),
        "hn": (("01",), "Hà Nội"),
        "Bắc Ninh": (("24",), "Bắc Ninh"),
        "Hồ Chí Minh": (("79",), "Hồ Chí Minh"),
        "hcm": (("79",), "Hồ Chí Minh"),
        "Bình Dương": (("79",), "Hồ Chí Minh"),  # a former province: the unit it is part of now
        "Cần Thơ": (("92",), "Cần Thơ"),
        "miền bắc": (("01", "24"), "Miền Bắc"),
    }
)


def u(q: str):
    return understand(q, places=PLACES)


def test_request_boilerplate_is_left_out_and_reported():
    got = u("cần tìm nhà cung cấp linh kiện nhựa ép phun")
    assert got.text.strip() == "linh kiện nhựa ép phun"
    assert got.ignored == ["cần tìm", "nhà cung cấp"]


def test_english_requests_too():
    got = u("looking for local supplier of precision plastic gears")
    assert got.text.strip() == "precision plastic gears"


def test_the_application_is_context_not_a_requirement():
    got = u("cần nhà cung cấp sợi cotton cho nhà máy dệt")
    assert got.text.strip() == "sợi cotton" and got.context == "nhà máy dệt"
    assert u("supplier of seat covers for cars").context == "cars"


def test_places_become_province_preferences():
    got = u("khuôn ép nhựa ở Hà Nội")
    assert got.text.strip() == "khuôn ép nhựa" and got.province_codes == ("01",)
    assert u("lk điện tử bắc ninh").province_codes == ("24",)
    assert u("khuon mau tp hcm").province_codes == ("79",)
    assert u("khuôn mẫu Bình Dương").places[0].name == "Hồ Chí Minh"
    assert u("dây điện cho ô tô ở miền bắc").province_codes == ("01", "24")


def test_a_place_needs_all_its_words():
    """'cần' alone is a request word, not Cần Thơ; 'Cần Thơ' is the city."""
    assert u("cần sợi cotton").province_codes == ()
    assert u("sợi cotton Cần Thơ").province_codes == ("92",)


def test_words_typed_with_marks_keep_their_meaning():
    """'cán thép' (steel rolling) is not 'cần' (need) though both fold to 'can'."""
    assert u("cán thép").text == "cán thép"
    assert u("can thep").text.strip() == "thep"  # typed without marks, the request word is likelier


def test_abbreviations_of_business_writing():
    got = u("lk điện tử")
    assert got.text.strip() == "linh kiện điện tử" and got.expanded == [("lk", "linh kiện")]
    assert u("gc cnc").text.strip() == "gia công cnc"
    assert u("ct tnhh dây cáp điện").text.strip() == "dây cáp điện"
    assert u("cty cp cao su").text.strip() == "cao su"


def test_certifications_are_recognised_and_left_out_of_the_words():
    got = u("khuôn dập ISO 9001")
    assert got.certifications == ["ISO 9001"] and got.text.strip() == "khuôn dập"
    assert u("iatf16949 dây điện").certifications == ["IATF 16949"]


def test_quantities_are_recognised_and_left_out_of_the_words():
    got = u("gioăng cao su 20.000 bộ/tháng")
    assert got.text.strip() == "gioăng cao su"
    [q] = got.quantities
    assert (q.value, q.unit, q.per, q.text, q.unit_text) == (20000, "set", "month", "20.000 bộ/tháng", "bộ")


def test_numbers_of_a_specification_stay():
    assert u("inox 304").text == "inox 304"
    assert u("PCB 4 lớp").text == "pcb 4 lớp"


def test_nothing_left_means_search_as_typed():
    assert u("nhà cung cấp").text == "nhà cung cấp" and not u("nhà cung cấp").changed
    assert u("Hà Nội").text == "Hà Nội"


def test_the_last_word_still_completes_unless_something_followed_it():
    assert u("khuôn ép nh").text == "khuôn ép nh"
    assert u("khuôn ép nhựa ở Hà Nội").text.endswith(" ")


@pytest.mark.parametrize(
    ("text", "value", "unit", "per"),
    [
        ("20.000 kg/đợt", 20000, "kg", "order"),
        ("10.000 bộ/tháng", 10000, "set", "month"),
        ("5k pcs/month", 5000, "pcs", "month"),
        ("2 tấn mỗi tuần", 2, "t", "week"),
        ("3 triệu sản phẩm/năm", 3_000_000, "pcs", "year"),
        ("20,000 pieces per month", 20000, "pcs", "month"),
        ("50.000", 50000, None, None),
        ("500 đôi", 500, "pair", None),
    ],
)
def test_quantities_as_buyers_write_them(text, value, unit, per):
    q = parse_quantity(text)
    assert q is not None and (q.value, q.unit, q.per) == (value, unit, per)


@pytest.mark.parametrize("text", ["", "abc", "khoảng vài nghìn", "ISO 9001 khuôn"])
def test_no_quantity(text):
    assert parse_quantity(text) is None
