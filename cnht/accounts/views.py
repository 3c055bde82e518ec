"""Register, sign in and out, password reset by e-mailed token, account page, API token, claims."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from cnht.accounts import auth, services
from cnht.accounts.models import User
from cnht.accounts.schemas import (
    ForgotForm,
    LoginForm,
    PasswordPair,
    RegisterForm,
)
from cnht.db import session
from cnht.i18n import UserError, current_lang, localize
from cnht.mail import send_mail
from cnht.urls import external_url, local_path
from cnht.web.forms import load_form

bp = Blueprint("accounts", __name__, template_folder="templates")

RESET_MAX_AGE = 2 * 3600


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("home.index")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-12:]})


@bp.route("/login", methods=["GET", "POST"])
@auth.limiter.limit(auth.configured_limit("RATE_LIMIT_LOGIN"), methods=["POST"])
@auth.limiter.limit(
    auth.configured_limit("RATE_LIMIT_LOGIN_FAILURES"),
    methods=["POST"],
    key_func=auth.login_attempt_key,
    deduct_when=lambda response: response.status_code == 400,
)
def login():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(LoginForm(), request.form)
        if data is not None:
            user = services.find_by_email(session, data["email"])
            if not auth.check_password_evenly(user, data["password"]) or not user.is_active:
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
    user = auth.user_or_none()
    if user is not None:
        auth.end_sessions(user)  # a copied session or remember-me cookie stops working too
        session.commit()
    logout_user()
    flash(_("Đã đăng xuất"), "info")
    return redirect(url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
@auth.limiter.limit(auth.configured_limit("RATE_LIMIT_REGISTER"), methods=["POST"])
def register():
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(RegisterForm(), request.form)
        if data is not None:
            try:
                user, claimed = services.register(session, data, lang=current_lang())
                session.commit()
            except UserError as exc:  # a bad address, or a claim the enterprises feature refused
                session.rollback()
                errors = {"_": [localize(exc.msg)]}
            else:
                login_user(user)
                flash(_("Đã tạo tài khoản."), "success")
                if claimed is not None:
                    flash(
                        _(
                            "Đã gửi yêu cầu quản lý hồ sơ %(name)s; cán bộ Sở sẽ xét duyệt.",
                            name=claimed.name,
                        ),
                        "info",
                    )
                return redirect(url_for("accounts.account"))
        return render_template("accounts/register.html", errors=errors, form=request.form), 400
    return render_template(
        "accounts/register.html", errors=errors, form={"role": request.args.get("role", "sme")}
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@auth.limiter.limit(auth.configured_limit("RATE_LIMIT_PASSWORD_RESET"), methods=["POST"])
def forgot_password():
    if request.method == "POST":
        data, errors = load_form(ForgotForm(), request.form)
        if data is not None:
            user = services.find_by_email(session, data["email"])
            if user is not None and user.is_active:
                link = external_url("accounts.reset_password", token=reset_token(user))
                send_mail(
                    session,
                    user.email,
                    "Đặt lại mật khẩu / Password reset — CNHT",
                    "Mở liên kết sau trong 2 giờ để đặt mật khẩu mới:\n"
                    f"Open this link within 2 hours to choose a new password:\n\n{link}\n\n"
                    "Nếu bạn không yêu cầu, hãy bỏ qua thư này. / If you did not ask, ignore this message.",
                    "password_reset",
                )
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
            services.set_password(user, data["password"])
            session.commit()
            flash(_("Đã đặt mật khẩu mới. Mời đăng nhập."), "success")
            return redirect(url_for("accounts.login"))
        return render_template("accounts/reset.html", errors=errors, token=token), 400
    return render_template("accounts/reset.html", errors=errors, token=token)


@bp.route("/account")
@auth.login_required
def account():
    user = auth.user_or_none()
    return render_template(
        "accounts/account.html", user=user, claims=services.claims_of(session, user), errors={}, form={}
    )


@bp.route("/account/token", methods=["POST"])
@auth.login_required
def new_token():
    user = auth.user_or_none()
    token = auth.issue_api_token(user)
    session.commit()
    # shown in this response only: a flash message would keep it in the (signed, readable) session cookie
    return render_template(
        "accounts/account.html",
        user=user,
        claims=services.claims_of(session, user),
        errors={},
        form={},
        new_token=token,
    )


@bp.route("/account/token/revoke", methods=["POST"])
@auth.login_required
def revoke_token():
    auth.revoke_api_token(auth.user_or_none())
    session.commit()
    flash(_("Đã thu hồi mã API."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/staff/users")
@auth.roles_required("staff")
def users():
    return render_template("accounts/users.html", users=services.recent_users(session))
