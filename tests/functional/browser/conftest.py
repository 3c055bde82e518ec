"""Browser tests: the portal served by waitress on a free port (own database with demo data and
one account per role), driven by Playwright in Debian's Chromium. A failing test leaves a
screenshot in tests/functional/browser/screenshots/; every page is watched for JavaScript console errors."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from tests.functional.browser.pages import SHOTS

CHROMIUM = os.environ.get("CNHT_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "mat-khau-rat-dai-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from waitress.server import create_server

    from cnht import create_app, migrate
    from cnht.accounts.services import create_account
    from cnht.demo import load
    from cnht.identity import department_from_env
    from cnht.reference.services import load_reference

    inst = tmp_path_factory.mktemp("browser-instance")
    app = create_app(
        {
            "INSTANCE_PATH": str(inst),
            "DATABASE_URL": f"sqlite:///{inst / 'b.sqlite3'}",
            "SECRET_KEY": "browser-tests",
            # generous limits rather than RATELIMIT_ENABLED=False: the limiter is one per process, and
            # switching it off here would switch it off for the other tests' app too
            "RATE_LIMIT_LOGIN": "1000 per minute",
            "RATE_LIMIT_LOGIN_FAILURES": "1000 per minute",
            "DEPARTMENT": department_from_env({"CNHT_DEPARTMENT_PROVINCE": "Bắc Ninh"})[0],
        }
    )
    db = app.extensions["cnht_db"]
    migrate.upgrade(db.engine)
    with app.app_context(), db.sessionmaker() as s:
        load_reference(s)
        load(s, count=120)
        s.commit()
        from sqlalchemy import select

        from cnht.enterprises.models import Enterprise

        firms = s.scalars(
            select(Enterprise).where(Enterprise.tax_code.is_not(None)).order_by(Enterprise.id).limit(2)
        ).all()
        own, other = firms[0], firms[1]
        create_account(
            s,
            email="sme@example.vn",
            password=PASSWORD,
            role="sme",
            full_name="Phạm Thị SME",
            enterprise_id=own.id,
        )
        create_account(
            s, email="staff@example.vn", password=PASSWORD, role="staff", full_name="Lê Văn Cán Bộ"
        )
        buyer = create_account(
            s, email="buyer@example.vn", password=PASSWORD, role="buyer", full_name="Tanaka Ken"
        )
        buyer.organisation = "Canon Việt Nam"
        s.commit()
        info = {
            "own": own.tax_code,
            "own_name": own.name,
            "other": other.tax_code,
            "other_name": other.name,
            "db": str(inst / "b.sqlite3"),
        }
    port = _free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{port}", **info}
    server.close()
    db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server["url"], locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"{m.type}: {m.text} ({pg.url})") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e} ({pg.url})"))
    pg.console_errors = errors  # a test that provokes an error status clears the expected entry
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SHOTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, "JavaScript console errors:\n" + "\n".join(errors)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
