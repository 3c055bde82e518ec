"""REST: published localisation figures (public), a campaign's aggregates (staff), and a respondent's own
return through its private token (an answering system can send it as JSON)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields, validate

from cnht.accounts.auth import user_or_none
from cnht.api import ApiBlueprint, deny
from cnht.db import session
from cnht.i18n import Msg
from cnht.localisation import disclosure, services
from cnht.localisation.models import Campaign
from cnht.localisation.schemas import ReturnIn

blp = ApiBlueprint(
    "localisation_api",
    __name__,
    url_prefix="/api/v1/localisation",
    description="Điều tra tỷ lệ nội địa hóa / Localisation surveys",
)


class MetricArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    metric = fields.String(load_default="lvc_indirect", validate=validate.OneOf(tuple(services.METRIC_SUMS)))


class CellOut(Schema):
    sector = fields.String()
    province = fields.String(metadata={"description": "2025 province code, or * for all"})
    status = fields.String(metadata={"description": "published | suppressed"})
    rate = fields.String(allow_none=True)
    output = fields.String(allow_none=True, metadata={"description": "output covered, million VND"})
    firms = fields.Integer(allow_none=True)


class AggregateOut(Schema):
    year = fields.Integer()
    metric = fields.String()
    method = fields.String()
    cells = fields.List(fields.Nested(CellOut))


def _out(c: Campaign, metric: str) -> dict:
    agg = services.aggregate(session, c, metric)
    return {
        "year": c.year,
        "metric": metric,
        "method": services.formulas.METHODS[metric],
        "cells": agg.published(),
    }


@blp.route("/published")
@blp.arguments(MetricArgs, location="query", as_kwargs=True)
@blp.response(200, AggregateOut(many=True))
def published(metric: str):
    """Số liệu đã công bố (ô bị che khi có thể lộ số liệu doanh nghiệp) / Published figures, suppressed
    cells withheld"""
    from sqlalchemy import select  # noqa: PLC0415

    campaigns = session.scalars(
        select(Campaign).where(Campaign.status == "published").order_by(Campaign.year)
    ).all()
    # the figures as published (frozen at publication), never re-aggregated
    return [
        {
            "year": c.year,
            "metric": metric,
            "method": services.formulas.METHODS[metric],
            "cells": (c.snapshot or {}).get(metric, {}).get("cells", []),
        }
        for c in campaigns
    ]


@blp.route("/campaigns/<int:cid>/aggregate")
@blp.arguments(MetricArgs, location="query", as_kwargs=True)
@blp.response(200, AggregateOut)
def campaign_aggregate(cid: int, metric: str):
    """Tổng hợp của một đợt (cán bộ) / A campaign's aggregates (staff)"""
    user = user_or_none()
    if user is None:
        deny(401, Msg("Cần đăng nhập", "Authentication required"))
    if not user.is_staff:
        deny(403, Msg("Chỉ cán bộ Sở", "Staff only"))
    c = session.get(Campaign, cid)
    if c is None:
        deny(404, Msg("Không tìm thấy đợt điều tra", "Campaign not found"))
    return _out(c, metric)


class RatesOut(Schema):
    status = fields.String()
    method = fields.String()
    rates = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    flags = fields.List(fields.Dict())


def _rates(r) -> dict:
    return {
        "status": r.status,
        "method": r.method,
        "flags": r.flags or [],
        "rates": {k: (str(v) if v is not None else None) for k, v in services.firm_rates(r).items()},
    }


class SubmitArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    submit = fields.Boolean(load_default=False, truthy={"true", "1"}, falsy={"false", "0"})


@blp.route("/survey/<string:token>")
class Survey(MethodView):
    @blp.response(200, RatesOut)
    def get(self, token: str):
        """Kết quả của chính doanh nghiệp / The respondent's own result"""
        r = services.by_token(session, token)
        if r is None:
            deny(404, Msg("Đường dẫn không đúng", "Unknown link"))
        return _rates(r)

    csrf_exempt = True  # the private token in the path is the credential; no cookie is involved

    @blp.arguments(ReturnIn)
    @blp.arguments(SubmitArgs, location="query", as_kwargs=True)
    @blp.response(200, RatesOut)
    def put(self, data, token: str, submit: bool):
        """Ghi phiếu (nháp, hoặc nộp với submit=true) / Save the return (draft, or submit=true)"""
        r = services.by_token(session, token)
        if r is None:
            deny(404, Msg("Đường dẫn không đúng", "Unknown link"))
        try:
            services.save_return(session, r, data, submit=submit)
        except services.SurveyError as exc:
            session.rollback()
            deny(exc.status, exc.msg)
        session.commit()
        return _rates(r)


TOTAL = disclosure.TOTAL
