"""Register, sign in and out, password reset by e-mailed token, account page, API token, claims."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from cnht.accounts import auth
from cnht.accounts.models import SELF_REGISTER_ROLES, EnterpriseClaim, User
from cnht.accounts.services import MIN_PASSWORD, AccountError, create_account, hash_password, verify_password
from cnht.db import session
from cnht.i18n import bi
from cnht.mail import send_mail
from cnht.web import label
from cnht.web.forms import load_form

bp = Blueprint("accounts", __name__)

RESET_MAX_AGE = 2 * 3600


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


class LoginForm(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=255))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    remember = fields.Boolean(load_default=False)
    next = fields.String(load_default=None)


class PasswordPair(Schema):
    password = fields.String(required=True, validate=validate.Length(
        min=MIN_PASSWORD, max=200,
        error=bi(f"Mật khẩu cần {MIN_PASSWORD}–200 ký tự", f"Password needs {MIN_PASSWORD}–200 characters")))
    password2 = fields.String(required=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _same(self, _data, original, **_kw):
        # compare what was typed, so a mismatch is reported even when the first password is too short
        if original.get("password2") is not None and original.get("password") != original.get("password2"):
            raise ValidationError(bi("Hai mật khẩu không khớp", "The passwords do not match"), "password2")


class RegisterForm(PasswordPair):
    email = fields.Email(required=True, validate=validate.Length(max=255))
    full_name = fields.String(required=True, validate=validate.Length(
        min=2, max=255, error=bi("Cần họ tên (2–255 ký tự)", "Full name needed (2–255 characters)")))
    organisation = fields.String(load_default=None, validate=validate.Length(max=255))
    phone = fields.String(load_default=None, validate=validate.Length(max=64))
    role = fields.String(required=True, validate=validate.OneOf(
        SELF_REGISTER_ROLES, error=bi("Chọn doanh nghiệp cung ứng hoặc bên mua",
                                      "Choose supplier or buyer")))
    tax_code = fields.String(load_default=None, validate=validate.Length(max=14))


class ForgotForm(Schema):
    email = fields.String(required=True, validate=validate.Length(max=255))


class ClaimForm(Schema):
    tax_code = fields.String(required=True, validate=validate.Length(min=10, max=14))
    position = fields.String(load_default=None, validate=validate.Length(max=120))
    message = fields.String(load_default=None, validate=validate.Length(max=2000))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-12:]})


def _external(endpoint: str, **values) -> str:
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.route("/login", methods=["GET", "POST"])
@auth.limiter.limit("10 per minute", methods=["POST"])
def login():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(LoginForm(), request.form)
        if data is not None:
            user = session.scalar(select(User).where(User.email == data["email"].strip().lower()))
            if user is not None and auth.is_locked(user):
                errors = {"_": [_("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau 15 phút.")]}
            elif user is None or not user.is_active or not verify_password(user, data["password"]):
                if user is not None:
                    auth.record_failed_login(user)
                    session.commit()
                errors = {"_": [_("Email hoặc mật khẩu không đúng")]}
            else:
                auth.record_login(user)
                session.commit()
                login_user(user, remember=data["remember"])
                return redirect(_safe_next(data.get("next") or request.args.get("next")))
        return render_template("accounts/login.html", errors=errors, form=request.form), 400
    return render_template("accounts/login.html", errors=errors, form={"next": request.args.get("next", "")})


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("Đã đăng xuất"), "info")
    return redirect(url_for("web.home"))


@bp.route("/register", methods=["GET", "POST"])
@auth.limiter.limit("20 per hour", methods=["POST"])
def register():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(RegisterForm(), request.form)
        if data is not None:
            try:
                user = create_account(session, email=data["email"], password=data["password"], role=data["role"],
                                      full_name=data["full_name"].strip())
                user.organisation = (data.get("organisation") or "").strip() or None
                user.phone = (data.get("phone") or "").strip() or None
                user.lang = "en" if _("vi") == "en" else "vi"
                claim_note = None
                if data["role"] == "sme" and (data.get("tax_code") or "").strip():
                    claim_note = _file_claim(user, data["tax_code"].strip(), None, None)
                session.commit()
            except AccountError as exc:
                session.rollback()
                errors = {"_": [label(exc.msg)]}
            else:
                login_user(user)
                flash(_("Đã tạo tài khoản."), "success")
                if claim_note:
                    flash(claim_note, "info")
                return redirect(url_for("accounts.account"))
        return render_template("accounts/register.html", errors=errors, form=request.form), 400
    return render_template("accounts/register.html", errors=errors, form={"role": request.args.get("role", "sme")})


@bp.route("/password/forgot", methods=["GET", "POST"])
@auth.limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    if request.method == "POST":
        data, errors = load_form(ForgotForm(), request.form)
        if data is not None:
            user = session.scalar(select(User).where(User.email == data["email"].strip().lower()))
            if user is not None and user.is_active:
                link = _external("accounts.reset_password", token=reset_token(user))
                send_mail(session, user.email, "Đặt lại mật khẩu / Password reset — CNHT",
                          "Mở liên kết sau trong 2 giờ để đặt mật khẩu mới:\n"
                          f"Open this link within 2 hours to choose a new password:\n\n{link}\n\n"
                          "Nếu bạn không yêu cầu, hãy bỏ qua thư này. / If you did not ask, ignore this message.",
                          "password_reset")
                session.commit()
        # Same answer whether or not the address exists.
        flash(_("Nếu email đã đăng ký, chúng tôi đã gửi liên kết đặt lại mật khẩu."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        payload = _serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        flash(_("Liên kết đã hết hạn, hãy yêu cầu lại."), "error")
        return redirect(url_for("accounts.forgot_password"))
    except BadSignature:
        flash(_("Liên kết không hợp lệ."), "error")
        return redirect(url_for("accounts.forgot_password"))
    user = session.get(User, payload.get("u"))
    if user is None or user.password_hash[-12:] != payload.get("h"):
        flash(_("Liên kết đã được dùng hoặc không hợp lệ."), "error")
        return redirect(url_for("accounts.forgot_password"))
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(PasswordPair(), request.form)
        if data is not None:
            user.password_hash = hash_password(data["password"])
            user.failed_logins, user.locked_until = 0, None
            session.commit()
            flash(_("Đã đặt mật khẩu mới. Mời đăng nhập."), "success")
            return redirect(url_for("accounts.login"))
        return render_template("accounts/reset.html", errors=errors, token=token), 400
    return render_template("accounts/reset.html", errors=errors, token=token)


@bp.route("/account")
@auth.login_required
def account():
    user = auth.user_or_none()
    claims = session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id)
                             .order_by(EnterpriseClaim.created_at.desc())).all()
    return render_template("accounts/account.html", user=user, claims=claims, errors={}, form={})


@bp.route("/account/token", methods=["POST"])
@auth.login_required
def new_token():
    user = auth.user_or_none()
    token = auth.issue_api_token(user)
    session.commit()
    flash(_("Mã API mới (chỉ hiện một lần): ") + token, "token")
    return redirect(url_for("accounts.account"))


@bp.route("/account/claim", methods=["POST"])
@auth.roles_required("sme")
def claim():
    user = auth.user_or_none()
    data, errors = load_form(ClaimForm(), request.form)
    if data is None:
        claims = session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id)).all()
        return render_template("accounts/account.html", user=user, claims=claims, errors=errors,
                               form=request.form), 400
    try:
        note = _file_claim(user, data["tax_code"].strip(), data.get("position"), data.get("message"))
    except AccountError as exc:
        claims = session.scalars(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id)).all()
        return render_template("accounts/account.html", user=user, claims=claims,
                               errors={"tax_code": [label(exc.msg)]}, form=request.form), 400
    session.commit()
    flash(note, "success")
    return redirect(url_for("accounts.account"))


def _file_claim(user: User, tax_code: str, position: str | None, message: str | None) -> str:
    from cnht.enterprises.services import get_by_tax_code
    from cnht.i18n import Msg

    ent = get_by_tax_code(session, tax_code, full=False)
    if ent is None:
        raise AccountError(Msg(f"Không có doanh nghiệp mã số thuế {tax_code} trong cơ sở dữ liệu. "
                               "Hãy liên hệ Sở Công Thương để được bổ sung.",
                               f"No enterprise with tax code {tax_code}. Contact the Department to be added."))
    if user.enterprise_id == ent.id:
        raise AccountError(Msg("Bạn đã quản lý doanh nghiệp này", "You already manage this enterprise"))
    dup = session.scalar(select(EnterpriseClaim).where(EnterpriseClaim.user_id == user.id,
                                                       EnterpriseClaim.enterprise_id == ent.id,
                                                       EnterpriseClaim.status == "pending"))
    if dup is not None:
        raise AccountError(Msg("Yêu cầu đang chờ duyệt", "A claim for this enterprise is already pending"))
    session.add(EnterpriseClaim(user_id=user.id, enterprise_id=ent.id, position=(position or "").strip() or None,
                                message=(message or "").strip() or None))
    return _("Đã gửi yêu cầu quản lý hồ sơ %(name)s; cán bộ Sở sẽ xét duyệt.", name=ent.name)
