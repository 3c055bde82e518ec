"""Test fixtures: one migrated database per run (SQLite by default, PostgreSQL when
CNHT_TEST_DATABASE_URL is set), each test inside an outer transaction that is rolled back.

Sessions join the outer transaction with savepoints, so code under test may commit for real
(``session.commit()`` releases a savepoint) and still leave nothing behind.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cnht import create_app, migrate
from cnht.reference.services import load_reference

TEST_DB_ENV = "CNHT_TEST_DATABASE_URL"


def _pg_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get(TEST_DB_ENV)
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    url = _pg_url(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # start from an empty schema every run
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "IMPORT_JOBS_INLINE": True,
            "STATS_CACHE_SECONDS": 0,  # each test's data is rolled back: no aggregate may outlive it  # the background-thread path has its own test on a fresh database
        }
    )
    database = application.extensions["cnht_db"]
    migrate.upgrade(database.engine)
    with database.sessionmaker() as s:
        load_reference(s)
        s.commit()
    yield application
    database.engine.dispose()


@pytest.fixture
def db(app):
    """The app's database bound to one connection whose outer transaction is rolled back."""
    database = app.extensions["cnht_db"]
    app.extensions["cnht_search"].clear()  # the index lives outside the rolled-back transaction
    conn = database.engine.connect()
    outer = conn.begin()
    database.sessionmaker.configure(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield database
    finally:
        outer.rollback()
        conn.close()
        database.sessionmaker.configure(bind=database.engine, join_transaction_mode="conservative_savepoint")


@pytest.fixture
def session(db):
    s = db.sessionmaker()
    try:
        yield s
    finally:
        s.close()


_client_no = iter(range(1, 1_000_000))


@pytest.fixture
def client(app, db):
    # A client address of its own per test, so per-address rate limits do not leak between tests.
    n = next(_client_no)
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    return c


@pytest.fixture
def cli_runner(app, db):
    from cnht.cli import cli

    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return invoke


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database of the same kind as the test database (for migration and init-db tests)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"cnht_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


DATA = Path(__file__).parent / "data"


@pytest.fixture
def template_csv() -> Path:
    return DATA / "enterprise_import_template.csv"
