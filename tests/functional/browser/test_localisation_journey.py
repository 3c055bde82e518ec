"""A localisation survey in a real browser: staff open a campaign, a firm fills its form on a phone-sized
screen through its private link, staff validate and publish, the public report shows the figure."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import expect

from tests.functional.browser.pages import sign_in


def test_campaign_to_published_report(browser, page, live_server):
    sign_in(page, "staff@example.vn")
    page.goto("/localisation")
    form = page.get_by_test_id("campaign-form")
    form.get_by_label("Năm tài chính").fill("2025")
    form.get_by_label("Tên đợt").fill("Điều tra nội địa hóa thử nghiệm")
    form.get_by_role("button", name="Tạo đợt điều tra").click()
    page.get_by_test_id("respondents-form").get_by_label(
        "Mã số thuế (mỗi dòng một mã, hoặc cách nhau bởi dấu phẩy)"
    ).fill(f"{live_server['own']}\n{live_server['other']}")
    page.get_by_role("button", name="Thêm vào danh sách").click()
    page.get_by_label("Trạng thái").select_option("open")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("respondents").locator("tbody tr")).to_have_count(2)
    with sqlite3.connect(live_server["db"]) as c:
        tokens = [t for (t,) in c.execute("select token from loc_respondent order by id")]
    phone = browser.new_context(
        base_url=live_server["url"], locale="vi-VN", viewport={"width": 390, "height": 844}
    ).new_page()
    for token in tokens:
        phone.goto(f"/survey/{token}")
        form = phone.get_by_test_id("survey-form")
        form.get_by_label("Tên sản phẩm").fill("Máy bơm")
        form.get_by_label("Trị giá FOB").fill("105")
        form.locator("[name='p0-i0-name']").fill("Thép cuộn")
        form.locator("[name='p0-i0-value']").fill("42")
        form.locator("[name='p0-i0-origin']").select_option("imported")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the form scrolls sideways on a phone ({width}px)"
        form.get_by_role("button", name="Gửi phiếu").click()
        expect(phone.get_by_role("status").filter(has_text="Phiếu đã được gửi")).to_be_visible()
    phone.context.close()
    page.reload()
    for name in (live_server["own_name"], live_server["other_name"]):
        page.get_by_test_id("respondents").get_by_role("link", name=name).click()
        page.get_by_role("button", name="Xác nhận phiếu").click()
    page.get_by_label("Trạng thái").select_option("published")
    page.get_by_role("button", name="Lưu", exact=True).click()
    anon = browser.new_context(base_url=live_server["url"], locale="vi-VN").new_page()
    anon.goto("/localisation/published")
    expect(anon.get_by_test_id("method")).to_contain_text("LVC")
    # two firms only: every cell is withheld, the grand total too
    table = anon.get_by_test_id("rate-table")
    expect(table).to_contain_text("x")
    assert "60.0" not in table.inner_text()
    anon.context.close()
