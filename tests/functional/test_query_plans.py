"""Lookups of a page's firms use the tax-code index, not a scan of every live firm. SQLite keeps no
statistics here, so an index holding all live firms under NULL (deleted_at) looked as good to it."""

from sqlalchemy import event

from cnht.enterprises import services
from cnht.enterprises.rules import make_tax_code
from cnht.enterprises.schemas import EnterpriseIn
from tests.factories import FIRMS, enterprise_record


def _statements(session, run):
    seen = []
    engine = session.get_bind().engine

    def grab(conn, cursor, statement, params, context, many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM enterprise " in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def test_a_page_of_firms_is_read_by_tax_code(session):
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL plans with statistics
    ents = [services.upsert(session, EnterpriseIn().load(enterprise_record(**f))).enterprise for f in FIRMS]
    session.commit()
    # a page's worth: the planner weighs an IN list by its length
    refs = [e.ref for e in ents[:3]] + [t for i in range(40) if (t := make_tax_code(f"{870000000 + i:09d}"))][
        :17
    ]
    seen = _statements(session, lambda: services.by_refs(session, refs, services.card_options()))
    assert seen
    raw = session.connection().connection.driver_connection
    for statement, params in seen:
        plan = " ".join(r[-1] for r in raw.execute("EXPLAIN QUERY PLAN " + statement, params))
        assert "ix_enterprise_deleted_at" not in plan and "tax_code" in plan, plan
