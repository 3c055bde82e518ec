"""What buyers send: an inquiry to a supplier, a supplier added to a shortlist."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from cnht.i18n import Msg


class _Stripped(Schema):
    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _strip(self, data, **_):
        return {k: v.strip() if isinstance(v, str) else v for k, v in dict(data).items()}


class InquiryIn(_Stripped):
    # over-long text is cut by the service (subject 255, message 5,000 characters), not refused
    subject = fields.String(
        required=True,
        validate=validate.Length(
            min=3, error=Msg("Cần tiêu đề (ít nhất 3 ký tự)", "A subject is needed (at least 3 characters)")
        ),
    )
    message = fields.String(
        required=True,
        validate=validate.Length(
            min=10, error=Msg("Nội dung cần ít nhất 10 ký tự", "The message needs at least 10 characters")
        ),
    )
    contact_email = fields.String(load_default=None)
    contact_phone = fields.String(load_default=None)


class ShortlistAddIn(_Stripped):
    enterprise = fields.String(required=True)
    name = fields.String(load_default=None)
    note = fields.String(load_default=None)
