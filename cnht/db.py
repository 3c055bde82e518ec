"""Database wiring: declarative base, engine per app, a request-scoped session.

``session`` is a proxy to the session of the current app context; services use it, tests swap the
sessionmaker's bind to run every test inside a rolled-back outer transaction.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use datetime.now(UTC)")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today in Vietnam: a certificate valid until the 1st is still valid on the 1st there."""
    return utcnow().astimezone(LOCAL_TZ).date()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("cnht_writing", default=False)
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("cnht_reading", default=False)


@contextlib.contextmanager
def writing():
    """Transactions begun inside take SQLite's write lock at once (see ``make_engine``): for work
    outside requests that reads and then writes for long (imports). Never around code that opens a
    second connection while the first one's transaction is open — it would wait for itself."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextlib.contextmanager
def reading():
    """Transactions begun inside are readers even in a request that may write or inside ``writing()``:
    for a long read (a rebuild of the search index) beside which other sessions write."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_only(view):
    """Mark a view taken by POST that only reads (a match sent as a JSON body): on SQLite it begins as
    a reader, so it neither waits for the database's one writer nor holds the others up while it
    scores. Apply it outermost."""
    view.cnht_reads_only = True
    return view


def _may_write() -> bool:
    if _reading.get():
        return False
    if _writing.get():
        return True
    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    cls = getattr(view, "view_class", None)  # a MethodView: the handler is the method
    handler = getattr(cls, request.method.lower(), None) if cls is not None else view
    return not getattr(handler, "cnht_reads_only", False)


MMAP_SIZE = 1 << 30  # address space, not memory: the OS keeps what is read


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take it over,
        # as the SQLAlchemy docs recommend, and turn on foreign keys and WAL.
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # pages read through the OS page cache, not a pread each: another process's write
                # empties every connection's own cache, and the rereads were most of a busy worker's
                # system time
                cur.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            # A transaction that reads and then writes cannot wait for another process's write: SQLite
            # refuses its upgrade at once ("database is locked", busy timeout or not). Requests that may
            # write (POST, PATCH…) and imports (``writing()``) take the write lock when they begin —
            # waiting for it up to the timeout; page views and other work stay concurrent readers.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker


def init_app(app: Flask) -> Database:
    engine = make_engine(app.config["DATABASE_URL"])
    database = Database(engine=engine, sessionmaker=sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions["cnht_db"] = database

    @app.teardown_appcontext
    def _close_session(_exc):
        sess = g.pop("_cnht_session", None)
        if sess is not None:
            sess.close()

    return database


def get_db() -> Database:
    return current_app.extensions["cnht_db"]


def get_session() -> Session:
    if "_cnht_session" not in g:
        g._cnht_session = get_db().sessionmaker()
    return g._cnht_session


session: Session = LocalProxy(get_session)  # type: ignore[assignment]
