"""Matchmaking events (hội nghị kết nối cung cầu, hội chợ ngược): sessions and slots, tables,
participants, the buyers' wanted parts, meeting requests and the meetings they become."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cnht.db import Base, TimestampMixin

REQUEST_MODES = ("opt_in", "opt_out")  # the receiver must accept / requests are accepted unless refused
SCHEDULING_MODES = ("organiser", "participants")  # the optimiser places meetings / participants pick a slot
EVENT_STATUSES = ("draft", "registration", "requests", "scheduling", "preliminary", "final", "closed")
AGENDA_STAGES = ("preliminary", "final")
TABLE_KINDS = ("public", "interpreter", "booth", "online")
ROLES = ("buyer", "supplier")
PARTICIPANT_STATUSES = ("pending", "confirmed", "declined", "withdrawn")
LEVELS = ("must", "like", "no")  # must meet / would like / no (a veto)
# A request's life; "scheduled" and "locked" have a slot, "held" and "no_show" are after the fact.
REQUEST_STATUSES = (
    "pending",
    "accepted",
    "declined",
    "expired",
    "cancelled",
    "scheduled",
    "locked",
    "held",
    "no_show",
)
ATTENDANCE = ("held", "not_held")
INTEREST = ("high", "some", "none")
NEXT_STEPS = ("none", "nda_mou", "quotation", "sample", "contract")


class Event(TimestampMixin, Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    organiser: Mapped[str] = mapped_column(String(255))  # the Department or centre running it
    venue: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    request_mode: Mapped[str] = mapped_column(String(10), default="opt_in")
    scheduling_mode: Mapped[str] = mapped_column(String(12), default="organiser")
    meeting_minutes: Mapped[int] = mapped_column(default=20)
    break_minutes: Mapped[int] = mapped_column(default=5)
    cap_per_participant: Mapped[int | None]  # meetings per organisation in all
    cap_per_session: Mapped[int | None]  # meetings per organisation in one session (forced breaks)
    request_expiry_days: Mapped[int] = mapped_column(default=5)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    agenda_stage: Mapped[str | None] = mapped_column(String(12))  # preliminary | final once published
    schedule_info: Mapped[dict] = mapped_column(JSON, default=dict)  # the last solve: objective, bound, gap…
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(EventSession.day, EventSession.starts_at)",
    )
    tables: Mapped[list[EventTable]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventTable.id"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.id"
    )
    items: Mapped[list[WantedItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="WantedItem.id"
    )
    requests: Mapped[list[MeetingRequest]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="MeetingRequest.id"
    )


class EventSession(Base):
    """A block of meeting slots on one day (a morning, an afternoon)."""

    __tablename__ = "event_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    event: Mapped[Event] = relationship(back_populates="sessions")


class EventTable(Base):
    """A place a meeting happens: a public table, an interpreter's table, a supplier's own booth, an
    online room."""

    __tablename__ = "event_table"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12), default="public")
    language: Mapped[str | None] = mapped_column(String(8))  # interpreter tables: ja, ko, zh, en…
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("event_participant.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(500))  # online rooms

    event: Mapped[Event] = relationship(back_populates="tables")


class Participant(TimestampMixin, Base):
    """An organisation at the event (buyer or supplier) and the people it sends."""

    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "enterprise_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(255))  # as shown on agendas
    role: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    contact_name: Mapped[str] = mapped_column(String(255))
    contact_email: Mapped[str] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    people: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{name, title, email}]
    unavailable_slots: Mapped[list[int]] = mapped_column(JSON, default=list)
    remote: Mapped[bool] = mapped_column(default=False)  # meets online only
    interpreter: Mapped[str | None] = mapped_column(String(8))  # language it needs an interpreter for
    offers: Mapped[str | None] = mapped_column(Text)
    seeks: Mapped[str | None] = mapped_column(Text)
    cap: Mapped[int | None]  # its own cap, below the event's
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    checkin_token: Mapped[str] = mapped_column(String(40), unique=True)  # the badge's QR code
    access_token: Mapped[str] = mapped_column(String(48), unique=True)  # the private agenda link
    checked_in_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship(back_populates="participants")
    enterprise = relationship("Enterprise")

    @property
    def parallel(self) -> int:
        """Meetings it can hold at once: one per person it sends."""
        return max(1, len(self.people or []))


class WantedItem(TimestampMixin, Base):
    """A part a buyer wants to source (the reverse fair's display): component, drawing/spec, volume."""

    __tablename__ = "event_wanted_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("event_participant.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(255))
    specification: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[str | None] = mapped_column(String(120))  # as written: "20.000 cái/tháng"
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sector.code"))

    event: Mapped[Event] = relationship(back_populates="items")
    buyer: Mapped[Participant] = relationship()


class MeetingRequest(TimestampMixin, Base):
    """One buyer–supplier pair asked for; when scheduled, the meeting itself."""

    __tablename__ = "event_meeting"
    __table_args__ = (UniqueConstraint("event_id", "buyer_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("event_participant.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("event_participant.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("event_wanted_item.id", ondelete="SET NULL"))
    requested_by: Mapped[str] = mapped_column(String(8))  # buyer | supplier | staff | engine
    buyer_level: Mapped[str | None] = mapped_column(String(6))
    supplier_level: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None]  # the matching engine's, when it proposed the pair
    expires_at: Mapped[datetime | None]
    slot: Mapped[int | None]
    table_id: Mapped[int | None] = mapped_column(ForeignKey("event_table.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(default=0)  # ICS SEQUENCE: raised on every change of time/place
    buyer_person: Mapped[str | None] = mapped_column(String(255))
    supplier_person: Mapped[str | None] = mapped_column(String(255))
    buyer_attendance: Mapped[str | None] = mapped_column(String(8))
    supplier_attendance: Mapped[str | None] = mapped_column(String(8))
    attendance_override: Mapped[str | None] = mapped_column(String(8))  # staff
    buyer_outcome: Mapped[dict] = mapped_column(JSON, default=dict)  # {interest, next_step, value_mvnd, note}
    supplier_outcome: Mapped[dict] = mapped_column(JSON, default=dict)
    contract_value_mvnd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    followups_sent: Mapped[list[int]] = mapped_column(JSON, default=list)  # days after the event: 30, 90
    unscheduled: Mapped[dict] = mapped_column(JSON, default=dict)  # the scheduler's reason, when no slot
    history: Mapped[list[dict]] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship(back_populates="requests")
    buyer: Mapped[Participant] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Participant] = relationship(foreign_keys=[supplier_id])
    item: Mapped[WantedItem | None] = relationship()
    table: Mapped[EventTable | None] = relationship()

    @property
    def vetoed(self) -> bool:
        return "no" in (self.buyer_level, self.supplier_level)

    @property
    def must(self) -> bool:
        return "must" in (self.buyer_level, self.supplier_level) and not self.vetoed

    @property
    def mutual(self) -> bool:
        return self.buyer_level in ("must", "like") and self.supplier_level in ("must", "like")
