"""The ``cnht`` command: operations staff and administrators run."""

from __future__ import annotations

import getpass
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from cnht import create_app, migrate


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(),
    add_version_option=False,
    help="CNHT Portal — cổng thông tin công nghiệp hỗ trợ / supporting-industry portal.",
)
def cli() -> None:
    pass


def _session():
    from cnht.db import session

    return session


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu / Create or upgrade the database, load reference data."""
    from cnht.db import get_db
    from cnht.reference.services import load_reference

    engine = get_db().engine
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    session = _session()
    counts = load_reference(session)
    session.commit()
    url = engine.url.render_as_string(hide_password=True)
    state = (
        "tạo mới / created"
        if before is None
        else ("đã nâng cấp / upgraded" if before != after else "đã cập nhật / up to date")
    )
    click.echo(f"Cơ sở dữ liệu / database {url}: {state} (revision {after})")
    click.echo("Dữ liệu tham chiếu / reference data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    # A new or upgraded search index (or one left behind by a restore) is rebuilt here, so that
    # search matches the database after every start.
    from cnht.enterprises.services import count_active
    from cnht.search.backend import get_backend
    from cnht.search.services import reindex

    active = count_active(session)
    try:
        indexed = get_backend().count()
    except Exception as exc:  # an unreachable Elasticsearch must not stop the database set-up
        click.echo(f"Chỉ mục tìm kiếm không truy cập được / search index unreachable: {exc}", err=True)
        return
    if indexed != active:
        n = reindex(current_app._get_current_object())
        click.echo(f"Chỉ mục tìm kiếm đã xây dựng lại / search index rebuilt: {n} doanh nghiệp/enterprises")


def _require_schema() -> None:
    """A database this code can use: created, and at the code's revision (an older one would fail a
    page or a write on every new column, with a 500 instead of this message)."""
    from cnht.db import get_db

    have, need = migrate.current_revision(get_db().engine), migrate.head_revision()
    if have is None:
        raise click.ClickException(
            "Chưa khởi tạo cơ sở dữ liệu: chạy 'cnht init-db' trước / "
            "database not initialised: run 'cnht init-db' first"
        )
    if have != need:
        raise click.ClickException(
            f"Cơ sở dữ liệu ở phiên bản {have}, phiên bản này của cổng cần {need}: chạy 'cnht init-db' để nâng "
            f"cấp / the database is at revision {have}, this version of the portal needs {need}: run "
            "'cnht init-db' to upgrade"
        )


@cli.command("demo")
@click.option("--count", default=320, show_default=True, help="Số doanh nghiệp / number of enterprises")
@click.option("--seed", default=2025, show_default=True)
@click.option(
    "--accounts",
    is_flag=True,
    help="Tạo tài khoản mẫu (cán bộ, doanh nghiệp, bên mua) với mật khẩu mới / demo accounts with new "
    "random passwords, and demo sourcing requests. Never on a production server.",
)
@with_appcontext
def demo(count: int, seed: int, accounts: bool) -> None:
    """Nạp dữ liệu mẫu / Load the bundled demo enterprises (deterministic, idempotent)."""
    from cnht import demo as demo_data

    _require_schema()
    session = _session()
    counts = demo_data.load(session, count=count, seed=seed)
    created = demo_data.load_accounts(session) if accounts else []
    session.commit()
    click.echo(
        f"Dữ liệu mẫu / demo data: {counts['created']} mới/created, {counts['updated']} cập nhật/updated, "
        f"{counts['unchanged']} không đổi/unchanged"
    )
    for role, email, password in created:
        click.echo(f"  tài khoản mẫu / demo account  {role:6s} {email:28s} {password}")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi / validate only, write nothing")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Ghi báo cáo lỗi / write the row report (.csv or .xlsx)",
)
@click.option(
    "--on-error",
    type=click.Choice(["skip", "abort"]),
    default="skip",
    show_default=True,
    help="skip: bỏ qua dòng lỗi / skip bad rows; abort: không ghi gì nếu có lỗi / write nothing",
)
@click.option("--sheet", help="Tên trang tính (XLSX) / sheet name")
@with_appcontext
def import_cmd(path: str, dry_run: bool, report_path: str | None, on_error: str, sheet: str | None) -> None:
    """Nhập danh sách doanh nghiệp / Import an enterprise list (CSV or XLSX)."""
    import time

    from cnht.db import writing
    from cnht.imports.importer import import_file, write_report
    from ingest.readers import estimate_rows

    _require_schema()
    session = _session()
    total = estimate_rows(path)
    started = time.perf_counter()
    state = {"done": 0}

    def rate(_item) -> str:
        elapsed = time.perf_counter() - started
        return f"{state['done'] / elapsed:,.0f} dòng/s rows/s" if elapsed > 0 else ""

    with click.progressbar(
        length=total or 0,
        label="Đang nhập / importing",
        show_eta=True,
        show_pos=True,
        item_show_func=rate,
        file=sys.stderr,
    ) as bar:

        def progress(n: int) -> None:
            if n % 100 == 0:
                bar.update(n - state["done"])
                state["done"] = n

        with writing():  # the import's transaction holds SQLite's write lock from its start
            report = import_file(
                session, path, dry_run=dry_run, on_error=on_error, sheet=sheet, progress=progress
            )
        bar.update(max(report.rows_read - state["done"], 0))
    if report.fatal:
        session.rollback()
        raise click.ClickException(str(report.fatal))
    session.commit()
    if report.unknown_columns:
        click.echo(
            "Cột không nhận ra (bỏ qua) / unknown columns (ignored): " + ", ".join(report.unknown_columns)
        )
    for issue in report.issues[:50]:
        click.echo(
            f"  dòng/row {issue.row} [{issue.column}] {issue.value!r}: {issue.message}",
            err=issue.level == "error",
        )
    if len(report.issues) > 50:
        click.echo(f"  … {len(report.issues) - 50} thông báo khác / more messages (see --report)")
    if report_path:
        write_report(report, report_path)
        click.echo(f"Báo cáo / report: {report_path}")
    if report.where():
        click.echo(report.where())
    click.echo(report.summary())
    if report.aborted or (report.failed and on_error == "abort"):
        sys.exit(1)


@cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-q", "--query", default=None, help="Chỉ xuất kết quả tìm kiếm / export a search result only")
@with_appcontext
def export_cmd(path: str, query: str | None) -> None:
    """Xuất danh sách doanh nghiệp / Export enterprises to .xlsx or .csv (the import template)."""
    from cnht.enterprises.export import export

    _require_schema()
    if not path.lower().endswith((".xlsx", ".csv")):
        raise click.ClickException(
            "Tên tệp phải kết thúc bằng .xlsx hoặc .csv / the file must end in .xlsx or .csv"
        )
    ids = None
    if query is not None:
        from cnht.search.services import result_ids

        with current_app.test_request_context():
            ids = result_ids(query)
    n = export(_session(), path, ids)
    click.echo(f"Đã xuất / exported {n} doanh nghiệp/enterprises → {path}")


@cli.command("reindex")
@with_appcontext
def reindex_cmd() -> None:
    """Xây dựng lại chỉ mục tìm kiếm / Rebuild the search index (no downtime: built aside, then swapped)."""
    import time

    from cnht.search.services import reindex

    _require_schema()
    started = time.perf_counter()
    n = reindex(current_app._get_current_object())
    click.echo(
        f"Đã lập chỉ mục / indexed {n} doanh nghiệp/enterprises "
        f"({current_app.config['SEARCH_BACKEND']}) trong / in {time.perf_counter() - started:.1f} s"
    )


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--threads",
    default=lambda: int(os.environ.get("CNHT_THREADS", "0") or 0) or None,
    type=click.IntRange(1, 64),
    show_default="CNHT_THREADS, or 8 in one process and 2 per process with --workers",
    help="threads per process",
)
@click.option(
    "--workers",
    default=lambda: int(os.environ.get("CNHT_WORKERS", "1") or 1),
    show_default="CNHT_WORKERS or 1",
    type=click.IntRange(1, 64),
    help="server processes (more than 1: gunicorn with threaded workers)",
)
@with_appcontext
def serve(host: str, port: int, threads: int | None, workers: int) -> None:
    """Chạy máy chủ web / Serve the portal (waitress; gunicorn with --workers N)."""
    import faulthandler
    import ipaddress

    # the work is CPU-bound Python: beyond two threads a process's threads mostly wait for each other
    # (bench.load, 2 cores, 100k firms: 2 workers × 4 threads 107 requests/s, × 2 threads 111–115)
    threads = threads or (8 if workers == 1 else 2)

    # a crash in a native extension (OR-Tools, the tokenizer) leaves its Python stack in the log, not just a signal
    _require_schema()
    faulthandler.enable()
    app = current_app._get_current_object()
    if not app.config.get("BASE_URL"):
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            # links in mails come only from configuration: without it they would point nowhere useful
            raise click.ClickException(
                "Đặt CNHT_BASE_URL (địa chỉ công khai của cổng, ví dụ https://cnht.sct.gov.vn) trước khi phục vụ "
                f"ngoài máy này / set CNHT_BASE_URL (the portal's public address) before serving on {host}"
            )
        app.config["BASE_URL"] = f"http://{'127.0.0.1' if host == 'localhost' else host}:{port}"
        os.environ["CNHT_BASE_URL"] = app.config["BASE_URL"]  # the workers build their own app
    click.echo(f"CNHT Portal: http://{host}:{port}/ ({workers} × {threads} threads)")
    if workers == 1:
        from waitress import serve as waitress_serve

        _warm(app)
        waitress_serve(app, host=host, port=port, threads=threads, ident="cnht-portal")
        return
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 120,  # a worker busy longer than this is restarted
            # an idle keep-alive connection is closed after this long; gunicorn's 2 s closed it just as
            # a client sending every two seconds reused it (a POST then fails: nothing retries it)
            "keepalive": 15,
            "graceful_timeout": 30,
            "max_requests": 0,  # a restart would cut off an import running in that worker
            "accesslog": None,
            "errorlog": "-",
            "preload_app": False,  # each worker opens its own database and index connections
        }
    ).run()


def _warm(app) -> None:
    """Load the search vocabulary and facet arrays now rather than on the first visitor's query."""
    from cnht.search.backend import get_backend
    from cnht.search.services import SearchRequest, run_search

    try:
        with app.app_context():
            get_backend().vocabulary()
            with app.test_request_context():
                run_search(SearchRequest(q=""))
    except Exception as exc:
        click.echo(f"Chỉ mục tìm kiếm chưa sẵn sàng / search index not ready: {exc}", err=True)


def _Gunicorn(options: dict):
    """gunicorn run from `cnht serve --workers N`: every worker builds its app from the environment.
    Defined on use, so that no other command imports gunicorn."""
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from cnht import create_app

            app = create_app()
            _warm(app)
            return app

    return App()


@cli.command("event-followups")
@with_appcontext
def event_followups() -> None:
    """Gửi nhắc kết quả +30/+90 ngày sau sự kiện / Send the 30- and 90-day follow-up prompts (run daily)."""
    from cnht.events.services import due_followups

    _require_schema()
    session = _session()
    n = due_followups(session)
    session.commit()
    click.echo(f"Đã gửi / sent {n} thư nhắc / follow-up messages")


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "staff", "sme", "buyer"]), required=True)
@click.option("--name", "full_name", default="")
@click.option("--password", help="Nếu bỏ trống sẽ hỏi / prompted when omitted")
@click.option(
    "--enterprise", "tax_code", help="Mã số thuế doanh nghiệp (vai trò sme) / tax code for an SME user"
)
@with_appcontext
def create_user(email: str, role: str, full_name: str, password: str | None, tax_code: str | None) -> None:
    """Tạo tài khoản / Create a user account."""
    from cnht.accounts.services import AccountError, create_account
    from cnht.enterprises.services import get_by_tax_code

    _require_schema()
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Mật khẩu / password: ")
            if getpass.getpass("Nhập lại / repeat: ") != password:
                raise click.ClickException("Mật khẩu không khớp / passwords differ")
    session = _session()
    enterprise_id = None
    if tax_code:
        ent = get_by_tax_code(session, tax_code.strip(), full=False)
        if ent is None:
            raise click.ClickException(
                f"Không có doanh nghiệp mã số thuế {tax_code} / no enterprise with tax code {tax_code}"
            )
        enterprise_id = ent.id
    try:
        user = create_account(
            session,
            email=email,
            password=password,
            role=role,
            full_name=full_name,
            enterprise_id=enterprise_id,
        )
    except AccountError as exc:
        raise click.ClickException(str(exc.msg)) from None
    session.commit()
    click.echo(f"Đã tạo / created: {user.email} ({user.role})")


def main() -> None:
    cli(prog_name="cnht")
