"""Certificate validity: an expired certificate is shown as such on the profile and no longer finds
the firm through the certificate filter; one that lapses after indexing drops out on the next day's
first search."""

from __future__ import annotations

import weakref
from datetime import timedelta

from cnht.db import local_today
from cnht.enterprises import services
from cnht.enterprises.models import Certification
from cnht.enterprises.schemas import EnterpriseIn
from cnht.search import indexing
from tests.factories import enterprise_record

LAPSED = "0100112437"
VALID = "0313845728"


def _firm(session, tax_code, name, valid_until):
    ent = services.upsert(
        session, EnterpriseIn().load(enterprise_record(tax_code=tax_code, name=name, certifications=[]))
    ).enterprise
    ent.certifications.append(
        Certification(standard="ISO 9001:2015", standard_key="ISO 9001", valid_until=valid_until)
    )
    session.commit()
    return ent


def _certified(client):
    body = client.get("/api/v1/search?q=&certification=ISO%209001").get_json()
    return {h["tax_code"] for h in body["items"]}


def test_expired_certificate_is_marked_and_not_found_by_the_filter(client, session, monkeypatch):
    monkeypatch.setattr(indexing, "_expiries_done", weakref.WeakKeyDictionary())
    today = local_today()
    _firm(session, LAPSED, "Công ty TNHH Cơ khí Hết Hạn", today - timedelta(days=1))
    _firm(session, VALID, "Công ty TNHH Cơ khí Còn Hạn", today + timedelta(days=1))
    assert _certified(client) == {VALID}
    page = client.get(f"/enterprises/{LAPSED}").get_data(as_text=True)
    assert 'data-testid="cert-expired"' in page and "đã hết hạn" in page
    assert 'data-testid="cert-expired"' not in client.get(f"/enterprises/{VALID}").get_data(as_text=True)

    # two days on, the valid one has lapsed: nothing edits the firm, that day's first search re-indexes
    # it (only it: the other lapsed before today's check)
    later = today + timedelta(days=2)
    monkeypatch.setattr("cnht.enterprises.models.local_today", lambda: later)
    backend = client.application.extensions["cnht_search"]
    with client.application.app_context():
        assert indexing.refresh_expired(session, backend, later) == 1
        assert indexing.refresh_expired(session, backend, later) == 0  # once a day
    body = client.get("/api/v1/search?q=&certification=ISO%209001").get_json()
    assert body["items"] == []
