"""Keeping the search index in step with the database, and rebuilding it.

Changed enterprises are collected in ``after_flush`` (any change to an enterprise or one of its
child rows) and sent to the backend in ``after_commit`` — so a rolled-back transaction never
touches the index, and a committed one is searchable as soon as ``commit()`` returns.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cnht.db import local_today, reading, utcnow, writing
from cnht.enterprises.models import (
    CHANGED_KEY,
    Certification,
    Enterprise,
    EnterpriseMaterial,
    EnterpriseProcess,
    EnterpriseProduct,
    Equipment,
    enterprise_sector,
    verified_first,
)
from cnht.enterprises.services import eager_options
from cnht.reference.models import ProductCategory, Province
from cnht.search.documents import EnterpriseFacts, build_doc, from_enterprise
from cnht.search.models import SearchBacklog, SearchRebuild
from vnsearch.backends.base import SearchBackend
from vnsearch.documents import SearchDoc

log = logging.getLogger(__name__)
CHUNK = 500
BULK_THRESHOLD = 5000  # more changed enterprises than this in one commit: rebuild the index instead
REBUILD_STALE = timedelta(minutes=10)  # a rebuild silent this long has died: writes go to the index again
BEAT_EVERY = 2000  # documents between a rebuild's signs of life


def _enterprise_id(obj) -> int | None:
    if isinstance(obj, Enterprise):
        return obj.id
    ent_id = getattr(obj, "enterprise_id", None)
    if ent_id is None and getattr(obj, "enterprise", None) is not None:
        ent_id = obj.enterprise.id
    return ent_id if hasattr(obj, "enterprise") else None


def docs_for(session: Session, ids: Iterable[int]) -> tuple[list[SearchDoc], list[int]]:
    """Search documents for the given enterprise ids, and the ids to remove (gone or soft-deleted)."""
    ids = list(ids)
    docs: list[SearchDoc] = []
    found: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for ent in session.scalars(
            select(Enterprise).where(Enterprise.id.in_(chunk)).options(*eager_options())
        ):
            found.add(ent.id)
            if ent.deleted_at is None:
                docs.append(from_enterprise(ent))
    live = {d.id for d in docs}
    removed = [i for i in ids if i not in live]  # gone, or soft-deleted
    return docs, removed


def iter_all_docs(session: Session) -> Iterator[SearchDoc]:
    """Every active enterprise as a search document, verified first (the embedded index stores
    documents in this order to serve top-K-by-prior cheaply). Read with plain row queries, chunk by
    chunk: a full reindex does not build an ORM object graph per enterprise."""
    today = local_today()
    ids = session.scalars(
        select(Enterprise.id).where(Enterprise.deleted_at.is_(None)).order_by(verified_first(), Enterprise.id)
    ).all()
    for i in range(0, len(ids), CHUNK * 4):
        chunk = ids[i : i + CHUNK * 4]
        facts: dict[int, EnterpriseFacts] = {}
        rows = session.execute(
            select(
                Enterprise.id,
                Enterprise.tax_code,
                Enterprise.name,
                Enterprise.name_en,
                Enterprise.short_name,
                Enterprise.province_code,
                Province.name,
                Province.name_ascii,
                Enterprise.address,
                Enterprise.ownership,
                Enterprise.size_class,
                Enterprise.verification_status,
                Enterprise.description,
                Enterprise.key_customers,
                Enterprise.description_en,
            )
            .join(Province, Province.code == Enterprise.province_code)
            .where(Enterprise.id.in_(chunk))
        )
        for r in rows:
            facts[r[0]] = EnterpriseFacts(*r)

        def each(stmt):
            return session.execute(stmt).all()

        for ent_id, code in each(
            select(enterprise_sector.c.enterprise_id, enterprise_sector.c.sector_code).where(
                enterprise_sector.c.enterprise_id.in_(chunk)
            )
        ):
            facts[ent_id].sectors.append(code)
        for ent_id, name, cat in each(
            select(EnterpriseProduct.enterprise_id, EnterpriseProduct.name, ProductCategory.name_vi)
            .outerjoin(ProductCategory, ProductCategory.code == EnterpriseProduct.category_code)
            .where(EnterpriseProduct.enterprise_id.in_(chunk))
            .order_by(EnterpriseProduct.position, EnterpriseProduct.id)
        ):
            facts[ent_id].products.append((name, cat))
        for model, target in ((EnterpriseProcess, "processes"), (EnterpriseMaterial, "materials")):
            for ent_id, name in each(
                select(model.enterprise_id, model.name)
                .where(model.enterprise_id.in_(chunk))
                .order_by(model.position, model.id)
            ):
                getattr(facts[ent_id], target).append(name)
        for ent_id, *q in each(
            select(Equipment.enterprise_id, Equipment.machine_type, Equipment.brand, Equipment.key_spec)
            .where(Equipment.enterprise_id.in_(chunk))
            .order_by(Equipment.position, Equipment.id)
        ):
            facts[ent_id].equipment.append(tuple(q))
        for ent_id, std, key in each(
            select(Certification.enterprise_id, Certification.standard, Certification.standard_key)
            .where(Certification.enterprise_id.in_(chunk), _valid_certificate(today))
            .order_by(Certification.position, Certification.id)
        ):
            facts[ent_id].certifications.append((std, key))
        for ent_id in chunk:
            if ent_id in facts:
                yield build_doc(facts[ent_id])


def _valid_certificate(on: date):
    return Certification.valid_until.is_(None) | (Certification.valid_until >= on)


# per index (one per app), the day up to which expiries are reflected in it; the first check of a
# process looks back EXPIRY_LOOKBACK_DAYS (any reindex since then already left older expiries out)
_expiries_done: weakref.WeakKeyDictionary[SearchBackend, date] = weakref.WeakKeyDictionary()
_expiry_lock = threading.Lock()
EXPIRY_LOOKBACK_DAYS = 366


def refresh_expired(session: Session, backend: SearchBackend, today: date | None = None) -> int:
    """Re-index the firms whose certificate expired since the last check, once a day: a document
    lists only valid certificates, and nothing else changes the firm on the day one lapses.
    Returns how many firms were re-indexed."""
    today = today or local_today()
    done = _expiries_done.get(backend)
    if done is not None and done >= today:
        return 0
    with _expiry_lock:
        done = _expiries_done.get(backend)
        if done is not None and done >= today:
            return 0
        since = done or today - timedelta(days=EXPIRY_LOOKBACK_DAYS)
        ids = sorted(
            set(
                session.scalars(
                    select(Certification.enterprise_id).where(
                        Certification.valid_until >= since, Certification.valid_until < today
                    )
                )
            )
        )
        if ids:
            docs, removed = docs_for(session, ids)
            backend.index(docs)
            backend.delete(removed)
        _expiries_done[backend] = today
        return len(ids)


def queue_backlog(maker: sessionmaker, ids: Iterable[int]) -> None:
    """Remember enterprises the index did not take (a search cluster down). Never raises: the
    commit that changed them has happened, and `cnht reindex` remains the last resort."""
    ids = sorted(set(ids))
    now = utcnow()
    for attempt in range(2):
        try:
            with maker() as s:
                s.execute(delete(SearchBacklog).where(SearchBacklog.enterprise_id.in_(ids)))
                s.add_all(SearchBacklog(enterprise_id=i, queued_at=now) for i in ids)
                s.commit()
            return
        except IntegrityError:  # another process queued the same firm at the same moment
            if attempt:
                log.exception("could not queue %d enterprises for the search index", len(ids))
        except Exception:
            log.exception("could not queue %d enterprises for the search index", len(ids))
            return


def backlog_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchBacklog)) or 0


def flush_backlog(maker: sessionmaker, backend: SearchBackend, limit: int = 2000) -> int:
    """Index what an outage left in the backlog (oldest first); returns how many were written. A
    firm queued again while this ran stays queued (its newer time)."""
    try:
        with maker() as s:  # most commits find nothing waiting: a read, no write lock
            if _held_back(s, backend) or s.scalar(select(SearchBacklog.enterprise_id).limit(1)) is None:
                return 0
        with writing(), maker() as s:  # reads, then deletes: SQLite's write lock from the start
            rows = s.execute(
                select(SearchBacklog.enterprise_id, SearchBacklog.queued_at)
                .order_by(SearchBacklog.queued_at)
                .limit(limit)
            ).all()
            if not rows:
                return 0
            ids = [r[0] for r in rows]
            read_at = max(r[1] for r in rows)
            docs, removed = docs_for(s, ids)
            try:
                backend.index(docs)
                backend.delete(removed)
            except Exception:
                s.execute(
                    update(SearchBacklog)
                    .where(SearchBacklog.enterprise_id.in_(ids))
                    .values(attempts=SearchBacklog.attempts + 1)
                )
                s.commit()
                log.warning("search index still unavailable: %d enterprises wait in the backlog", len(ids))
                return 0
            s.execute(
                delete(SearchBacklog).where(
                    SearchBacklog.enterprise_id.in_(ids), SearchBacklog.queued_at <= read_at
                )
            )
            s.commit()
            return len(ids)
    except Exception:  # a database hiccup: the next commit or health check tries again
        log.exception("search backlog flush failed")
        return 0


def rebuilding(session: Session) -> bool:
    """A rebuild is running somewhere (and still alive)."""
    row = session.get(SearchRebuild, 1)
    return row is not None and row.beat_at > utcnow() - REBUILD_STALE


def _held_back(session: Session, backend: SearchBackend) -> bool:
    return not backend.reindex_keeps_writes and rebuilding(session)


def rebuild(maker: sessionmaker, backend: SearchBackend) -> int:
    """Rebuild the index from the database; what waited in the backlog before the start is in it.

    On a search cluster the new index is built beside the live one and swapped in by alias: a change
    committed meanwhile (by any process) would go to the index the swap drops. While the rebuild runs a
    row in ``search_rebuild`` says so, every change waits in the backlog instead, and the backlog is
    written to the new index when the swap is done: no edit is lost, and searching never stops."""
    # the documents are read by a reader even when called where writes take the lock at once (an import):
    # the rebuild's own heartbeat and everyone else's saves must not wait for it
    if backend.reindex_keeps_writes:
        started = utcnow()
        with reading(), maker() as reader:
            n = backend.reindex(iter_all_docs(reader))
        with maker() as s:  # not the reader: its snapshot cannot become a write once others have written
            s.execute(delete(SearchBacklog).where(SearchBacklog.queued_at <= started))
            s.commit()
        return n
    started = utcnow()
    with maker() as s:  # committed before the documents are read: a later change sees it
        s.merge(SearchRebuild(id=1, started_at=started, beat_at=started))
        s.commit()
    try:
        with reading(), maker() as reader:
            n = backend.reindex(_beating(maker, iter_all_docs(reader)))
    finally:
        with maker() as s:
            s.execute(delete(SearchRebuild).where(SearchRebuild.started_at == started))
            s.commit()
    for _ in range(1000):  # the changes made meanwhile (and any outage's), 2,000 at a time
        if not flush_backlog(maker, backend):
            break
    return n


def _beating(maker: sessionmaker, docs: Iterable[SearchDoc]) -> Iterator[SearchDoc]:
    for n, doc in enumerate(docs, 1):
        if n % BEAT_EVERY == 0:
            with maker() as s:
                s.execute(update(SearchRebuild).where(SearchRebuild.id == 1).values(beat_at=utcnow()))
                s.commit()
        yield doc


def install_sync(maker: sessionmaker, backend_getter) -> None:
    """Attach the index-sync listeners to sessions made by ``maker``."""

    @event.listens_for(maker, "after_flush")
    def _collect(session: Session, _ctx) -> None:
        dirty = session.info.setdefault(CHANGED_KEY, set())
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            ent_id = _enterprise_id(obj)
            if ent_id is not None:
                dirty.add(ent_id)

    @event.listens_for(maker, "after_commit")
    def _send(session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released: the transaction is not over
            return
        ids = session.info.pop(CHANGED_KEY, None)
        if not ids:
            return
        backend: SearchBackend = backend_getter()
        try:
            # A fresh session: the committing one cannot run SQL at this point.
            # (queued after this session ends: inside a request that may write, it holds SQLite's
            # write lock, and a second session would wait for it)
            with maker() as reader:
                held = _held_back(reader, backend)  # a rebuild would drop it: it writes the backlog when done
                large = not held and len(ids) > max(BULK_THRESHOLD, backend.count() // 5)
                if not held and not large:
                    docs, removed = docs_for(reader, sorted(ids))
            if held:
                queue_backlog(maker, ids)
                return
            if large:  # a large import: rebuilding is faster than updating row by row, and keeps prior order
                rebuild(maker, backend)
                return
            backend.index(docs)
            backend.delete(removed)
        except Exception:  # the database is the source of truth: what the index missed waits in the backlog
            log.exception("search index update failed for %d enterprises: kept in the backlog", len(ids))
            queue_backlog(maker, ids)
            return
        flush_backlog(maker, backend)  # the index works: what an outage left behind goes now

    @event.listens_for(maker, "after_rollback")
    def _forget(session: Session) -> None:
        # a rolled-back savepoint (one bad import row) keeps what the transaction collected so far
        if not session.in_transaction():
            session.info.pop(CHANGED_KEY, None)
