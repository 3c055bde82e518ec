"""Enterprises whose search document could not be written (the search cluster was down): kept in the
database until the index takes them, so no committed change is lost to an outage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from cnht.db import Base, utcnow


class SearchBacklog(Base):
    __tablename__ = "search_backlog"

    # no foreign key: a deleted enterprise must still leave the index
    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)


class SearchRebuild(Base):
    """A rebuild of the search index in progress (one row at most). Changes committed meanwhile, by any
    process, go to the backlog instead of an index the rebuild is about to replace, and are indexed when
    it ends. ``beat_at`` moves while it runs: a row left by a rebuild that died stops counting."""

    __tablename__ = "search_rebuild"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
