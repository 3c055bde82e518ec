"""What staff send: a verification level (one profile or many) and an assessment form."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from cnht.assessment import services

# staff-assessed is never set by hand: it comes from an assessment
MANUAL_LEVELS = ("unverified", "self_declared", "documents_checked")
MAX_BULK = 500


class VerificationIn(Schema):
    class Meta:
        unknown = EXCLUDE

    level = fields.String(required=True, validate=validate.OneOf(MANUAL_LEVELS))


class BulkVerificationIn(VerificationIn):
    ids = fields.List(fields.String(), load_default=list)

    @post_load
    def _ids(self, data, **_):
        # ASCII digits only ("²".isdigit() is true, int("²") fails), bounded
        data["ids"] = [int(x) for x in data["ids"] if x.isascii() and x.isdigit() and len(x) < 19][:MAX_BULK]
        return data


class AssessmentIn(Schema):
    """score_<code>, evidence_<code> for every criterion of the framework, notes and letter number."""

    class Meta:
        unknown = EXCLUDE

    notes = fields.String(load_default=None)
    letter_no = fields.String(load_default=None)

    @post_load(pass_original=True)
    def _scores(self, data, original_data, **_):
        try:
            data["scores"] = services.validate_scores(original_data)
        except services.AssessmentError as exc:
            raise ValidationError(dict(exc.errors)) from None
        data["notes"] = (data.get("notes") or "").strip()[:5000] or None
        data["letter_no"] = (data.get("letter_no") or "").strip()[:60] or None
        return data
