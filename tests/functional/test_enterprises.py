import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cnht.enterprises import services
from cnht.enterprises.audit import AuditLog
from cnht.enterprises.models import Enterprise, EnterpriseProduct
from cnht.enterprises.schemas import EnterpriseIn
from tests.factories import enterprise_record


def _load(**overrides):
    return EnterpriseIn().load(enterprise_record(**overrides))


def _audit(session, ent):
    return session.scalars(select(AuditLog).where(AuditLog.entity_id == ent.id).order_by(AuditLog.id)).all()


def test_upsert_creates_enterprise_with_children(session):
    result = services.upsert(
        session,
        _load(
            equipment=[
                {"machine_type": "Máy ép nhựa", "brand": "Haitian", "count": "4", "key_spec": "350 tấn"}
            ],
            capacities=[{"product": "Khuôn ép nhựa", "quantity": "1.200", "unit": "bộ", "period": "year"}],
            materials="Thép SKD11; Nhôm ADC12",
        ),
    )
    session.commit()
    assert result.status == "created"
    ent = services.get_by_tax_code(session, "0100112437")
    assert ent.name == "Công ty TNHH Cơ khí Chính xác Hòa Bình"
    assert ent.province.name == "Hà Nội"
    assert [s.code for s in ent.sectors] == ["mechanical"]
    assert [p.name for p in ent.products] == ["Khuôn ép nhựa", "Chi tiết gia công CNC"]
    # products are linked to the CNHT taxonomy where they fit
    assert [p.category_code for p in ent.products] == ["mech.precision_moulds", "mech.cast_forged_machined"]
    assert [p.name for p in ent.processes] == ["Phay CNC", "Tiện CNC"]
    assert [m.name for m in ent.materials] == ["Thép SKD11", "Nhôm ADC12"]
    assert ent.equipment[0].count == 4 and ent.equipment[0].key_spec == "350 tấn"
    assert ent.capacities[0].quantity == 1200
    assert ent.certifications[0].standard == "ISO 9001:2015"
    assert ent.certifications[0].standard_key == "ISO 9001"
    # 80 employees, revenue 45.5 bn → small under Decree 80 (≤100 and ≤50 bn)
    assert ent.size_class == "small"
    assert ent.phone == "+842438123456"
    log = _audit(session, ent)
    assert [(a.action, a.actor) for a in log] == [("create", "system")]


def test_reapplying_the_same_data_changes_nothing(session):
    services.upsert(session, _load())
    session.commit()
    ent = services.get_by_tax_code(session, "0100112437")
    updated_at = ent.updated_at
    result = services.upsert(session, _load())
    session.commit()
    assert result.status == "unchanged"
    assert result.changed_fields == []
    assert len(_audit(session, ent)) == 1
    session.refresh(ent)
    assert ent.updated_at == updated_at


def test_update_is_audited_field_by_field(session):
    services.upsert(session, _load())
    session.commit()
    session.info["actor"] = "user:7"
    result = services.upsert(
        session, _load(employees=150, products=["Khuôn ép nhựa", "Đồ gá"], province="Bắc Giang")
    )
    session.commit()
    assert result.status == "updated"
    assert set(result.changed_fields) >= {"employees", "products", "province_code", "size_class"}
    ent = services.get_by_tax_code(session, "0100112437")
    entries = {a.field: a for a in _audit(session, ent) if a.action == "update"}
    assert entries["employees"].old_value == "80" and entries["employees"].new_value == "150"
    assert entries["province_code"].old_value == "01" and entries["province_code"].new_value == "24"
    assert json.loads(entries["products"].old_value) == ["Khuôn ép nhựa", "Chi tiết gia công CNC"]
    assert json.loads(entries["products"].new_value) == ["Khuôn ép nhựa", "Đồ gá"]
    assert entries["size_class"].old_value == "small" and entries["size_class"].new_value == "medium"
    assert {a.actor for a in entries.values()} == {"user:7"}


def test_child_rows_are_updated_in_place(session):
    services.upsert(session, _load())
    session.commit()
    ent = services.get_by_tax_code(session, "0100112437")
    first_id = ent.products[0].id
    services.upsert(session, _load(products=["Khuôn dập", "Chi tiết gia công CNC"]))
    session.commit()
    ent = services.get_by_tax_code(session, "0100112437")
    assert ent.products[0].id == first_id and ent.products[0].name == "Khuôn dập"
    assert session.scalar(select(func.count()).select_from(EnterpriseProduct)) == 2
    entry = [a for a in _audit(session, ent) if a.field == "products"][0]
    assert json.loads(entry.old_value)[0] == "Khuôn ép nhựa"
    assert json.loads(entry.new_value)[0] == "Khuôn dập"


def test_soft_delete_hides_and_upsert_restores(session):
    services.upsert(session, _load())
    session.commit()
    ent = services.get_by_tax_code(session, "0100112437")
    services.soft_delete(session, ent)
    session.commit()
    assert services.get_by_tax_code(session, "0100112437") is None
    assert services.get_by_tax_code(session, "0100112437", include_deleted=True) is not None
    assert services.count_active(session) == 0
    assert [a.action for a in _audit(session, ent)] == ["create", "delete"]
    result = services.upsert(session, _load())
    session.commit()
    assert result.status == "updated"
    assert services.get_by_tax_code(session, "0100112437") is not None
    assert [a.action for a in _audit(session, ent)][-1] == "restore"


def test_tax_code_is_unique_in_the_database(session):
    services.upsert(session, _load())
    session.commit()
    session.add(
        Enterprise(
            tax_code="0100112437", name="Trùng", province_code="01", export_markets=[], key_customers=[]
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_branch_and_parent_are_distinct_enterprises(session):
    services.upsert(session, _load())
    services.upsert(session, _load(tax_code="0100112437-001", name="Chi nhánh Bắc Ninh", province="Bắc Ninh"))
    session.commit()
    assert services.count_active(session) == 2
    assert services.get_by_tax_code(session, "0100112437-001").province_code == "24"


def test_deleting_an_enterprise_row_cascades_to_children(session):
    services.upsert(session, _load())
    session.commit()
    ent = services.get_by_tax_code(session, "0100112437")
    session.delete(ent)
    session.commit()
    assert session.scalar(select(func.count()).select_from(EnterpriseProduct)) == 0
