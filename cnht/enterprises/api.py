"""REST endpoints for enterprises (read side; writes arrive with accounts and roles)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cnht.db import session
from cnht.enterprises import services
from cnht.enterprises.models import VERIFICATION_LEVELS, Enterprise, enterprise_sector
from cnht.enterprises.rules import SIZE_CLASSES
from cnht.enterprises.schemas import EnterpriseOut, EnterpriseSummaryOut
from cnht.i18n import Msg, bi
from cnht.reference import resolve_filter_args

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises",
                description="Doanh nghiệp CNHT / Supporting-industry enterprises")


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, error=bi("Phải ≥ 1", "Must be ≥ 1")))
    per_page = fields.Integer(load_default=20, validate=validate.Range(
        min=1, max=100, error=bi("Từ 1 đến 100", "Between 1 and 100")))
    sector = fields.String(metadata={"description": "mechanical | electronics | textile | leather_footwear | "
                                                    "automotive | high_tech, or a Vietnamese label"})
    province = fields.String(metadata={"description": "Province name (with or without diacritics, current or "
                                                      "former) or its 2025 code"})
    size = fields.String(validate=validate.OneOf(SIZE_CLASSES))
    verification = fields.String(validate=validate.OneOf(VERIFICATION_LEVELS))

    @post_load
    def _resolve(self, data, **_):
        data["sector"], data["province"], errors = resolve_filter_args(data.get("sector"), data.get("province"))
        if errors:
            raise ValidationError(errors)
        return data


class EnterprisePage(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(EnterpriseSummaryOut))


def filtered_query(args: dict):
    stmt = services.active_query()
    if args.get("sector"):
        stmt = stmt.where(Enterprise.id.in_(
            select(enterprise_sector.c.enterprise_id).where(enterprise_sector.c.sector_code == args["sector"])))
    if args.get("province"):
        stmt = stmt.where(Enterprise.province_code == args["province"])
    if args.get("size"):
        stmt = stmt.where(Enterprise.size_class == args["size"])
    if args.get("verification"):
        stmt = stmt.where(Enterprise.verification_status == args["verification"])
    return stmt


def paginate(stmt, page: int, per_page: int) -> dict:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(
        stmt.options(selectinload(Enterprise.sectors))
        .order_by(Enterprise.name, Enterprise.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return {"total": total, "page": page, "per_page": per_page, "items": items}


@blp.route("")
class EnterpriseList(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, EnterprisePage)
    def get(self, args):
        """Danh sách doanh nghiệp / List enterprises (paginated, filterable)"""
        return paginate(filtered_query(args), args["page"], args["per_page"])


@blp.route("/<string:tax_code>")
class EnterpriseDetail(MethodView):
    @blp.response(200, EnterpriseOut)
    @blp.alt_response(404, description="Not found")
    def get(self, tax_code: str):
        """Hồ sơ doanh nghiệp theo mã số thuế / One enterprise by tax code"""
        ent = services.get_by_ref(session, tax_code.strip())
        if ent is None:
            abort(404, message_obj=Msg("Không tìm thấy doanh nghiệp", "Enterprise not found"))
        return ent
