"""What staff send to the imports feature: a spreadsheet row, an upload, a run."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from cnht.enterprises.fields import TaxCodeField
from cnht.enterprises.schemas import EnterpriseIn


class ImportRow(EnterpriseIn):
    """A spreadsheet row: the tax code may be missing (then duplicates are looked for by name)."""

    numbers_as_text = True  # cells typed as numbers (a phone, a house number) are text

    tax_code = TaxCodeField(load_default=None, allow_none=True)


class UploadIn(Schema):
    class Meta:
        unknown = EXCLUDE

    sheet = fields.String(load_default=None)


class RunIn(Schema):
    class Meta:
        unknown = EXCLUDE

    mode = fields.String(load_default="dry_run")  # "commit" writes; anything else is a dry run
    on_error = fields.String(load_default="skip")  # "abort": nothing is written if a row fails


class DecisionIn(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(required=True)  # an enterprise id to merge into, or "distinct"
