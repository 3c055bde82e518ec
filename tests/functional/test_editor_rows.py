"""The profile editor's row sections (machines, certificates with their scans, capacity, products):
rows keep their identity, bad rows are refused whole with the typing kept, and nothing the form did
not carry is cleared."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from cnht.enterprises import services
from cnht.enterprises.models import Attachment, Certification
from cnht.enterprises.schemas import EnterpriseIn
from tests.client import login, post_form
from tests.factories import enterprise_record, make_user

OWN = "0100112437"
OTHER = "0313845728"
EDIT = f"/enterprises/{OWN}/edit"
PDF = b"%PDF-1.4\n%%EOF\n"


def _setup(session):
    own = services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(
                tax_code=OWN,
                certifications=["ISO 9001:2015 | Q-1 | QUACERT | 2029-01-31", "IATF 16949:2016 | A-2 | BV"],
                equipment=["Máy phay CNC | Mazak | 4 | hành trình 1.000 mm", "Máy tiện CNC | Okuma | 2"],
            )
        ),
    ).enterprise
    other = services.upsert(
        session,
        EnterpriseIn().load(
            enterprise_record(tax_code=OTHER, name="Công ty Khác", certifications=["ISO 14001"])
        ),
    ).enterprise
    session.commit()
    make_user(session, "sme", tax_code=OWN)
    return own, other


def _post(client, section, rows, *, remove=None, files=None):
    """Rows as the page submits them: each field a repeated input, one key per row."""
    fields = {
        "certifications": ("standard", "number", "issuer", "valid_until"),
        "equipment": ("machine_type", "brand", "count", "key_spec"),
        "capacities": ("product", "quantity", "unit", "period", "note"),
        "products": ("name", "description"),
    }[section]
    data = {f"{section}-key": [r["key"] for r in rows]}
    for f in fields:
        data[f"{section}-{f}"] = [r.get(f, "") for r in rows]
    if remove:
        data["remove"] = remove
    for key, (body, name) in (files or {}).items():
        data[f"{section}-file-{key}"] = (io.BytesIO(body), name)
    return post_form(client, f"{EDIT}/{section}", data, page=EDIT, content_type="multipart/form-data")


def _cert_rows(ent):
    return [
        {
            "key": str(c.id),
            "standard": c.standard,
            "number": c.number or "",
            "issuer": c.issuer or "",
            "valid_until": c.valid_until.isoformat() if c.valid_until else "",
        }
        for c in ent.certifications
    ]


def test_a_scan_stays_with_its_certificate_when_a_row_above_goes(client, session):
    own, _ = _setup(session)
    login(client, "sme@example.vn")
    rows = _cert_rows(own)
    iatf_id = own.certifications[1].id
    r = _post(client, "certifications", rows, files={str(iatf_id): (PDF, "iatf.pdf")})
    assert r.status_code == 302
    session.expire_all()
    scan = session.scalars(select(Attachment)).one()
    assert (scan.kind, scan.certification_id, scan.filename) == ("certificate", iatf_id, "iatf.pdf")
    assert scan.caption == "IATF 16949:2016 A-2"
    assert (
        Path(client.application.config["UPLOAD_DIR"]) / "attachments" / scan.stored_name
    ).read_bytes() == PDF

    r = _post(client, "certifications", rows, remove=rows[0]["key"])  # the ISO 9001 row's remove button
    assert r.status_code == 302
    session.expire_all()
    ent = services.get_by_tax_code(session, OWN)
    assert [(c.id, c.standard) for c in ent.certifications] == [(iatf_id, "IATF 16949:2016")]
    assert session.get(Attachment, scan.id).certification_id == iatf_id  # not moved onto another row
    page = client.get(EDIT).get_data(as_text=True)
    assert "iatf.pdf" in page

    r = _post(client, "certifications", [])  # no rows at all is not the page's form
    assert r.status_code == 400
    r = _post(client, "certifications", [{"key": "new-0"}])  # every row removed: the blank row stays
    assert r.status_code == 302
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).certifications == []
    kept = session.get(Attachment, scan.id)
    assert kept is not None and kept.certification_id is None  # the scan itself is not lost


def test_a_bad_row_refuses_the_whole_section_and_keeps_the_typing(client, session):
    own, _ = _setup(session)
    login(client, "sme@example.vn")
    folder = Path(client.application.config["UPLOAD_DIR"]) / "attachments"
    files_before = set(folder.glob("*"))
    rows = _cert_rows(own) + [{"key": "new-0", "standard": "ISO 14001", "valid_until": "2027-02-31"}]
    r = _post(client, "certifications", rows)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Ngày không hợp lệ" in html and 'value="ISO 14001"' in html
    rows[-1] = {"key": "new-0", "number": "không có tiêu chuẩn"}
    r = _post(client, "certifications", rows)
    assert r.status_code == 400 and "Bắt buộc phải có" in r.get_data(as_text=True)
    rows[-1] = {"key": "new-0", "standard": "ISO 14001"}
    r = _post(client, "certifications", rows, files={"new-0": (b"<script>x</script>", "scan.pdf")})
    assert r.status_code == 400 and "PDF" in r.get_data(as_text=True)
    session.expire_all()
    assert [c.standard for c in services.get_by_tax_code(session, OWN).certifications] == [
        "ISO 9001:2015",
        "IATF 16949:2016",
    ]
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert set(folder.glob("*")) == files_before  # no file stored for a refused save


def test_a_post_without_the_rows_clears_nothing(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    r = post_form(client, f"{EDIT}/equipment", {"equipment": "Máy ép | | 1"}, page=EDIT)
    assert r.status_code == 400
    session.expire_all()
    assert len(services.get_by_tax_code(session, OWN).equipment) == 2


def test_another_firms_row_id_is_a_new_row_here(client, session):
    _, other = _setup(session)
    foreign = other.certifications[0].id
    login(client, "sme@example.vn")
    r = _post(client, "certifications", [{"key": str(foreign), "standard": "ISO 45001"}])
    assert r.status_code == 302
    session.expire_all()
    theirs = session.get(Certification, foreign)
    assert (theirs.enterprise_id, theirs.standard) == (other.id, "ISO 14001")
    assert [c.standard for c in services.get_by_tax_code(session, OWN).certifications] == ["ISO 45001"]


def test_capacity_rows_read_numbers_in_the_pages_language(client, session):
    _setup(session)
    login(client, "sme@example.vn")
    r = _post(
        client,
        "capacities",
        [{"key": "new-0", "product": "Đế giày EVA", "quantity": "50.000", "unit": "đôi", "period": "month"}],
    )
    assert r.status_code == 302
    session.expire_all()
    cap = services.get_by_tax_code(session, OWN).capacities[0]
    assert (cap.quantity, cap.unit, cap.period) == (Decimal("50000"), "đôi", "month")
    assert 'value="50.000"' in client.get(EDIT).get_data(as_text=True)

    client.get(EDIT + "?lang=en")
    key = str(cap.id)
    r = _post(
        client, "capacities", [{"key": key, "product": "Đế giày EVA", "quantity": "300,000", "unit": "đôi"}]
    )
    assert r.status_code == 302
    session.expire_all()
    assert services.get_by_tax_code(session, OWN).capacities[0].quantity == Decimal("300000")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="300,000"' in page and 'label="pairs"' in page
    r = _post(client, "capacities", [{"key": key, "product": "Đế giày EVA", "period": "fortnight"}])
    assert r.status_code == 400


def test_equipment_rows_edit_in_place(client, session):
    own, _ = _setup(session)
    login(client, "sme@example.vn")
    ids = [q.id for q in own.equipment]
    rows = [
        {"key": str(ids[0]), "machine_type": "Máy phay CNC 5 trục", "brand": "Mazak", "count": "5"},
        {"key": "new-1", "machine_type": "Máy cắt dây", "count": "1.200"},
        {"key": str(ids[1]), "machine_type": "Máy tiện CNC", "brand": "Okuma", "count": "2"},
        {"key": "new-0"},  # the page's blank row
    ]
    assert _post(client, "equipment", rows).status_code == 302
    session.expire_all()
    eq = services.get_by_tax_code(session, OWN).equipment
    assert [(q.machine_type, q.count) for q in eq] == [
        ("Máy phay CNC 5 trục", 5),
        ("Máy cắt dây", 1200),
        ("Máy tiện CNC", 2),
    ]
    assert eq[0].id == ids[0] and eq[2].id == ids[1] and eq[0].key_spec is None  # emptied on purpose
    rows[1]["count"] = "nhiều"
    r = _post(client, "equipment", rows)
    assert r.status_code == 400 and "không phải là số nguyên" in r.get_data(as_text=True)
