"""Outgoing e-mail. Every message is stored in the outbox table; when ``CNHT_SMTP_HOST`` is set
it is also sent through SMTP (failures are recorded on the message, never raised to the user)."""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from cnht.db import Base, utcnow
from cnht.identity import Department


class OutboxMessage(Base):
    """Every outgoing e-mail; sent through SMTP when configured, kept here either way."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


def one_line(text: str) -> str:
    """A header value: line breaks (which would start a new header) become spaces."""
    return " ".join(text.split())


def signature(d: Department) -> str:
    """Who the mail is from, so that a recipient can tell the portal's mail from a look-alike."""
    lines = ["-- ", d.name_vi if d.name_vi == d.name_en else f"{d.name_vi} / {d.name_en}"]
    lines += [x for x in (d.address, " · ".join(y for y in (d.phone, d.email, d.website) if y)) if x]
    base = current_app.config.get("BASE_URL")
    if base:
        lines.append(base)
    return "\n".join(lines)


def send_mail(db: Session, to: str, subject: str, body: str, kind: str) -> OutboxMessage:
    """Store the message in the outbox, and send it when SMTP is configured. Nothing the user typed
    can break the sending: the subject is one line, and any failure is recorded on the message."""
    subject, to = one_line(subject)[:255], one_line(to)
    body = body.rstrip("\n") + "\n\n" + signature(current_app.config["DEPARTMENT"])
    msg = OutboxMessage(to_email=to, subject=subject, body=body, kind=kind)
    db.add(msg)
    host = current_app.config.get("SMTP_HOST")
    if host:
        try:
            em = EmailMessage()
            em["From"] = current_app.config["MAIL_FROM"]
            em["To"] = to
            em["Subject"] = subject
            em.set_content(body)
            with smtplib.SMTP(host, int(current_app.config.get("SMTP_PORT") or 25), timeout=10) as smtp:
                if current_app.config.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if current_app.config.get("SMTP_USER"):
                    smtp.login(current_app.config["SMTP_USER"], current_app.config.get("SMTP_PASSWORD") or "")
                smtp.send_message(em)
            msg.sent_at = utcnow()
        except (
            OSError,
            smtplib.SMTPException,
            ValueError,
        ) as exc:  # ValueError: a header EmailMessage refuses
            msg.error = f"{exc.__class__.__name__}: {exc}"[:2000]
    return msg
