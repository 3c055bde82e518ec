"""CLI commands, and the canonical import template imported end to end."""

import csv

import pytest
from sqlalchemy import func, select

from cnht import create_app, migrate
from cnht.accounts.models import User
from cnht.accounts.services import verify_password
from cnht.enterprises.models import Enterprise
from cnht.enterprises.rules import normalize_tax_code

# What each row of shared/data/enterprise_import_template.csv must become, written out by hand.
TEMPLATE_EXPECTED = {
    "0106718351": {
        "name": "Công ty TNHH Cơ khí Chính xác Thành Đạt",
        "name_en": "Thanh Dat Precision Mechanical Co. Ltd",
        "province": {"code": "01", "name": "Hà Nội", "full_name": "Thành phố Hà Nội"},
        "address": "Lô 12, KCN Quang Minh, xã Quang Minh",
        "sectors": ["mechanical"],
        "products": ["Khuôn ép nhựa", "Chi tiết gia công CNC", "Đồ gá"],
        "processes": ["Phay CNC", "Tiện CNC", "Mài phẳng", "Xử lý nhiệt"],
        "certifications": ["ISO 9001:2015"],
        "employees": 120,
        "revenue_bn_vnd": 85.0,
        "founded_year": 2006,
        "ownership": "private",
        "export_markets": ["Nhật Bản", "Hàn Quốc"],
        "key_customers": ["Nhà lắp ráp máy in FDI tại Bắc Ninh", "Nhà sản xuất xe máy tại Hà Nội"],
        "email": "lienhe@thanhdat.example.vn",
        "phone": "+842438123456",
        "website": "https://thanhdat.example.vn",
        "description": "Chuyên thiết kế, chế tạo khuôn ép nhựa và gia công chi tiết chính xác dung sai ±0,01 mm "
        "cho ngành điện tử và xe máy.",
        "size_class": "medium",
    },
    "0313845728": {
        "name": "Công ty Cổ phần Điện tử Sao Việt",
        "name_en": "Sao Viet Electronics JSC",
        "province": {"code": "79", "name": "Hồ Chí Minh", "full_name": "Thành phố Hồ Chí Minh"},
        "address": "Đường số 3, KCX Tân Thuận, phường Tân Thuận",
        "sectors": ["electronics"],
        "products": ["Bo mạch in PCBA", "Dây cáp điện tử", "Bộ nguồn"],
        "processes": ["Hàn dán bề mặt SMT", "Hàn nhúng", "Kiểm tra AOI"],
        "certifications": ["ISO 9001:2015", "ISO 14001:2015", "IATF 16949"],
        "employees": 450,
        "revenue_bn_vnd": 320.0,
        "founded_year": 2011,
        "ownership": "joint_venture",
        "export_markets": ["Hoa Kỳ", "Nhật Bản"],
        "key_customers": ["Nhà sản xuất điện thoại FDI tại Thái Nguyên"],
        "email": "sales@saoviet.example.vn",
        "phone": "+842837701234",
        "website": "https://saoviet.example.vn",
        "description": "Lắp ráp bo mạch điện tử (PCBA) theo đơn đặt hàng, dây SMT tự động 8 line, sản xuất bộ dây "
        "điện (wire harness) cho ô tô.",
        "size_class": "large",
    },
    "3702741967": {
        "name": "Công ty TNHH Phụ liệu May Hưng Phát",
        "name_en": "Hung Phat Garment Accessories Co. Ltd",
        "province": {"code": "79", "name": "Hồ Chí Minh", "full_name": "Thành phố Hồ Chí Minh"},
        "address": "KCN Mỹ Phước 2, phường Bến Cát",
        "sectors": ["textile"],
        "products": ["Khóa kéo", "Nhãn dệt", "Chỉ may", "Mex dựng"],
        "processes": ["Dệt nhãn", "In lụa", "Nhuộm"],
        "certifications": ["OEKO-TEX Standard 100"],
        "employees": 230,
        "revenue_bn_vnd": 140.0,
        "founded_year": 2009,
        "ownership": "private",
        "export_markets": ["EU", "Hoa Kỳ"],
        "key_customers": ["Các doanh nghiệp may xuất khẩu tại TP Hồ Chí Minh"],
        "email": "info@hungphat.example.vn",
        "phone": "+842743567890",
        "website": None,
        "description": "Sản xuất phụ liệu may mặc: khoá kéo kim loại và nhựa; nhãn dệt; chỉ may polyester đạt "
        "chuẩn OEKO-TEX.",
        "size_class": "large",
    },
    "1700984230": {
        "name": "Công ty TNHH Đế giày Phú Quốc",
        "name_en": "Phu Quoc Shoe Soles Co. Ltd",
        "province": {"code": "91", "name": "An Giang", "full_name": "Tỉnh An Giang"},
        "address": "Khu phố 3, phường Rạch Giá",
        "sectors": ["leather_footwear"],
        "products": ["Đế giày cao su", "Đế giày EVA", "Mũ giày"],
        "processes": ["Ép phun EVA", "Lưu hóa cao su", "May mũ giày"],
        "certifications": ["ISO 9001:2015", "LWG"],
        "employees": 600,
        "revenue_bn_vnd": 210.0,
        "founded_year": 2015,
        "ownership": "fdi",
        "export_markets": ["Hoa Kỳ", "EU"],
        "key_customers": ["Nhà máy giày thể thao FDI tại Đồng Nai"],
        "email": "contact@phuquocsoles.example.vn",
        "phone": "+842973861234",
        "website": None,
        "description": "Đế giày thể thao EVA, cao su lưu hoá; năng lực 6 triệu đôi/năm.",
        "size_class": "large",
    },
}


def rows_of(path, encoding="utf-8"):
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_import_template_then_api_returns_every_field(cli_runner, client, template_csv):
    result = cli_runner("import", str(template_csv))
    assert result.exit_code == 0, result.output
    assert "4 mới" in result.output and "4 created" in result.output
    for tax_code, expected in TEMPLATE_EXPECTED.items():
        body = client.get(f"/api/v1/enterprises/{tax_code}").get_json()
        assert body["tax_code"] == tax_code
        got = {
            **{k: body[k] for k in expected if k not in ("sectors", "products", "certifications")},
            "sectors": [s["code"] for s in body["sectors"]],
            "products": [p["name"] for p in body["products"]],
            "certifications": [c["standard"] for c in body["certifications"]],
        }
        assert got == expected, tax_code
        assert body["verification_status"] == "unverified"
    # importing the same file again changes nothing and says so
    again = cli_runner("import", str(template_csv))
    assert "4 không đổi" in again.output and "4 unchanged" in again.output


def test_import_reports_row_errors_and_skips_only_bad_rows(cli_runner, session, tmp_path, template_csv):
    rows = rows_of(template_csv)
    rows[1][0] = "0106718350"  # wrong check digit
    rows[2][3] = "Atlantis"  # unknown province
    rows[3][5] = "Nông nghiệp"  # unknown sector
    rows[4][3] = "Kiên Giang"  # former province: mapped, reported as info
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    report = tmp_path / "report.csv"
    result = cli_runner("import", str(bad), "--report", str(report))
    assert result.exit_code == 0
    assert "1 mới" in result.output and "3 lỗi" in result.output
    lines = rows_of(report, "utf-8-sig")
    assert lines[0][0] == "Dòng / Row"
    by_row = {(int(r[0]), r[3]): r for r in lines[1:]}
    assert "sai chữ số kiểm tra" in by_row[(2, "error")][4] and by_row[(2, "error")][1] == "Mã số thuế"
    assert "Unknown province" in by_row[(3, "error")][4] and by_row[(3, "error")][2] == "Atlantis"
    assert "Unknown sector" in by_row[(4, "error")][4]
    assert "Kiên Giang" in by_row[(5, "info")][4]
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_import_abort_writes_nothing(cli_runner, session, tmp_path, template_csv):
    rows = rows_of(template_csv)
    rows[4][0] = "1700984231"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = cli_runner("import", str(bad), "--on-error", "abort")
    assert result.exit_code == 1
    assert "đã hủy" in result.output
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_import_dry_run_writes_nothing(cli_runner, session, template_csv):
    result = cli_runner("import", str(template_csv), "--dry-run")
    assert result.exit_code == 0
    assert "Sẽ nhập 4 dòng: 4 mới" in result.output
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_import_of_a_file_without_required_columns_fails_clearly(cli_runner, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("Tên doanh nghiệp,Địa chỉ\nA,B\n", encoding="utf-8")
    result = cli_runner("import", str(f))
    assert result.exit_code != 0
    assert "Thiếu cột bắt buộc: Tỉnh/Thành phố, Ngành" in result.output


def test_demo_data_is_large_realistic_valid_and_deterministic(cli_runner, session):
    from cnht.demo import generate

    result = cli_runner("demo")
    assert result.exit_code == 0, result.output
    ents = session.scalars(select(Enterprise)).all()
    assert len(ents) >= 300
    for e in ents:
        assert normalize_tax_code(e.tax_code) == e.tax_code
        assert e.products and e.processes and e.description
    sectors = {s.code for e in ents for s in e.sectors}
    assert {"mechanical", "electronics", "textile", "leather_footwear"} <= sectors
    assert len({e.province_code for e in ents}) >= 15
    assert len({e.name for e in ents}) == len(ents)
    assert not any("Company 1" in e.name or e.name.endswith(" 1") for e in ents)
    assert generate(50, seed=7) == generate(50, seed=7)
    assert generate(50, seed=7) != generate(50, seed=8)
    again = cli_runner("demo")
    assert f"{len(ents)} không đổi/unchanged" in again.output


def test_create_user_hashes_the_password(cli_runner, session):
    result = cli_runner(
        "create-user",
        "--email",
        "Staff@So-Cong-Thuong.vn",
        "--role",
        "staff",
        "--name",
        "Nguyễn Văn An",
        input="mat-khau-rat-dai\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert user.email == "staff@so-cong-thuong.vn"
    assert user.password_hash.startswith("scrypt:")
    assert "mat-khau-rat-dai" not in user.password_hash
    assert verify_password(user, "mat-khau-rat-dai") and not verify_password(user, "wrong")
    dup = cli_runner(
        "create-user",
        "--email",
        "staff@so-cong-thuong.vn",
        "--role",
        "staff",
        "--password",
        "another-long-one",
    )
    assert dup.exit_code != 0 and "đã được dùng" in dup.output
    short = cli_runner("create-user", "--email", "b@x.vn", "--role", "buyer", "--password", "short")
    assert short.exit_code != 0 and "ít nhất 10 ký tự" in short.output


def test_init_db_creates_then_upgrades_idempotently(fresh_database_url, tmp_path):
    from cnht.cli import cli

    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": fresh_database_url, "SECRET_KEY": "x"}
    )
    runner = app.test_cli_runner()
    first = runner.invoke(cli, ["init-db"])
    assert first.exit_code == 0, first.output
    assert "tạo mới / created" in first.output
    assert "provinces 34, legacy_provinces 63, sectors 6, product_categories 41" in first.output
    second = runner.invoke(cli, ["init-db"])
    assert "đã cập nhật / up to date" in second.output
    engine = app.extensions["cnht_db"].engine
    assert migrate.current_revision(engine) is not None
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM province").scalar() == 34
    engine.dispose()


def test_commands_refuse_to_run_before_init_db(tmp_path, fresh_database_url):
    from cnht.cli import cli

    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": fresh_database_url, "SECRET_KEY": "x"}
    )
    result = app.test_cli_runner().invoke(cli, ["demo"])
    assert result.exit_code != 0 and "cnht init-db" in result.output
    app.extensions["cnht_db"].engine.dispose()


def test_serve_and_import_refuse_a_database_older_than_the_code(tmp_path, fresh_database_url):
    """New code on an old schema would answer 500 on every page touching a new column (a kept bench
    instance did): serve and import say to run init-db, which upgrades."""
    from cnht.cli import cli

    app = create_app(
        {"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": fresh_database_url, "SECRET_KEY": "x"}
    )
    engine = app.extensions["cnht_db"].engine
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    head = migrate.current_revision(engine)
    migrate.downgrade(engine, "-1")
    older = migrate.current_revision(engine)
    assert older != head
    sheet = tmp_path / "list.csv"
    sheet.write_text("Mã số thuế,Tên doanh nghiệp\n", encoding="utf-8")
    for args in (["serve", "--port", "1"], ["import", str(sheet)]):
        result = runner.invoke(cli, args)
        assert result.exit_code != 0
        assert (
            f"phiên bản {older}" in result.output
            and head in result.output
            and "cnht init-db" in result.output
        )
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    assert migrate.current_revision(engine) == head
    result = runner.invoke(cli, ["export", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    engine.dispose()


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"], ["import", "--help"]])
def test_help_is_bilingual(cli_runner, args):
    result = cli_runner(*args)
    assert result.exit_code == 0


def test_demo_accounts_sign_in_and_requests_are_created_once(cli_runner, client, session):
    import re

    from sqlalchemy import func, select

    from cnht.accounts.models import User
    from cnht.matching.models import SourcingRequirement

    out = cli_runner("demo", "--count", "20", "--accounts").output
    creds = dict(re.findall(r"demo account\s+\w+\s+(\S+)\s+(\S+)", out))
    assert set(creds) == {"canbo@demo.cnht.vn", "doanhnghiep@demo.cnht.vn", "benmua@demo.cnht.vn"}
    sme = session.scalar(select(User).where(User.email == "doanhnghiep@demo.cnht.vn"))
    assert sme.role == "sme" and sme.enterprise_id is not None
    n = session.scalar(select(func.count()).select_from(SourcingRequirement))
    assert n == 5
    out2 = cli_runner("demo", "--count", "20", "--accounts").output
    assert session.scalar(select(func.count()).select_from(SourcingRequirement)) == n
    new = dict(re.findall(r"demo account\s+\w+\s+(\S+)\s+(\S+)", out2))
    assert new["canbo@demo.cnht.vn"] != creds["canbo@demo.cnht.vn"]  # fresh passwords each run
    from tests.client import login

    assert login(client, "canbo@demo.cnht.vn", new["canbo@demo.cnht.vn"]).status_code == 302
    assert client.get("/staff/").status_code == 200
