"""Input and output of matchmaking events (validated at the edge, bilingual messages)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from cnht.enterprises.fields import Text, VNDecimal
from cnht.enterprises.rules import TaxCodeError, normalize_tax_code
from cnht.events.models import (
    ATTENDANCE,
    EVENT_STATUSES,
    INTEREST,
    NEXT_STEPS,
    REQUEST_MODES,
    ROLES,
    SCHEDULING_MODES,
    TABLE_KINDS,
)
from cnht.i18n import Msg
from cnht.reference import province_values, resolve_province, resolve_sector, sector_values

LANGUAGES = ("en", "ja", "ko", "zh", "de", "fr", "th")


def _one_of(values, vi: str, en: str):
    return validate.OneOf(values, error=Msg(f"{vi}: {', '.join(values)}", f"{en}: {', '.join(values)}"))


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class EventIn(_Base):
    name = Text(required=True, max_length=255)
    organiser = Text(required=True, max_length=255)
    venue = Text(max_length=255, allow_none=True)
    description = Text(max_length=5000, allow_none=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    registration_opens_at = fields.AwareDateTime(default_timezone=None, allow_none=True)
    registration_closes_at = fields.AwareDateTime(default_timezone=None, allow_none=True)
    request_mode = fields.String(
        load_default="opt_in", validate=_one_of(REQUEST_MODES, "Chế độ yêu cầu", "Request mode")
    )
    scheduling_mode = fields.String(
        load_default="organiser", validate=_one_of(SCHEDULING_MODES, "Cách xếp lịch", "Scheduling mode")
    )
    meeting_minutes = fields.Integer(
        load_default=20,
        validate=validate.Range(5, 120, error=Msg("Từ 5 đến 120 phút", "Between 5 and 120 minutes")),
    )
    break_minutes = fields.Integer(
        load_default=5,
        validate=validate.Range(0, 60, error=Msg("Từ 0 đến 60 phút", "Between 0 and 60 minutes")),
    )
    cap_per_participant = fields.Integer(allow_none=True, validate=validate.Range(1, 100))
    cap_per_session = fields.Integer(allow_none=True, validate=validate.Range(1, 50))
    request_expiry_days = fields.Integer(load_default=5, validate=validate.Range(1, 60))
    status = fields.String(validate=_one_of(EVENT_STATUSES, "Trạng thái", "Status"))

    @validates_schema
    def _dates(self, data, **_):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError(Msg("Ngày kết thúc trước ngày bắt đầu", "Ends before it starts"), "ends_on")
        o, c = data.get("registration_opens_at"), data.get("registration_closes_at")
        if o and c and c < o:
            raise ValidationError(
                Msg("Hạn đăng ký trước ngày mở", "Registration closes before it opens"),
                "registration_closes_at",
            )


class EventPatch(EventIn):
    class Meta:
        unknown = EXCLUDE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class SessionIn(_Base):
    name = Text(required=True, max_length=120)
    day = fields.Date(required=True)
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)

    @validates_schema
    def _order(self, data, **_):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(
                Msg("Giờ kết thúc phải sau giờ bắt đầu", "Must end after it starts"), "ends_at"
            )


class TablesIn(_Base):
    kind = fields.String(required=True, validate=_one_of(TABLE_KINDS, "Loại bàn", "Table kind"))
    count = fields.Integer(load_default=1, validate=validate.Range(1, 200))
    language = fields.String(allow_none=True, validate=_one_of(LANGUAGES, "Ngôn ngữ", "Language"))
    owner_id = fields.Integer(allow_none=True)
    label = Text(max_length=60, allow_none=True)
    url = fields.Url(allow_none=True, schemes={"https", "http"})

    @validates_schema
    def _kind(self, data, **_):
        if data.get("kind") == "interpreter" and not data.get("language"):
            raise ValidationError(
                Msg("Bàn phiên dịch cần ngôn ngữ", "An interpreter table needs a language"), "language"
            )


class Person(_Base):
    name = Text(required=True, max_length=120)
    title = Text(max_length=120, allow_none=True)
    email = fields.Email(allow_none=True)


class _PeopleField(fields.Field):
    """A list of people as JSON, or one per line "Name | title | email" from a form."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            rows = []
            for line in value.splitlines():
                parts = [x.strip() for x in line.split("|")]
                if parts and parts[0]:
                    rows.append(
                        {
                            "name": parts[0],
                            "title": parts[1] if len(parts) > 1 and parts[1] else None,
                            "email": parts[2] if len(parts) > 2 and parts[2] else None,
                        }
                    )
            value = rows
        if not isinstance(value, list) or len(value) > 20:
            raise ValidationError(Msg("Danh sách người (tối đa 20)", "A list of people (at most 20)"))
        return Person(many=True).load(value)


class _SlotList(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",") if v.strip()]
        if not isinstance(value, list) or len(value) > 500:
            raise ValidationError(Msg("Danh sách khung giờ", "A list of slot numbers"))
        out = []
        for v in value:
            try:
                n = int(str(v).strip())
            except ValueError:
                raise ValidationError(
                    Msg("Số khung giờ không hợp lệ: {v}", "Not a slot number: {v}", v=v)
                ) from None
            if n < 0:
                raise ValidationError(Msg("Số khung giờ không hợp lệ: {v}", "Not a slot number: {v}", v=v))
            out.append(n)
        return sorted(set(out))


class ParticipantFields(_Base):
    contact_name = Text(max_length=255)
    contact_email = fields.Email()
    contact_phone = Text(max_length=64, allow_none=True)
    people = _PeopleField(metadata={"type": "array", "items": {"type": "object"}})
    interpreter = fields.String(allow_none=True, validate=_one_of(LANGUAGES, "Ngôn ngữ", "Language"))
    remote = fields.Boolean()
    offers = Text(max_length=3000, allow_none=True)
    seeks = Text(max_length=3000, allow_none=True)
    unavailable_slots = _SlotList(metadata={"type": "array", "items": {"type": "integer"}})
    cap = fields.Integer(allow_none=True, validate=validate.Range(1, 100))


class ParticipantIn(ParticipantFields):
    """Staff add a firm from the database."""

    enterprise = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^(\d{10}(-\d{3})?|id-\d+)$", error=Msg("Mã số thuế hoặc id-n", "A tax code or id-n")
        ),
    )
    role = fields.String(required=True, validate=_one_of(ROLES, "Vai trò", "Role"))


class RegistrationIn(ParticipantFields):
    """The public form: the firm by tax code (created unverified when new), the people who come."""

    tax_code = fields.String(required=True)
    organisation = Text(required=True, max_length=255)
    province = fields.String(required=True, metadata={"enum": province_values()})
    sector = fields.String(
        allow_none=True, metadata={"enum": [*sector_values(), ""], "description": "empty: none"}
    )
    role = fields.String(required=True, validate=_one_of(ROLES, "Vai trò", "Role"))
    contact_name = Text(required=True, max_length=255)
    contact_email = fields.Email(required=True)

    @post_load
    def _resolve(self, data, **_):
        errors: dict = {}
        try:
            data["tax_code"] = normalize_tax_code(data["tax_code"])
        except TaxCodeError as exc:
            errors["tax_code"] = [exc.msg]
        m = resolve_province(data.get("province"))
        if m is None:
            errors["province"] = [Msg("Không nhận ra tỉnh/thành phố", "Unknown province")]
        else:
            data["province"] = m.code
        if data.get("sector"):
            code = resolve_sector(data["sector"])
            if code is None:
                errors["sector"] = [Msg("Ngành không hợp lệ", "Unknown sector")]
            data["sector"] = code
        elif "sector" in data:
            data["sector"] = None  # "" from a form's empty choice
        if errors:
            raise ValidationError(errors)
        return data


class ParticipantStatusIn(_Base):
    status = fields.String(
        required=True,
        validate=_one_of(("pending", "confirmed", "declined", "withdrawn"), "Trạng thái", "Status"),
    )


class ItemsIn(_Base):
    buyer_id = fields.Integer(required=True)
    lines = Text(
        required=True, max_length=20000, metadata={"description": "one per line: component | spec | volume"}
    )


class RequestIn(_Base):
    buyer_id = fields.Integer(required=True)
    supplier_id = fields.Integer(required=True)
    level = fields.String(load_default="like", validate=_one_of(("must", "like"), "Mức", "Level"))
    item_id = fields.Integer(allow_none=True)
    message = Text(max_length=2000, allow_none=True)
    slot = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    side = fields.String(allow_none=True, validate=_one_of(("buyer", "supplier"), "Bên", "Side"))


class RespondIn(_Base):
    answer = fields.String(required=True, validate=_one_of(("accept", "decline"), "Trả lời", "Answer"))
    level = fields.String(allow_none=True, validate=_one_of(("must", "like"), "Mức", "Level"))
    slot = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    side = fields.String(allow_none=True, validate=_one_of(("buyer", "supplier"), "Bên", "Side"))


class ScheduleIn(_Base):
    seconds = fields.Float(load_default=3.0, validate=validate.Range(0, 30))


class PublishIn(_Base):
    stage = fields.String(required=True, validate=_one_of(("preliminary", "final"), "Giai đoạn", "Stage"))


class AttendanceIn(_Base):
    value = fields.String(required=True, validate=_one_of(ATTENDANCE, "Cuộc gặp", "Attendance"))


class OutcomeIn(_Base):
    interest = fields.String(allow_none=True, validate=_one_of(INTEREST, "Mức quan tâm", "Interest"))
    next_step = fields.String(allow_none=True, validate=_one_of(NEXT_STEPS, "Bước tiếp theo", "Next step"))
    contract_value_mvnd = VNDecimal(allow_none=True)  # VNDecimal refuses negatives itself; "" is no value
    note = Text(max_length=2000, allow_none=True)
    side = fields.String(allow_none=True, validate=_one_of(("buyer", "supplier"), "Bên", "Side"))


class SlotOut(Schema):
    index = fields.Integer()
    session = fields.String(attribute="session_name")
    starts = fields.DateTime()
    ends = fields.DateTime()


class EventOut(Schema):
    id = fields.Integer()
    name = fields.String()
    organiser = fields.String()
    venue = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    status = fields.String()
    request_mode = fields.String()
    scheduling_mode = fields.String()
    meeting_minutes = fields.Integer()
    break_minutes = fields.Integer()
    agenda_stage = fields.String(allow_none=True)
    schedule_info = fields.Dict()


class ParticipantOut(Schema):
    id = fields.Integer()
    organisation = fields.String()
    role = fields.String()
    status = fields.String()
    remote = fields.Boolean()
    interpreter = fields.String(allow_none=True)
    offers = fields.String(allow_none=True)
    seeks = fields.String(allow_none=True)
    checked_in = fields.Function(lambda p: p.checked_in_at is not None)


class MeetingOut(Schema):
    id = fields.Integer()
    buyer_id = fields.Integer()
    supplier_id = fields.Integer()
    buyer = fields.Function(lambda r: r.buyer.organisation)
    supplier = fields.Function(lambda r: r.supplier.organisation)
    item_id = fields.Integer(allow_none=True)
    requested_by = fields.String()
    buyer_level = fields.String(allow_none=True)
    supplier_level = fields.String(allow_none=True)
    status = fields.String()
    slot = fields.Integer(allow_none=True)
    table = fields.Function(lambda r: r.table.label if r.table else None, allow_none=True)
    sequence = fields.Integer()
    score = fields.Float(allow_none=True)
    unscheduled = fields.Dict()
    expires_at = fields.DateTime(allow_none=True)
