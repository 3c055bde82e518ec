"""A matchmaking event in a real browser: staff create it, a supplier registers, requests are made and
accepted, the schedule is made and published, the SME reads its agenda, the buyer checks in by QR,
outcomes are recorded and the report shows them."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta

from playwright.sync_api import expect

from cnht.enterprises.rules import mst_check_digit
from tests.functional.browser.pages import sign_in


def _new_tax_code() -> str:
    n = 7_000_001
    while mst_check_digit(f"03{n:07d}") is None:
        n += 1
    return f"03{n:07d}{mst_check_digit(f'03{n:07d}')}"


def _row(db: str, sql: str, *args):
    with sqlite3.connect(db) as c:
        return c.execute(sql, args).fetchone()


def test_staff_run_a_matchmaking_event_end_to_end(browser, page, live_server):
    sign_in(page, "staff@example.vn")
    page.goto("/events")
    page.get_by_role("link", name="Tạo sự kiện").click()
    day = (date.today() + timedelta(days=10)).isoformat()
    page.get_by_label("Tên sự kiện").fill("Kết nối nhà cung ứng linh kiện 2026")
    page.get_by_label("Đơn vị tổ chức").fill("Sở Công Thương")
    page.get_by_label("Ngày bắt đầu").fill(day)
    page.get_by_label("Ngày kết thúc").fill(day)
    page.get_by_label("Trạng thái").select_option("registration")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name="Kết nối nhà cung ứng linh kiện 2026")).to_be_visible()
    event_url = page.url.replace("/manage", "")
    page.get_by_test_id("session-form").get_by_role("button", name="Thêm phiên").click()
    page.get_by_test_id("tables-form").get_by_label("Số bàn").fill("3")
    page.get_by_test_id("tables-form").get_by_role("button", name="Thêm bàn").click()
    expect(page.get_by_text("3 bàn")).to_be_visible()
    form = page.get_by_test_id("participant-form")
    for ref, role in ((live_server["other"], "buyer"), (live_server["own"], "supplier")):
        form.get_by_label("Mã số thuế hoặc id-n").fill(ref)
        form.get_by_label("Vai trò").select_option(role)
        form.get_by_role("button", name="Thêm từ cơ sở dữ liệu").click()
    expect(
        page.get_by_test_id("participants").get_by_role("link", name=live_server["own_name"])
    ).to_be_visible()

    # a new supplier registers on the public page (another browser, not signed in)
    anon = browser.new_context(base_url=live_server["url"], locale="vi-VN").new_page()
    anon.goto(event_url)
    anon.get_by_test_id("register-link").click()
    reg = anon.get_by_test_id("register-form")
    reg.get_by_label("Mã số thuế").fill(_new_tax_code())
    reg.get_by_label("Tên doanh nghiệp").fill("Công ty TNHH Cơ khí Mới Đăng Ký")
    reg.get_by_label("Tỉnh/thành phố").select_option(label="Bắc Ninh")
    reg.get_by_label("Người liên hệ").fill("Đỗ Văn Mới")
    reg.get_by_role("textbox", name="Thư điện tử", exact=True).fill("moi@example.vn")
    reg.get_by_role("button", name="Gửi đăng ký").click()
    expect(anon.get_by_role("status")).to_contain_text("chờ Ban tổ chức duyệt")
    anon.context.close()

    page.reload()
    row = page.get_by_test_id("participants").locator("tr", has_text="Cơ khí Mới Đăng Ký")
    row.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_test_id("participants").locator("tr", has_text="Cơ khí Mới Đăng Ký")).to_contain_text(
        "Đã xác nhận"
    )

    # staff request on the buyer's behalf; the suppliers' side is accepted by staff
    page.locator("select[name=buyer_id]").last.select_option(label=live_server["other_name"])
    for supplier in (live_server["own_name"], "Công ty TNHH Cơ khí Mới Đăng Ký"):
        page.locator("#requests select[name=supplier_id]").select_option(label=supplier)
        page.locator("#requests select[name=level]").first.select_option("must")
        page.get_by_role("button", name="Tạo yêu cầu thay bên mua").click()
    reqs = page.get_by_test_id("staff-requests")
    expect(reqs.locator("tbody tr")).to_have_count(2)
    for _ in range(2):
        reqs.get_by_role("button", name="Nhận thay").first.click()
    page.get_by_test_id("run-schedule").click()
    expect(page.get_by_test_id("schedule-info")).to_contain_text("2 cuộc gặp")
    expect(page.get_by_test_id("schedule-grid")).to_contain_text(live_server["own_name"])
    page.get_by_test_id("publish-final").click()
    expect(page.get_by_text("Đã gửi lịch cho người tham gia.")).to_be_visible()

    # the SME signs in and reads its agenda, with a calendar file
    sme = browser.new_context(base_url=live_server["url"], locale="vi-VN").new_page()
    sign_in(sme, "sme@example.vn")
    sme.goto(event_url)
    sme.get_by_role("link", name=re.compile("yêu cầu gặp, lịch gặp")).click()
    agenda = sme.get_by_test_id("agenda")
    expect(agenda).to_contain_text(live_server["other_name"])
    expect(agenda).to_contain_text("Bàn")
    ics = sme.request.get(sme.get_by_test_id("ics-link").get_attribute("href"))
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text() and "SEQUENCE:" in ics.text()

    # the day: the buyer's badge QR opens the check-in page on the staff phone
    token = _row(
        live_server["db"], "select checkin_token from event_participant where role='buyer' order by id desc"
    )[0]
    page.goto(f"{event_url}/checkin/{token}")
    page.get_by_test_id("checkin").click()
    expect(page.get_by_test_id("board")).to_contain_text("1/3")
    # both sides say the meeting happened (staff for the buyer here), then the SME records the outcome
    page.goto(f"{event_url}/manage#requests")
    page.get_by_test_id("staff-requests").locator("tr", has_text=live_server["own_name"]).get_by_role(
        "button", name="Đã gặp"
    ).click()
    sme.reload()
    sme.get_by_label("Bước tiếp theo").select_option("quotation")
    sme.get_by_role("button", name="Lưu kết quả").click()
    expect(sme.get_by_test_id("agenda")).to_contain_text("Báo giá")
    sme.context.close()
    page.goto(f"{event_url}/report")
    expect(page.get_by_test_id("report")).to_contain_text("1 cuộc kết nối đã diễn ra")
    assert page.locator("[data-chart=ev-steps]").count() == 1
