"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): check their structure."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]  # the checkout


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_app_postgres_and_single_node_opensearch():
    services = _compose()["services"]
    assert set(services) == {"app", "db", "search"}
    assert services["db"]["image"].startswith("postgres:")
    # the engine CI tests (make test-search: OpenSearch 2.19 from Maven Central)
    assert services["search"]["image"].startswith("opensearchproject/opensearch:2.19")
    assert services["search"]["environment"]["discovery.type"] == "single-node"
    assert services["app"]["build"] == "."


def test_compose_wires_the_app_to_its_servers():
    compose = _compose()
    app = compose["services"]["app"]
    env = app["environment"]
    assert (
        env["CNHT_DATABASE_URL"].startswith("postgresql://cnht:")
        and "@db:5432/cnht" in env["CNHT_DATABASE_URL"]
    )
    assert env["CNHT_SEARCH_BACKEND"] == "opensearch"
    assert env["CNHT_ES_URL"] == "http://search:9200"
    db_env = compose["services"]["db"]["environment"]
    assert db_env["POSTGRES_DB"] == "cnht" and db_env["POSTGRES_USER"] == "cnht"
    assert app["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "search": {"condition": "service_healthy"},
    }
    assert "8000:8000" in app["ports"]


def test_compose_runs_several_worker_processes():
    app = _compose()["services"]["app"]
    assert app["environment"]["CNHT_WORKERS"].startswith("${CNHT_WORKERS:-") and not app["environment"][
        "CNHT_WORKERS"
    ].startswith("${CNHT_WORKERS:-1}")


def test_every_service_has_a_health_check_and_a_named_volume():
    compose = _compose()
    for name, svc in compose["services"].items():
        assert "test" in svc["healthcheck"], name
        for volume in svc["volumes"]:
            source = volume.split(":")[0]
            assert source in compose["volumes"], (name, source)
    assert "pg_isready" in compose["services"]["db"]["healthcheck"]["test"][1]
    assert "/_cluster/health" in compose["services"]["search"]["healthcheck"]["test"][1]
    assert "/healthz" in compose["services"]["app"]["healthcheck"]["test"][-1]


def test_dockerfile_installs_the_project_and_serves_it():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11" in text
    for folder in ("cnht", "vnsearch", "ingest", "requirements"):
        assert f"COPY {folder} ./{folder}" in text
    # a regular install from the locked versions: the package carries its templates and migrations
    assert "pip install -c requirements/constraints.txt ." in text and "pip install -e" not in text
    assert "USER cnht" in text
    assert "cnht init-db && exec cnht serve --host 0.0.0.0 --port 8000" in text


def test_health_endpoint(client):
    resp = client.get("/healthz")
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["search"]["status"] == "ok" and body["search"]["backlog"] == 0
