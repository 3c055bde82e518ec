"""Every label of a stored code (verification level, role, claim, ownership, size, connection stage,
import job, facet), in both languages: templates, the API's facet labels and exports read them here."""

from __future__ import annotations

from cnht.i18n import Msg, localize

VERIFICATION = {
    "unverified": Msg("Chưa xác minh", "Not verified"),
    "self_declared": Msg("Tự khai báo", "Self-declared"),
    "documents_checked": Msg("Đã kiểm tra hồ sơ", "Documents checked"),
    "staff_assessed": Msg("Đã đánh giá năng lực", "Staff-assessed"),
}
ROLE = {
    "admin": Msg("Quản trị hệ thống", "Administrator"),
    "staff": Msg("Cán bộ Sở Công Thương", "Department staff"),
    "sme": Msg("Doanh nghiệp cung ứng", "Supplier (SME)"),
    "buyer": Msg("Bên mua", "Buyer"),
}
CLAIM = {
    "pending": Msg("Chờ duyệt", "Pending"),
    "approved": Msg("Đã duyệt", "Approved"),
    "rejected": Msg("Bị từ chối", "Rejected"),
}
OWNERSHIP = {
    "private": Msg("Tư nhân", "Private"),
    "state": Msg("Nhà nước", "State-owned"),
    "fdi": Msg("Vốn đầu tư nước ngoài (FDI)", "Foreign-invested (FDI)"),
    "joint_venture": Msg("Liên doanh", "Joint venture"),
}
# the short forms written in spreadsheets (the import reads them back: enterprises.fields.OwnershipField)
OWNERSHIP_SHEET = {"private": "Tư nhân", "state": "Nhà nước", "fdi": "FDI", "joint_venture": "Liên doanh"}
# capacity units as firms write them, for English pages (the Vietnamese word stays on Vietnamese pages)
UNIT_EN = {
    "chiếc": "pcs",
    "cái": "pcs",
    "sản phẩm": "pcs",
    "bộ": "sets",
    "đôi": "pairs",
    "tấn": "t",
    "tấm": "sheets",
    "cuộn": "rolls",
    "mét": "m",
    "thùng": "cartons",
    "hộp": "boxes",
    "lô": "lots",
}
PERIOD = {
    "day": Msg("ngày", "day"),
    "week": Msg("tuần", "week"),
    "month": Msg("tháng", "month"),
    "year": Msg("năm", "year"),
}
SIZE = {
    "micro": Msg("Siêu nhỏ", "Micro"),
    "small": Msg("Nhỏ", "Small"),
    "medium": Msg("Vừa", "Medium"),
    "large": Msg("Lớn", "Large"),
}
STAGE = {
    "proposed": Msg("Cán bộ Sở đề xuất", "Proposed by staff"),
    "shortlisted": Msg("Đã đưa vào danh sách", "Shortlisted"),
    "invited": Msg("Đã mời báo giá", "Invited to quote"),
    "interested": Msg("Doanh nghiệp quan tâm", "Supplier interested"),
    "contacted": Msg("Đã liên hệ", "Contacted"),
    "quotation": Msg("Đã báo giá", "Quotation received"),
    "sample": Msg("Làm mẫu", "Sample"),
    "contract_signed": Msg("Đã ký hợp đồng", "Contract signed"),
    "declined": Msg("Dừng", "Declined"),
}
JOB_STATUS = {
    "uploaded": Msg("Đã tải lên", "Uploaded"),
    "running": Msg("Đang nhập", "Running"),
    "done": Msg("Hoàn tất", "Done"),
    "failed": Msg("Lỗi", "Failed"),
    "interrupted": Msg(
        "Bị ngắt (máy chủ đã khởi động lại), không có gì được ghi — hãy chạy lại",
        "Interrupted (the server restarted), nothing was written — run it again",
    ),
}
FACET_TITLES = {
    "sector": Msg("Ngành", "Sector"),
    "province": Msg("Tỉnh/thành phố", "Province"),
    "certification": Msg("Chứng chỉ", "Certification"),
    "ownership": Msg("Sở hữu", "Ownership"),
    "size": Msg("Quy mô", "Size"),
    "verified": Msg("Xác minh", "Verification"),
}
VERIFIED_FACET = {"true": Msg("Đã xác minh", "Verified"), "false": Msg("Chưa xác minh", "Not verified")}
# how certification keys are usually written (keys are upper-cased for comparison)
CERT_DISPLAY = {
    "ROHS": "RoHS",
    "OEKO-TEX STANDARD 100": "OEKO-TEX Standard 100",
    "GLOBALG.A.P": "GlobalG.A.P",
}
UNKNOWN = Msg("Chưa rõ", "Unknown")


EVENT_STATUS = {
    "draft": Msg("Bản nháp", "Draft"),
    "registration": Msg("Đang nhận đăng ký", "Registration open"),
    "requests": Msg("Đang gửi yêu cầu gặp", "Meeting requests open"),
    "scheduling": Msg("Đang xếp lịch", "Scheduling"),
    "preliminary": Msg("Đã gửi lịch dự kiến", "Preliminary agenda sent"),
    "final": Msg("Đã gửi lịch chính thức", "Final agenda sent"),
    "closed": Msg("Đã kết thúc", "Closed"),
}
MEETING_STATUS = {
    "pending": Msg("Chờ trả lời", "Pending"),
    "accepted": Msg("Đã nhận lời", "Accepted"),
    "declined": Msg("Từ chối", "Declined"),
    "expired": Msg("Hết hạn", "Expired"),
    "cancelled": Msg("Đã hủy", "Cancelled"),
    "scheduled": Msg("Đã xếp lịch", "Scheduled"),
    "locked": Msg("Đã khóa", "Locked"),
    "held": Msg("Đã gặp", "Held"),
    "no_show": Msg("Vắng mặt", "No-show"),
}
PARTICIPANT_STATUS = {
    "pending": Msg("Chờ duyệt", "Awaiting approval"),
    "confirmed": Msg("Đã xác nhận", "Confirmed"),
    "declined": Msg("Không được duyệt", "Declined"),
    "withdrawn": Msg("Đã rút", "Withdrawn"),
}
TABLE_KIND = {
    "public": Msg("Bàn chung", "Public table"),
    "interpreter": Msg("Bàn có phiên dịch", "Interpreter table"),
    "booth": Msg("Gian của nhà cung ứng", "Supplier's booth"),
    "online": Msg("Phòng trực tuyến", "Online room"),
}
NEXT_STEP = {
    "none": Msg("Chưa có", "None yet"),
    "nda_mou": Msg("NDA / biên bản ghi nhớ", "NDA / MOU"),
    "quotation": Msg("Báo giá", "Quotation"),
    "sample": Msg("Mẫu thử", "Sample"),
    "contract": Msg("Hợp đồng", "Contract"),
}

CAMPAIGN_STATUS = {
    "draft": Msg("Bản nháp", "Draft"),
    "open": Msg("Đang thu phiếu", "Collecting"),
    "closed": Msg("Đã đóng", "Closed"),
    "published": Msg("Đã công bố", "Published"),
}
RESPONDENT_STATUS = {
    "invited": Msg("Chưa trả lời", "Not started"),
    "draft": Msg("Đang điền", "Draft"),
    "submitted": Msg("Đã nộp", "Submitted"),
    "validated": Msg("Đã xác nhận", "Validated"),
    "returned": Msg("Trả lại bổ sung", "Returned"),
}
ORIGIN = {
    "imported": Msg("Nhập khẩu", "Imported"),
    "fdi_vn": Msg("Mua của DN FDI tại Việt Nam", "Bought from an FDI firm in Vietnam"),
    "vn_owned": Msg("Mua của DN Việt Nam", "Bought from a Vietnamese-owned firm"),
    "in_house": Msg("Tự sản xuất", "Made in-house"),
    "undetermined": Msg("Chưa xác định", "Undetermined"),
}
WHY_NOT_LOCAL = {
    "no_supplier": Msg("Không biết nhà cung cấp trong nước", "No local supplier known"),
    "quality": Msg("Chất lượng", "Quality"),
    "price": Msg("Giá", "Price"),
    "lead_time": Msg("Thời gian giao hàng", "Lead time"),
    "volume": Msg("Sản lượng", "Volume"),
    "other": Msg("Khác", "Other"),
}
INDICATOR = {
    "enterprises": Msg("Doanh nghiệp trong cơ sở dữ liệu", "Enterprises in the database"),
    "assessed": Msg("Nhà cung ứng đã được Sở đánh giá năng lực", "Suppliers assessed by the Department"),
    "event_meetings": Msg("Cuộc kết nối tại sự kiện (hợp đồng)", "Meetings held at events (contracts)"),
}


def indicator(code: str, lang: str | None = None) -> str:
    if code.startswith("contracts_"):
        return localize(
            Msg(
                "Kết nối thành công (hợp đồng) năm {y}", "Successful connections (contracts) {y}", y=code[10:]
            ),
            lang,
        )
    if code.startswith("lvc_"):
        return localize(
            Msg("Tỷ lệ nội địa hóa (LVC) năm {y}", "Localisation rate (LVC) {y}", y=code[4:]), lang
        )
    return of(INDICATOR, code, lang)


def of(table: dict[str, Msg], code: str | None, lang: str | None = None, default: str | None = None) -> str:
    """The label of ``code`` in ``table`` in the user's language; ``default`` (or the code) if unknown."""
    if not code:
        return default if default is not None else ""
    msg = table.get(code)
    return localize(msg, lang) if msg is not None else (default if default is not None else code)
