"""Pages for localisation surveys: the statisticians' campaigns, respondents, validation, reports, leads
and programme indicators; the respondents' token form and self-assessment; the published figures."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from cnht.accounts import auth
from cnht.db import session
from cnht.i18n import current_lang, localize
from cnht.localisation import disclosure, formulas, services
from cnht.localisation.models import WHY_NOT_LOCAL, Campaign, Respondent, Target
from cnht.localisation.schemas import CampaignIn, ReturnIn, TargetIn
from cnht.reference import province_name, resolve_province, sector_label
from cnht.urls import external_url
from cnht.web.forms import form_errors, load_form

bp = Blueprint("localisation", __name__, template_folder="templates")
JETRO = [  # JETRO local procurement of Japanese-affiliated firms in Vietnam (../shared/data/jetro_local_procurement.csv)
    (2010, 22.4),
    (2012, 27.9),
    (2015, 32.1),
    (2016, 34.2),
    (2017, 33.2),
    (2018, 36.3),
    (2020, 37.0),
    (2021, 37.4),
    (2022, 37.3),
    (2023, 41.9),
    (2024, 36.6),
    (2025, 38.1),
]
BLANK_PRODUCTS, BLANK_INPUTS = 1, 3


def _campaign(cid: int) -> Campaign:
    c = session.get(Campaign, cid)
    if c is None:
        abort(404)
    return c


def token_link(r: Respondent) -> str:
    return external_url("localisation.survey_form", token=r.token)


def _label(metric: str) -> str:
    return formulas.METHODS[metric]


@bp.app_context_processor
def _helpers():
    lang = current_lang()

    def warning_label(code: str) -> str:
        vi_en = formulas.WARNINGS.get(code)
        return (vi_en[1] if lang == "en" else vi_en[0]) if vi_en else code

    return {"warning_label": warning_label, "method_label": _label}


# ---------------------------------------------------------------- staff


@bp.route("/localisation")
@auth.roles_required("staff")
def campaign_list():
    campaigns = session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
    targets = session.scalars(select(Target).order_by(Target.sector_code, Target.target_year)).all()
    return render_template("localisation/list.html", campaigns=campaigns, targets=targets, errors={}, form={})


@bp.route("/localisation/new", methods=["POST"])
@auth.roles_required("staff")
def campaign_new():
    data, errors = load_form(
        CampaignIn(), {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    )
    if data is None:
        flash("; ".join(f"{k}: {m}" for k, ms in errors.items() for m in ms), "error")
        return redirect(url_for("localisation.campaign_list"))
    c = services.save_campaign(session, data, auth.user_or_none())
    session.commit()
    return redirect(url_for("localisation.campaign_detail", cid=c.id))


@bp.route("/localisation/targets", methods=["POST"])
@auth.roles_required("staff")
def target_new():
    data, errors = load_form(
        TargetIn(), {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    )
    if data is None:
        flash("; ".join(f"{k}: {m}" for k, ms in errors.items() for m in ms), "error")
        return redirect(url_for("localisation.campaign_list") + "#targets")
    province = data.pop("province", None)
    match = resolve_province(province) if province else None
    session.add(Target(province_code=match.code if match else None, **data))
    session.commit()
    flash(_("Đã lưu chỉ tiêu."), "success")
    return redirect(url_for("localisation.campaign_list") + "#targets")


@bp.route("/localisation/<int:cid>")
@auth.roles_required("staff")
def campaign_detail(cid: int):
    c = _campaign(cid)
    respondents = session.scalars(services.respondents_query(cid)).all()
    counts: dict[str, int] = defaultdict(int)
    for r in respondents:
        counts[r.status] += 1
    return render_template(
        "localisation/campaign.html", c=c, respondents=respondents, counts=counts, token_link=token_link
    )


@bp.route("/localisation/<int:cid>/edit", methods=["POST"])
@auth.roles_required("staff")
def campaign_edit(cid: int):
    c = _campaign(cid)
    data, errors = load_form(
        CampaignIn(partial=True), {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    )
    if data is None:
        flash("; ".join(f"{k}: {m}" for k, ms in errors.items() for m in ms), "error")
    else:
        services.save_campaign(session, data, auth.user_or_none(), c)
        session.commit()
        flash(_("Đã lưu."), "success")
    return redirect(url_for("localisation.campaign_detail", cid=c.id))


@bp.route("/localisation/<int:cid>/respondents", methods=["POST"])
@auth.roles_required("staff")
def respondents_add(cid: int):
    c = _campaign(cid)
    refs = [x for x in re.split(r"[\s,;]+", request.form.get("refs", "")) if x]
    role = "supplier" if request.form.get("role") == "supplier" else "final"
    made, missing = services.add_respondents(session, c, refs[:2000], auth.user_or_none(), role=role)
    session.commit()
    flash(_("Đã thêm %(n)s doanh nghiệp.", n=len(made)), "success")
    if missing:
        flash(_("Không tìm thấy: %(v)s", v=", ".join(missing[:20])), "error")
    return redirect(url_for("localisation.campaign_detail", cid=c.id))


@bp.route("/localisation/<int:cid>/remind", methods=["POST"])
@auth.roles_required("staff")
def remind(cid: int):
    c = _campaign(cid)
    n = services.remind(session, c, auth.user_or_none(), token_link, force=bool(request.form.get("force")))
    session.commit()
    flash(_("Đã gửi %(n)s thư nhắc.", n=n), "success")
    return redirect(url_for("localisation.campaign_detail", cid=c.id))


@bp.route("/localisation/<int:cid>/respondents/<int:rid>", methods=["GET", "POST"])
@auth.roles_required("staff")
def respondent_review(cid: int, rid: int):
    c = _campaign(cid)
    r = session.get(Respondent, rid)
    if r is None or r.campaign_id != c.id:
        abort(404)
    if request.method == "POST":
        try:
            services.validate(
                session,
                r,
                auth.user_or_none(),
                accept=request.form.get("decision") == "accept",
                note=request.form.get("note"),
            )
            session.commit()
            flash(_("Đã cập nhật."), "success")
        except services.SurveyError as exc:
            session.rollback()
            flash(localize(exc.msg), "error")
        return redirect(url_for("localisation.campaign_detail", cid=c.id))
    return render_template("localisation/review.html", c=c, r=r, rates=services.firm_rates(r))


def _table(c: Campaign, metric: str):
    agg = services.aggregate(session, c, metric)
    rows = sorted({k[0] for k in agg.cells if k[0] != disclosure.TOTAL})
    cols = sorted({k[1] for k in agg.cells if k[1] != disclosure.TOTAL})
    return agg, rows, cols


@bp.route("/localisation/<int:cid>/report")
@auth.roles_required("staff")
def campaign_report(cid: int):
    c = _campaign(cid)
    metric = request.args.get("metric", "lvc_indirect")
    if metric not in services.METRIC_SUMS:
        abort(404)
    agg, rows, cols = _table(c, metric)
    return render_template(
        "localisation/report.html",
        c=c,
        agg=agg,
        rows=rows,
        cols=cols,
        metric=metric,
        staff=True,
        TOTAL=disclosure.TOTAL,
        province_name=province_name,
        chart=_chart(metric),
    )


@bp.route("/localisation/<int:cid>/export.xlsx")
@auth.roles_required("staff")
def campaign_export(cid: int):
    from openpyxl import Workbook  # noqa: PLC0415 — only the export needs it

    c = _campaign(cid)
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for metric in services.METRIC_SUMS:
        agg, rows, cols = _table(c, metric)
        ws = wb.create_sheet(metric)
        ws.append([_label(metric)])
        ws.append(["Ngành / Sector", *[province_name(col) or col for col in cols], "Tổng / Total"])
        for row in [*rows, disclosure.TOTAL]:
            line: list[str | float] = [sector_label(row) if row != disclosure.TOTAL else "Tổng / Total"]
            for col in [*cols, disclosure.TOTAL]:
                v = agg.rate((row, col))
                line.append(float(v) if v is not None else ("x" if (row, col) in agg.cells else ""))
            ws.append(line)
        ws.append(["x = không công bố (bảo mật số liệu) / suppressed (confidentiality)"])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(
        buf.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="localisation-{c.year}.xlsx"'},
    )


@bp.route("/localisation/<int:cid>/leads", methods=["GET", "POST"])
@auth.roles_required("staff")
def campaign_leads(cid: int):
    c = _campaign(cid)
    found = services.leads(session, c)
    if request.method == "POST":
        key = request.form.get("key")
        lead = next((g for g in found if g["key"] == key), None)
        if lead is None:
            abort(404)
        buyer_id = request.form.get("buyer_id")
        if buyer_id:
            buyer = next((b for b in services.event_buyers(session) if str(b.id) == buyer_id), None)
            if buyer is None:
                abort(404)
            services.lead_to_item(session, lead, buyer, auth.user_or_none())
            session.commit()
            flash(_("Đã thêm vào danh mục cần mua của sự kiện."), "success")
            return redirect(url_for("events.manage", event_id=buyer.event_id) + "#items")
        req = services.lead_to_requirement(session, lead, auth.user_or_none(), c)
        session.commit()
        flash(_("Đã tạo nhu cầu tìm nhà cung ứng từ đầu mối."), "success")
        return redirect(url_for("matching.requirement_detail", req_id=req.id))
    return render_template("localisation/leads.html", c=c, leads=found, buyers=services.event_buyers(session))


@bp.route("/localisation/indicators")
@auth.roles_required("staff")
def indicators():
    return render_template("localisation/indicators.html", items=services.indicators(session))


# ---------------------------------------------------------------- respondents (token)


def _respondent(token: str) -> Respondent:
    r = services.by_token(session, token)
    if r is None:
        abort(404)
    return r


def _parse_return(form) -> dict:
    """Flat form fields (p0-name, p0-i2-value…) → the nested return the schema validates. Rows left blank
    are not rows."""
    products: dict[int, dict] = defaultdict(lambda: {"inputs": defaultdict(dict)})
    for key, value in form.items():
        m = re.fullmatch(r"p(\d{1,3})-(?:i(\d{1,3})-)?(\w+)", key)
        if not m or value == "":
            continue
        p, i, field = int(m.group(1)), m.group(2), m.group(3)
        if i is None:
            products[p][field] = value
        else:
            products[p]["inputs"][int(i)][field] = value
    out = []
    for p in sorted(products):
        prod = dict(products[p])
        inputs = [prod["inputs"][i] for i in sorted(prod["inputs"])]
        prod["inputs"] = [x for x in inputs if x.get("name") or x.get("value")]
        for x in prod["inputs"]:
            x["declared"] = x.get("declared") == "1"
        if set(prod) - {"inputs"} or prod["inputs"]:
            out.append(prod)
    return {"method": form.get("method") or None, "products": out}


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey_form(token: str):
    r = _respondent(token)
    errors: dict = {}
    if request.method == "POST":
        raw = _parse_return(request.form)
        schema = ReturnIn()
        schema.from_form = True  # type: ignore[attr-defined]
        from marshmallow import ValidationError  # noqa: PLC0415

        try:
            data = schema.load(raw)
        except ValidationError as exc:
            errors = form_errors(exc.messages)
            data = None
        if data is not None:
            try:
                services.save_return(session, r, data, submit=request.form.get("action") == "submit")
                session.commit()
                flash(_("Đã gửi phiếu. Cảm ơn!") if r.status == "submitted" else _("Đã lưu nháp."), "success")
                return redirect(url_for("localisation.survey_form", token=token))
            except services.SurveyError as exc:
                session.rollback()
                errors = {"_": [localize(exc.msg)]}
        return render_template(
            "localisation/survey.html",
            r=r,
            c=r.campaign,
            errors=errors,
            form=request.form,
            products=[],
            blank_products=BLANK_PRODUCTS,
            blank_inputs=BLANK_INPUTS,
            origins=formulas.ORIGINS,
            why=WHY_NOT_LOCAL,
            rates=None,
        ), 400
    return render_template(
        "localisation/survey.html",
        r=r,
        c=r.campaign,
        errors=errors,
        form={},
        products=r.products,
        blank_products=BLANK_PRODUCTS,
        blank_inputs=BLANK_INPUTS,
        origins=formulas.ORIGINS,
        why=WHY_NOT_LOCAL,
        rates=services.firm_rates(r),
    )


TEMPLATE_COLUMNS = [  # (header, product or input field)
    ("Sản phẩm / Product", "p:name"),
    ("Mã HS", "p:hs_code"),
    ("Mã VSIC", "p:vsic_code"),
    ("Sản lượng", "p:output_qty"),
    ("Giá xuất xưởng / Ex-works", "p:ex_works"),
    ("Chi phí đến FOB", "p:other_costs"),
    ("FOB", "p:fob"),
    ("Nhân công / Labour", "p:labour"),
    ("Chi phí phân bổ / Overhead", "p:overhead"),
    ("Lợi nhuận / Profit", "p:profit"),
    ("Đầu vào / Input", "i:name"),
    ("Trị giá / Value", "i:value"),
    ("Xuất xứ / Origin", "i:origin"),
    ("MST nhà cung cấp", "i:supplier_tax_code"),
    ("HS6", "i:hs6"),
    ("Khai xuất xứ (1/0)", "i:declared"),
    ("Lý do không mua trong nước", "i:why_not_local"),
]


@bp.route("/survey/<token>/template.xlsx")
def survey_template(token: str):
    """The return as a spreadsheet (one row per input line, the product's figures on its first row), for
    firms that answer from their accounting exports; the same file comes back through the upload."""
    from openpyxl import Workbook  # noqa: PLC0415 — only the spreadsheet needs it

    r = _respondent(token)
    wb = Workbook()
    ws = wb.create_sheet("Phieu", 0)
    wb.remove(wb.worksheets[1])
    ws.append([h for h, _f in TEMPLATE_COLUMNS])
    ws.append(["Xuất xứ: " + ", ".join(formulas.ORIGINS) + " · Lý do: " + ", ".join(WHY_NOT_LOCAL)])
    for p in r.products:
        for n, i in enumerate(p.inputs or [None]):
            row: list = []
            for _h, f in TEMPLATE_COLUMNS:
                kind, name = f.split(":")
                if kind == "p":
                    row.append(getattr(p, name) if n == 0 or name == "name" else None)
                else:
                    v = getattr(i, name) if i is not None else None
                    row.append(int(v) if isinstance(v, bool) else v)
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(
        buf.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="phieu-{r.campaign.year}.xlsx"'},
    )


@bp.route("/survey/<token>/upload", methods=["POST"])
def survey_upload(token: str):
    from marshmallow import ValidationError  # noqa: PLC0415
    from openpyxl import load_workbook  # noqa: PLC0415

    r = _respondent(token)
    f = request.files.get("file")
    if f is None or not (f.filename or "").lower().endswith(".xlsx"):
        flash(_("Chọn tệp .xlsx theo mẫu."), "error")
        return redirect(url_for("localisation.survey_form", token=token))
    try:
        ws = load_workbook(f.stream, read_only=True, data_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    except Exception:
        flash(_("Không đọc được tệp: hãy dùng mẫu tải về."), "error")
        return redirect(url_for("localisation.survey_form", token=token))
    products: list[dict] = []
    for row in rows[2:]:
        if not row or all(v in (None, "") for v in row):
            continue
        vals = {
            f: row[k]
            for k, (_h, f) in enumerate(TEMPLATE_COLUMNS)
            if k < len(row) and row[k] not in (None, "")
        }
        name = vals.get("p:name")
        if name and (not products or products[-1]["name"] != name):
            products.append({"name": str(name), "inputs": []})
        if not products:
            continue
        for key, v in vals.items():
            kind, field = key.split(":")
            if kind == "p" and field != "name":
                products[-1][field] = str(v)
        inp = {
            k.split(":")[1]: (str(v) if not isinstance(v, bool) else v)
            for k, v in vals.items()
            if k.startswith("i:")
        }
        if inp:
            inp["declared"] = str(inp.get("declared", "0")).strip() in ("1", "True", "true", "x")
            products[-1]["inputs"].append(inp)
    try:
        schema = ReturnIn()
        schema.from_form = True  # type: ignore[attr-defined]
        data = schema.load({"products": products, "method": r.method})
        services.save_return(session, r, data, submit=False)
        session.commit()
        flash(_("Đã nhập %(n)s sản phẩm từ tệp (bản nháp).", n=len(products)), "success")
    except ValidationError as exc:
        flash(
            "; ".join(f"{k}: {m}" for k, ms in form_errors(exc.messages).items() for m in ms)[:900], "error"
        )
    except services.SurveyError as exc:
        session.rollback()
        flash(localize(exc.msg), "error")
    return redirect(url_for("localisation.survey_form", token=token))


@bp.route("/survey/<token>/result")
def survey_result(token: str):
    r = _respondent(token)
    aggregates = {}
    if r.campaign.status == "published":
        frozen = services.Frozen.of(r.campaign, r.method)
        aggregates = {k[0]: frozen.rate(k) for k in frozen.status if k[1] == disclosure.TOTAL}
    return render_template(
        "localisation/result.html", r=r, c=r.campaign, rates=services.firm_rates(r), aggregates=aggregates
    )


# ---------------------------------------------------------------- public


@bp.route("/localisation/published")
def published():
    metric = request.args.get("metric", "lvc_indirect")
    if metric not in services.METRIC_SUMS:
        abort(404)
    campaigns = session.scalars(
        select(Campaign).where(Campaign.status == "published").order_by(Campaign.year.desc())
    ).all()
    c = campaigns[0] if campaigns else None
    agg, rows, cols = None, [], []
    if c is not None:  # the figures as published, never re-aggregated on a public page
        agg = services.Frozen.of(c, metric)
        rows = sorted({k[0] for k in agg.status if k[0] != disclosure.TOTAL})
        cols = sorted({k[1] for k in agg.status if k[1] != disclosure.TOTAL})
    return render_template(
        "localisation/report.html",
        c=c,
        agg=agg,
        rows=rows or [],
        cols=cols or [],
        metric=metric,
        staff=False,
        TOTAL=disclosure.TOTAL,
        province_name=province_name,
        chart=_chart(metric),
        campaigns=campaigns,
    )


def _chart(metric: str) -> dict:
    """Sector lines by year, target points, and the JETRO series as a labelled reference (procurement only:
    it measures procurement, not value content)."""
    lines = services.series(session, metric)
    targets = session.scalars(select(Target).where(Target.metric == metric)).all()
    marks = []
    for t in targets:
        level = services.target_path(t, lines.get(t.sector_code, []))
        if level is not None:
            marks.append(
                {"sector": t.sector_code, "year": t.target_year, "value": float(level), "source": t.source}
            )
    return {
        "lines": {
            k: [(y, float(v) if v is not None else None) for y, v in rows] for k, rows in lines.items()
        },
        "targets": marks,
        "reference": JETRO if metric == "procurement" else [],
    }


def decimal_or_none(v) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v))
