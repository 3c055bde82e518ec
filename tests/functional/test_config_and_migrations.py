import os
import stat
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import exists, inspect, select

from cnht import create_app, migrate
from cnht.config import ConfigError, load_config
from cnht.db import Base, make_engine
from cnht.enterprises.models import Enterprise, EnterpriseProduct, verified_first


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("CNHT_"):
            monkeypatch.delenv(key)
    return monkeypatch


def test_defaults_are_the_embedded_setup(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    cfg = load_config()
    assert cfg["INSTANCE_PATH"] == str(tmp_path / "instance")
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'cnht.sqlite3'}"
    assert cfg["SEARCH_BACKEND"] == "embedded"


def test_environment_overrides(clean_env, tmp_path):
    clean_env.setenv("CNHT_INSTANCE_PATH", str(tmp_path / "inst"))
    clean_env.setenv("CNHT_DATABASE_URL", "postgresql://u:p@localhost/cnht")
    clean_env.setenv("CNHT_SEARCH_BACKEND", "elasticsearch")
    clean_env.setenv("CNHT_ES_URL", "http://localhost:9200")
    clean_env.setenv("CNHT_SECRET_KEY", "from-env")
    cfg = load_config()
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://u:p@localhost/cnht"
    assert cfg["SEARCH_BACKEND"] == "elasticsearch" and cfg["ES_URL"] == "http://localhost:9200"
    assert cfg["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_secret_key_is_generated_once_and_private(clean_env, tmp_path):
    clean_env.setenv("CNHT_INSTANCE_PATH", str(tmp_path))
    first = load_config()["SECRET_KEY"]
    second = load_config()["SECRET_KEY"]
    assert first == second and len(first) >= 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"CNHT_SEARCH_BACKEND": "solr"}, "must be one of"),
        ({"CNHT_SEARCH_BACKEND": "elasticsearch"}, "needs CNHT_ES_URL"),
        ({"CNHT_DEPARTMENT_PROVINCE": "Gotham"}, "is not a province"),
        ({"CNHT_DEPARTMENT_LOGO": "/nonexistent/logo.png"}, "must be an existing PNG"),
        ({"CNHT_DEPARTMENT_LOGO": __file__}, "must be an existing PNG"),  # a file, not an image
    ],
)
def test_invalid_configuration_fails_fast(clean_env, tmp_path, env, fragment):
    clean_env.setenv("CNHT_INSTANCE_PATH", str(tmp_path))
    for k, v in env.items():
        clean_env.setenv(k, v)
    with pytest.raises(ConfigError, match=fragment):
        load_config()


# indexes on an expression, which reflection does not read back: checked by the plans that need them
EXPRESSION_INDEXES = {"ix_enterprise_verified_recent"}


def _not_expression_index(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_migrations_match_the_models_and_go_down_and_up(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based")
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": _not_expression_index}
                ),
                Base.metadata,
            )
            assert diff == [], diff
            names = {ix["name"] for ix in inspect(conn).get_indexes("enterprise")}
        assert names >= EXPRESSION_INDEXES or engine.dialect.name == "sqlite"
        if engine.dialect.name == "sqlite":
            # the migration's expression is the models' one: the match query of a large category walks it
            with engine.connect() as conn:
                member = exists().where(
                    EnterpriseProduct.enterprise_id == Enterprise.id, EnterpriseProduct.category_code == "x"
                )
                stmt = (
                    select(Enterprise.id)
                    .where(member, Enterprise.deleted_at.is_(None))
                    .order_by(verified_first(), Enterprise.updated_at.desc(), Enterprise.id)
                    .limit(100)
                )
                compiled = stmt.compile(engine)  # with bound parameters, as the app sends it
                args = tuple(compiled.params[k] for k in compiled.positiontup)
                plan = " ".join(
                    str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), args)
                )
            assert "USING INDEX ix_enterprise_verified_recent" in plan and "TEMP B-TREE" not in plan, plan
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert "enterprise" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_elasticsearch_backend_is_selected_by_configuration(tmp_path, database_url):
    from cnht import create_app
    from vnsearch.backends.elasticsearch import ElasticsearchBackend

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x",
            "SEARCH_BACKEND": "elasticsearch",
            "ES_URL": "http://127.0.0.1:9",
            "ES_INDEX": "cnht-x",
        }
    )
    backend = app.extensions["cnht_search"]
    assert isinstance(backend, ElasticsearchBackend) and backend.alias == "cnht-x"
    app.extensions["cnht_db"].engine.dispose()


def test_the_department_comes_from_configuration_former_province_names_too(clean_env, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8")
    clean_env.setenv("CNHT_INSTANCE_PATH", str(tmp_path))
    clean_env.setenv("CNHT_DEPARTMENT_PROVINCE", "Bắc Giang")  # merged into Bắc Ninh on 1 July 2025
    clean_env.setenv("CNHT_DEPARTMENT_LOGO", str(logo))
    clean_env.setenv("CNHT_DEPARTMENT_PHONE", "0222 3822 000")
    dept = load_config()["DEPARTMENT"]
    assert (dept.province_code, dept.name_vi, dept.name_en) == (
        "24",
        "Sở Công Thương Bắc Ninh",
        "Bac Ninh Department of Industry and Trade",
    )
    assert dept.governing_body == "UBND TỈNH BẮC NINH" and dept.configured
    assert dept.signer_title == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"] and dept.recipients == ["Lưu: VT"]
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    client = app.test_client()
    with client.get("/brand/logo") as r:
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert load_config({"DEPARTMENT": dept})["DEPARTMENT"] is dept
    clean_env.delenv("CNHT_DEPARTMENT_LOGO")
    bare = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'y.sqlite3'}"})
    assert bare.test_client().get("/brand/logo").status_code == 404
