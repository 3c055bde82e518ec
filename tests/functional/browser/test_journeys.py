"""The journeys of issue 6, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.functional.browser.pages import SHOTS, sign_in


def test_anonymous_search_to_profile(page, live_server):
    page.goto("/")
    page.get_by_label("Tìm nhà cung ứng").fill("khuon ep nhua")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    first = page.locator("main h3 a").first
    expect(first).to_be_visible()
    assert page.locator("main mark").count() > 0  # highlights in the accented stored text
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.get_by_role("link", name="Đăng nhập để gửi yêu cầu")).to_be_visible()


def test_sme_edits_products_and_search_finds_them(page, live_server):
    sign_in(page, "sme@example.vn")
    page.goto(f"/enterprises/{live_server['own']}/edit")
    products = page.locator("#products")
    products.get_by_role("button", name="Thêm dòng").click()
    products.get_by_label("Tên sản phẩm").last.fill("Bánh răng côn xoắn module 3")
    products.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
    page.goto("/search?q=banh+rang+con+xoan")
    expect(page.locator("main h3 a").first).to_have_text(live_server["own_name"])


def test_sme_is_warned_before_saving_one_section_loses_typing_in_another(page, live_server):
    sign_in(page, "sme@example.vn")
    page.goto(f"/enterprises/{live_server['own']}/edit")
    box = page.get_by_label("Công nghệ / quy trình", exact=True)
    typed = box.input_value() + "\nMài phẳng chính xác"
    box.fill(typed)
    expect(page.locator("#processes .unsaved-note")).to_be_visible()  # the section says it is not saved
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#materials").get_by_role("button", name="Lưu").click()
    assert asked and "chưa lưu" in asked[0]
    expect(box).to_have_value(typed)  # stayed on the page, the typing kept
    page.locator("#processes").get_by_role(
        "button", name="Lưu"
    ).click()  # saving the changed one: no question
    expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
    expect(page.get_by_label("Công nghệ / quy trình", exact=True)).to_have_value(
        re.compile("Mài phẳng chính xác")
    )


def test_completeness_hints_lead_to_the_field(page, live_server):
    sign_in(page, "sme@example.vn")
    page.goto(f"/enterprises/{live_server['own']}/edit")
    hint = page.get_by_test_id("hint").first
    target = hint.get_attribute("href")
    assert target and target.startswith("#") and len(target) > 1
    hint.click()
    expect(page.locator(target)).to_be_in_viewport()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_sme_keeps_machines_certificates_and_capacity_in_rows(browser, live_server, viewport):
    """Add and remove rows, a certificate with a date picker and its scan, capacity with a unit and a
    period: on a desktop and on a phone, where the rows stay within the screen."""
    context = browser.new_context(base_url=live_server["url"], locale="vi-VN", viewport=viewport)
    page = context.new_page()
    tag = viewport["width"]  # the two runs share the instance: each adds rows of its own
    try:
        sign_in(page, "sme@example.vn")
        page.goto(f"/enterprises/{live_server['own']}/edit")
        machines = page.locator("#equipment")
        before = machines.locator("[data-row]").count()
        machines.get_by_role("button", name="Thêm dòng").click()
        machines.get_by_label("Loại máy").last.fill(f"Máy tiện CNC Okuma {tag}")
        machines.get_by_label("Số lượng").last.fill("3")
        machines.get_by_role("button", name="Thêm dòng").click()
        machines.get_by_label("Loại máy").last.fill(f"Máy bỏ đi {tag}")
        expect(machines.locator("[data-row]")).to_have_count(before + 2)
        machines.locator("[data-row]").last.get_by_role("button", name="Xóa dòng này").click()
        expect(machines.locator("[data-row]")).to_have_count(before + 1)  # removed on the page, not saved
        machines.get_by_role("button", name="Lưu").click()
        expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
        machines = page.locator("#equipment")
        expect(machines.get_by_label("Loại máy").nth(-2)).to_have_value(f"Máy tiện CNC Okuma {tag}")
        expect(machines.locator(f'input[value="Máy bỏ đi {tag}"]')).to_have_count(0)

        certs = page.locator("#certifications")
        blank = certs.locator("[data-row]").last
        blank.get_by_label("Tiêu chuẩn").fill(f"ISO 14001:2015 {tag}")
        blank.get_by_label("Số chứng chỉ").fill("EMS-2026-77")
        date_box = blank.get_by_label("Hiệu lực đến")
        assert date_box.get_attribute("type") == "date"  # the browser's date picker
        date_box.fill("2028-06-30")
        blank.get_by_label(re.compile("Bản chụp")).set_input_files(
            {"name": "iso14001.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        certs.get_by_role("button", name="Lưu").click()
        expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
        row = page.locator("#certifications [data-row]").filter(
            has=page.locator(f'input[value="ISO 14001:2015 {tag}"]')
        )
        expect(row.get_by_label("Hiệu lực đến")).to_have_value("2028-06-30")
        scan = row.get_by_role("link", name="iso14001.pdf")
        expect(scan).to_be_visible()  # the scan sits on its certificate's row
        assert page.request.get(scan.get_attribute("href")).body() == PDF

        caps = page.locator("#capacities")
        blank = caps.locator("[data-row]").last
        blank.get_by_label("Sản phẩm").fill(f"Đế giày EVA {tag}")
        blank.get_by_label("Sản lượng").fill("50.000")
        blank.get_by_label("Đơn vị").fill("đôi")
        blank.get_by_label("Kỳ").select_option(label="mỗi tháng")
        caps.get_by_role("button", name="Lưu").click()
        expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
        row = page.locator("#capacities [data-row]").filter(
            has=page.locator(f'input[value="Đế giày EVA {tag}"]')
        )
        expect(row.get_by_label("Sản lượng")).to_have_value("50.000")
        expect(row.get_by_label("Kỳ")).to_have_value("month")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], width
        page.goto(f"/enterprises/{live_server['own']}")
        expect(page.get_by_text(f"Máy tiện CNC Okuma {tag}")).to_be_visible()
        expect(page.get_by_text(f"ISO 14001:2015 {tag}").first).to_be_visible()
    except Exception:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"rows-{viewport['width']}.png"), full_page=True)
        raise
    finally:
        page.close()
        context.close()


def test_sme_cannot_edit_another_enterprise(page, live_server):
    sign_in(page, "sme@example.vn")
    response = page.goto(f"/enterprises/{live_server['other']}/edit")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("403")
    # the browser reports the refused page load itself; nothing else may be logged
    page.console_errors[:] = [e for e in page.console_errors if "status of 403" not in e]


def test_staff_assess_and_the_badge_shows(page, live_server):
    sign_in(page, "staff@example.vn")
    page.goto(f"/enterprises/{live_server['own']}")
    page.get_by_role("link", name="Đánh giá năng lực").click()
    rows = page.locator("table.assess tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        row.locator("input[type=radio][value='3']").check()
        row.locator("textarea").fill("Đã kiểm tra tại xưởng")
    page.get_by_label("Số văn bản xác nhận").fill("45/XN-SCT")
    page.get_by_role("button", name="Lưu đánh giá và lập văn bản xác nhận").click()
    expect(page.get_by_role("heading", name="GIẤY XÁC NHẬN")).to_be_visible()
    assert page.locator(".qr svg").count() == 1
    # printed (Chromium's own PDF): one A4 page, the national title on one line, QR and signer on it
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    if pages != 1:
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / "letter.pdf").write_bytes(pdf)
    assert pages == 1, f"the letter prints on {pages} pages (tests/functional/browser/screenshots/letter.pdf)"
    page.emulate_media(media="print")
    nation = page.locator(".nation p").first
    assert nation.evaluate("p => p.getClientRects().length") == 1 and nation.bounding_box()["height"] < 30
    expect(page.locator(".sign")).to_contain_text("PHÓ GIÁM ĐỐC")
    expect(page.locator(".letter-head .issuer")).to_contain_text("UBND TỈNH BẮC NINH")
    page.emulate_media(media="screen")
    verify = re.search(r"(/verify/[\w-]+)", page.content()).group(1)
    page.goto(verify)
    expect(page.get_by_text("Giấy xác nhận HỢP LỆ")).to_be_visible()
    page.goto(f"/enterprises/{live_server['own']}")
    expect(page.locator(".badge-staff_assessed")).to_have_text("Đã đánh giá năng lực")
    expect(page.locator(".chip.assessed")).to_contain_text("Hạng A")


def test_buyer_shortlists_and_inquires_then_the_sme_reads_it(browser, page, live_server):
    sign_in(page, "buyer@example.vn")
    page.goto(f"/enterprises/{live_server['own']}")
    page.get_by_role("button", name="Lưu vào danh sách").click()
    expect(page.get_by_text("Đã thêm")).to_be_visible()
    page.get_by_role("link", name="Gửi yêu cầu báo giá").click()
    page.get_by_label("Tiêu đề").fill("Báo giá 5.000 bánh răng")
    page.get_by_label("Nội dung (sản phẩm, số lượng, thời hạn)").fill(
        "Cần báo giá trước 30/12, giao hàng tại Bắc Ninh."
    )
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_text("Đã gửi yêu cầu tới doanh nghiệp.")).to_be_visible()
    page.goto("/shortlists")
    expect(page.get_by_role("link", name=live_server["own_name"])).to_be_visible()

    sme = browser.new_context(base_url=live_server["url"], locale="vi-VN").new_page()
    sign_in(sme, "sme@example.vn")
    expect(sme.locator("nav .count")).to_have_text("1")
    sme.get_by_role("link", name=re.compile("Hộp thư")).click()
    expect(sme.get_by_text("Báo giá 5.000 bánh răng")).to_be_visible()
    expect(sme.get_by_text("Canon Việt Nam")).to_be_visible()
    sme.context.close()


def test_language_switch(page, live_server):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Statistics")).to_be_visible()
    page.goto("/statistics")  # the choice is remembered
    expect(page.locator("h1")).to_have_text("Supporting-industry statistics")
    assert page.locator("[data-chart=sector] meter.bar").count() >= 4
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("h1")).to_have_text("Thống kê doanh nghiệp công nghiệp hỗ trợ")


A11Y_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
    const name = (el.labels && el.labels.length ? el.labels[0].innerText : '') || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.getAttribute('title') || (el.tagName === 'BUTTON' ? el.innerText : '');
    if (!name || !name.trim()) bad.push(el.outerHTML.slice(0, 120));
  }
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) bad.push(img.outerHTML.slice(0, 120));
  if (!document.documentElement.lang) bad.push('html without lang');
  if (document.querySelectorAll('h1').length !== 1) bad.push('h1 count ' + document.querySelectorAll('h1').length);
  return bad;
}"""


def test_every_control_has_an_accessible_name(page, live_server):
    from tests.functional.browser.pages import sign_in

    public = [
        "/",
        "/search?q=khuon",
        "/enterprises",
        f"/enterprises/{live_server['own']}",
        "/statistics",
        "/requirements",
        "/events",
        "/localisation/published",
        "/login",
        "/register",
        "/password/forgot",
    ]
    for url in public:
        page.goto(url)
        assert page.evaluate(A11Y_CHECK) == [], url
    sign_in(page, "staff@example.vn")
    for url in [
        "/staff/",
        "/staff/imports",
        f"/enterprises/{live_server['own']}/assess",
        "/requirements/new",
        "/events/new",
        "/localisation",
        f"/enterprises/{live_server['own']}/edit",
    ]:
        page.goto(url)
        assert page.evaluate(A11Y_CHECK) == [], url


def test_keyboard_reaches_the_search_box_and_submits(page, live_server):
    page.goto("/")
    page.keyboard.press("Tab")  # skip link first
    expect(page.locator("a.skip")).to_be_focused()
    page.get_by_label("Tìm nhà cung ứng").focus()
    page.keyboard.type("de giay eva")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=de\+giay\+eva"))
    expect(page.locator("[data-testid=result-count]")).not_to_have_text(re.compile(r"^0 "))


def test_sorting_results_by_name(page, live_server):
    page.goto("/search?q=co+khi")
    page.get_by_label("Sắp xếp").select_option("name")
    page.wait_for_url(re.compile(r"sort=name"))
    names = page.locator("main .results article h3 a").all_inner_texts()
    from vnsearch.analysis import fold

    assert len(names) > 3 and [fold(n) for n in names] == sorted(fold(n) for n in names)


def test_phone_search_shows_results_first_with_filters_in_a_drawer(browser, live_server):
    context = browser.new_context(
        base_url=live_server["url"], locale="vi-VN", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto("/search?q=khuon&sector=mechanical")
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 70, header  # was 193–234 px with the menu always open
        first = page.locator(".results .card").first
        assert first.bounding_box()["y"] < 450  # the first result is on the first screen
        expect(page.locator(".facets")).to_be_hidden()
        chip = page.get_by_test_id("active-filter")
        expect(chip).to_have_count(1)
        page.get_by_role("button", name="Bộ lọc (1)").click()
        expect(page.locator(".facets")).to_be_visible()
        assert (
            page.locator(".facets").bounding_box()["y"] < first.bounding_box()["y"]
        )  # opens above the results
        page.get_by_role("button", name="Menu").click()
        links = page.locator("#main-nav a")
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box["height"] >= 24, (links.nth(i).inner_text(), box)  # tap targets
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#main-nav")).to_be_hidden()
        chip.click()
        page.wait_for_url(lambda url: "sector=" not in url)
        expect(page.get_by_test_id("active-filter")).to_have_count(0)
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= 390
        )  # nothing pushes the page sideways
    finally:
        page.close()
        context.close()


PHONE_PAGES = ("/", "/statistics", "/enterprises", "/requirements", "/connections", "/login", "/register")


def test_phone_pages_fit_the_screen_and_charts_read(browser, live_server):
    """At 390 px every public page stays within the screen, and the statistics are text of the page's
    own size (an SVG scaled to a phone had ~6 px labels)."""
    context = browser.new_context(
        base_url=live_server["url"], locale="vi-VN", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    try:
        for path in (
            *PHONE_PAGES,
            f"/enterprises/{live_server['own']}",
            f"/compare?ref={live_server['own']}",
        ):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
        page.goto("/statistics")
        label = page.locator("[data-chart=sector] .lbl").first
        size = float(label.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
        assert size >= 12, size
        bar = page.locator("[data-chart=sector] meter.bar").first.bounding_box()
        assert bar["width"] >= 200, bar  # the bar takes the row under its label
        expect(page.get_by_role("link", name="XLSX").first).to_be_visible()
        page.get_by_role("combobox", name="Ngành").select_option("mechanical")
        page.get_by_role("button", name="Xem").click()
        page.wait_for_url(lambda url: "sector=mechanical" in url)
        expect(page.locator("[data-chart=sector]")).to_have_count(0)
    finally:
        page.close()
        context.close()


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (
            "sme@example.vn",
            ("/account", "/enterprises/{own}/edit", "/opportunities", "/inbox"),
        ),
        (
            "staff@example.vn",
            (
                "/staff/",
                "/staff/verification",
                "/staff/imports",
                "/requirements/new",
                "/events",
                "/localisation",
            ),
        ),
        ("buyer@example.vn", ("/requirements/new", "/shortlists", "/connections")),
    ],
)
def test_signed_in_pages_fit_a_phone(browser, live_server, who, paths):
    """The pages an SME, staff and a buyer work in stay within a 390 px screen."""
    context = browser.new_context(
        base_url=live_server["url"], locale="vi-VN", viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    try:
        sign_in(page, who)
        for path in paths:
            path = path.format(own=live_server["own"])
            response = page.goto(path)
            assert response.status < 400, (path, response.status)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (who, path, width)
    finally:
        page.close()
        context.close()
