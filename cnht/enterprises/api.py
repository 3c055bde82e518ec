"""REST endpoints for enterprises: the public list and profile."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from cnht.api import ApiBlueprint
from cnht.db import session
from cnht.enterprises import services
from cnht.enterprises.models import VERIFICATION_LEVELS
from cnht.enterprises.rules import SIZE_CLASSES
from cnht.enterprises.schemas import EnterpriseOut, EnterpriseSummaryOut
from cnht.i18n import Msg
from cnht.reference import province_values, resolve_filter_args, sector_values

blp = ApiBlueprint(
    "enterprises_api",
    __name__,
    url_prefix="/api/v1/enterprises",
    description="Doanh nghiệp CNHT / Supporting-industry enterprises",
)


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(
            min=1, max=100_000, error=Msg("Trang từ 1 đến 100.000", "Page between 1 and 100,000")
        ),
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100, error=Msg("Từ 1 đến 100", "Between 1 and 100")),
    )
    sector = fields.String(
        metadata={
            "description": "mechanical | electronics | textile | leather_footwear | "
            "automotive | high_tech, or its label (also without diacritics)",
            "enum": ["", *sector_values()],
        }
    )
    province = fields.String(
        metadata={
            "description": "Province name (current or former; also without diacritics) or its 2025 code",
            "enum": ["", *province_values()],
        }
    )
    size = fields.String(validate=validate.OneOf(SIZE_CLASSES))
    verification = fields.String(validate=validate.OneOf(VERIFICATION_LEVELS))

    @post_load
    def _resolve(self, data, **_):
        data["sector"], data["province"], errors = resolve_filter_args(
            data.get("sector"), data.get("province")
        )
        if errors:
            raise ValidationError(errors)
        return data


class EnterprisePage(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(EnterpriseSummaryOut))


@blp.route("")
class EnterpriseList(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, EnterprisePage)
    def get(self, args):
        """Danh sách doanh nghiệp / List enterprises (paginated, filterable)"""
        return services.paginate(session, services.filtered_query(args), args["page"], args["per_page"])


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
