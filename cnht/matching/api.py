"""REST: matching, sourcing requirements, opportunities for an enterprise, connections and the
programme's key figure (successful connections)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import EXCLUDE, Schema, fields, validate

from cnht.accounts.auth import client_key, configured_limit, csrf_exempt, limiter, user_or_none
from cnht.api import ApiBlueprint
from cnht.db import reads_only, session
from cnht.enterprises import services as ent_services
from cnht.i18n import Msg
from cnht.matching import services
from cnht.matching.engine import RequirementSpec, match
from cnht.matching.models import SourcingRequirement
from cnht.matching.schemas import (
    ConnectionIn,
    ConnectionOut,
    MatchIn,
    MatchListOut,
    OpportunityOut,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
)
from cnht.urls import external_url

blp = ApiBlueprint(
    "matching_api", __name__, url_prefix="/api/v1", description="Kết nối cung cầu / Supply–demand matching"
)


class LimitArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def _weights():
    return current_app.config.get("MATCH_WEIGHTS")


def match_json(m) -> dict:
    return {
        "ref": m.ref,
        "tax_code": m.tax_code,
        "name": m.name,
        "province": m.province_code,
        "score": m.score,
        "explanation": m.explanation(),
    }


def _need_user(*roles: str):
    user = user_or_none()
    if user is None:
        abort(401, message_obj=Msg("Cần đăng nhập", "Authentication required"))
    if roles and user.role != "admin" and user.role not in roles:
        abort(403, message_obj=Msg("Vai trò của bạn không được làm việc này", "Your role may not do this"))
    return user


def _requirement(req_id: int, *, write: bool = False) -> SourcingRequirement:
    req = session.get(SourcingRequirement, req_id)
    user = user_or_none()
    if req is None or not services.can_view(user, req):
        abort(404, message_obj=Msg("Không tìm thấy yêu cầu", "Requirement not found"))
    if write and not services.can_edit(user, req):
        if user is None:
            abort(401, message_obj=Msg("Cần đăng nhập", "Authentication required"))
        abort(
            403,
            message_obj=Msg("Chỉ người đăng và cán bộ Sở được sửa", "Only the owner and staff may change it"),
        )
    return req


@reads_only  # scores, saves nothing
@blp.route("/match", methods=["POST"])
@blp.arguments(MatchIn)
@blp.arguments(LimitArgs, location="query", as_kwargs=True)
@blp.response(200, MatchListOut)
@blp.alt_response(429, response="429")
@limiter.limit(configured_limit("RATE_LIMIT_MATCH"), key_func=client_key)  # per token or user, else address
@csrf_exempt
def match_now(data, limit):
    """Tìm nhà cung ứng phù hợp (không lưu) / Match a requirement without saving it

    Hard constraints first (sector, required provinces, minimum employees, required certificates), then a
    weighted score; every item carries its explanation: each criterion, whether it is met, its
    contribution and the evidence.
    """
    spec = RequirementSpec(
        **{k: data.get(k) for k in ("title", "sector", "category", "min_employees", "quantity")},
        description=data.get("description") or "",
        processes=data["processes"],
        materials=data["materials"],
        certifications_required=data["certifications_required"],
        certifications_preferred=data["certifications_preferred"],
        provinces_required=data["provinces_required"],
        provinces_preferred=data["provinces_preferred"],
    )
    parsed = data.get("quantity_parsed")
    return {
        "items": [match_json(m) for m in match(session, spec, limit=limit, weights=_weights())],
        "quantity": parsed.to_dict() if parsed is not None else None,
    }


@blp.route("/requirements")
class Requirements(MethodView):
    @blp.response(200, RequirementOut(many=True))
    def get(self):
        """Yêu cầu đang mở / Open requirements visible to you"""
        user = user_or_none()
        reqs = session.scalars(services.visible_requirements(session, user).limit(200)).all()
        return services.for_viewer(user, reqs)

    @blp.arguments(RequirementIn)
    @blp.response(201, RequirementOut)
    def post(self, data):
        """Đăng yêu cầu (bên mua, cán bộ) / Post a requirement (buyers, staff)"""
        user = _need_user("buyer", "staff")
        req = services.create_requirement(session, data, user)
        session.commit()
        return services.for_viewer(user, [req])[0]


@blp.route("/requirements/<int:req_id>")
class RequirementDetail(MethodView):
    @blp.response(200, RequirementOut)
    def get(self, req_id: int):
        """Một yêu cầu / One requirement"""
        return services.for_viewer(user_or_none(), [_requirement(req_id)])[0]

    @blp.arguments(RequirementPatch, required=False)  # an empty PATCH changes nothing
    @blp.response(200, RequirementOut)
    def patch(self, data, req_id: int):
        """Sửa yêu cầu (người đăng, cán bộ) / Update (owner, staff)"""
        req = _requirement(req_id, write=True)
        services.apply_requirement(req, data)
        session.commit()
        return services.for_viewer(user_or_none(), [req])[0]


@blp.route("/requirements/<int:req_id>/close", methods=["POST"])
@blp.response(200, RequirementOut)
def close_requirement(req_id: int):
    """Đóng yêu cầu / Close a requirement (owner, staff)"""
    req = _requirement(req_id, write=True)
    services.set_requirement_status(req, "closed")
    session.commit()
    return services.for_viewer(user_or_none(), [req])[0]


@blp.route("/requirements/<int:req_id>/matches")
@blp.arguments(LimitArgs, location="query", as_kwargs=True)
@blp.response(200, MatchListOut)
def requirement_matches(req_id: int, limit: int):
    """Nhà cung ứng phù hợp với yêu cầu (người đăng, cán bộ) / Matches for a saved requirement"""
    req = _requirement(req_id, write=True)
    return {
        "items": [match_json(m) for m in services.matches_for(session, req, limit=limit, weights=_weights())]
    }


@blp.route("/enterprises/<string:ref>/opportunities")
@blp.arguments(LimitArgs, location="query", as_kwargs=True)
@blp.response(200, OpportunityOut(many=True))
def enterprise_opportunities(ref: str, limit: int):
    """Yêu cầu mà doanh nghiệp đáp ứng được (doanh nghiệp đó, cán bộ) / Open requirements an enterprise fits"""
    user = _need_user()
    ent = ent_services.get_by_ref(session, ref, full=False)
    if ent is None:
        abort(404, message_obj=Msg("Không tìm thấy doanh nghiệp", "Enterprise not found"))
    if not (services.is_staff(user) or (user.role == "sme" and user.enterprise_id == ent.id)):
        abort(403, message_obj=Msg("Chỉ doanh nghiệp đó và cán bộ Sở", "Only that enterprise and staff"))
    out = services.opportunities_for(session, ent, user, limit=limit, weights=_weights())
    services.for_viewer(user, [r for r, _m in out])
    return [{"requirement": r, "score": m.score, "explanation": m.explanation()} for r, m in out]


class ConnectArgs(ConnectionIn):
    enterprise = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^\s*(?:[0-9]{10}(?:-[0-9]{3})?|id-[0-9]{1,18})\s*$",
            error=Msg("Mã doanh nghiệp: mã số thuế hoặc id-<số>", "Enterprise ref: a tax code or id-<n>"),
        ),
        metadata={"description": "the firm's ref: its tax code, or id-<n> for a firm without one"},
    )


@blp.route("/requirements/<int:req_id>/connections")
class Connections(MethodView):
    @blp.response(200, ConnectionOut(many=True))
    def get(self, req_id: int):
        """Kết nối của một yêu cầu (người đăng, cán bộ) / Connections of a requirement"""
        return _requirement(req_id, write=True).connections

    @blp.arguments(ConnectArgs)
    @blp.response(201, ConnectionOut)
    def post(self, data, req_id: int):
        """Tạo hoặc cập nhật kết nối / Connect a supplier or move the connection on"""
        user = _need_user()
        req = _requirement(req_id)
        ent = ent_services.get_by_ref(session, data["enterprise"], full=False)
        if ent is None:
            abort(404, message_obj=Msg("Không tìm thấy doanh nghiệp", "Enterprise not found"))
        try:
            conn = services.set_connection_stage(
                session,
                req,
                ent,
                data["stage"],
                by=user,
                note=data.get("note"),
                link=external_url("matching.requirement_detail", req_id=req.id),
                contract_value_mvnd=data.get("contract_value_mvnd"),
                contract_signed_on=data.get("contract_signed_on"),
            )
        except services.ConnectionRefused as exc:
            abort(403, message_obj=exc.msg)
        session.commit()
        return conn


class ReportArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    by = fields.String(load_default="sector", validate=validate.OneOf(("sector", "province", "year")))


class ReportItem(Schema):
    key = fields.String(metadata={"description": "sector code, province code or year"})
    connections = fields.Integer()
    contract_value_mvnd = fields.Float(
        allow_none=True,
        metadata={
            "description": "million VND; null when it would reveal one firm's contracts (fewer than "
            "three firms, or one holding most of the value) — staff see every value"
        },
    )
    withheld = fields.Boolean()


class ReportOut(Schema):
    by = fields.String()
    items = fields.List(fields.Nested(ReportItem))


@blp.route("/connections/report")
@blp.arguments(ReportArgs, location="query", as_kwargs=True)
@blp.response(200, ReportOut)
def connections_report(by: str):
    """Số kết nối thành công (hợp đồng đã ký) theo ngành, tỉnh hoặc năm / Successful connections"""
    user = user_or_none()
    return {"by": by, "items": services.success_counts(session, by, public=not services.is_staff(user))}
