"""What people send to the accounts feature: sign-in, registration, password forms, claims and
staff decisions on claims."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from cnht.accounts.models import SELF_REGISTER_ROLES
from cnht.accounts.services import MIN_PASSWORD
from cnht.i18n import Msg


class LoginForm(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=255))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    remember = fields.Boolean(load_default=False)
    next = fields.String(load_default=None)


class PasswordPair(Schema):
    password = fields.String(
        required=True,
        validate=validate.Length(
            min=MIN_PASSWORD,
            max=200,
            error=Msg(
                f"Mật khẩu cần {MIN_PASSWORD}–200 ký tự", f"Password needs {MIN_PASSWORD}–200 characters"
            ),
        ),
    )
    password2 = fields.String(required=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _same(self, _data, original, **_kw):
        # compare what was typed, so a mismatch is reported even when the first password is too short
        if original.get("password2") is not None and original.get("password") != original.get("password2"):
            raise ValidationError(Msg("Hai mật khẩu không khớp", "The passwords do not match"), "password2")


class RegisterForm(PasswordPair):
    email = fields.Email(required=True, validate=validate.Length(max=255))
    full_name = fields.String(
        required=True,
        validate=validate.Length(
            min=2, max=255, error=Msg("Cần họ tên (2–255 ký tự)", "Full name needed (2–255 characters)")
        ),
    )
    organisation = fields.String(load_default=None, validate=validate.Length(max=255))
    phone = fields.String(load_default=None, validate=validate.Length(max=64))
    role = fields.String(
        required=True,
        validate=validate.OneOf(
            SELF_REGISTER_ROLES,
            error=Msg("Chọn doanh nghiệp cung ứng hoặc bên mua", "Choose supplier or buyer"),
        ),
    )
    tax_code = fields.String(load_default=None, validate=validate.Length(max=14))


class ForgotForm(Schema):
    email = fields.String(required=True, validate=validate.Length(max=255))


class ClaimForm(Schema):
    tax_code = fields.String(required=True, validate=validate.Length(min=10, max=14))
    position = fields.String(load_default=None, validate=validate.Length(max=120))
    message = fields.String(load_default=None, validate=validate.Length(max=2000))


class ClaimDecisionIn(Schema):
    class Meta:
        unknown = EXCLUDE

    note = fields.String(load_default=None)  # kept to 2,000 characters by the service
