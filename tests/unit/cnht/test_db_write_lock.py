"""On SQLite a request that may write takes the write lock when it begins; a POST that only reads
(a match sent as a JSON body) begins as a reader, so it is not queued behind the one writer."""

import sqlite3
import time

import pytest
from sqlalchemy import text

from cnht.db import _may_write, make_engine


def test_only_the_reading_post_begins_as_a_reader(app):
    with app.test_request_context("/api/v1/match", method="POST"):
        assert not _may_write()
    for path in ("/api/v1/requirements", "/login", "/api/v1/events/1/registrations"):
        with app.test_request_context(path, method="POST"):
            assert _may_write(), path
    with app.test_request_context("/api/v1/search", method="GET"):
        assert not _may_write()


def test_a_match_is_not_held_up_by_a_writer(app, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock at BEGIN is SQLite's")
    path = tmp_path / "w.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t(x)"))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a save
    try:
        with app.test_request_context("/api/v1/match", method="POST"):
            t = time.monotonic()
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
            assert time.monotonic() - t < 5  # a writer's BEGIN would wait out the 30 s timeout
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
