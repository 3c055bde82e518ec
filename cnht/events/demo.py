"""A demo reverse fair for ``cnht demo --accounts``: buyers with wanted parts, suppliers from the demo
firms, accepted requests and an optimised schedule, so every events page has something to show."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cnht.accounts.models import User
from cnht.enterprises.models import Enterprise, enterprise_sector
from cnht.events import services
from cnht.events.models import Event

NAME = "Hội chợ ngược linh kiện điện tử – cơ khí (demo)"
PARTS = {
    0: [
        "Vỏ nhựa ABS cho bộ sạc | 120×80 mm, UL94 V-0 | 20.000 cái/tháng",
        "Khuôn ép nhựa 2 lòng | thép P20 |",
    ],
    1: [
        "Chi tiết dập kim loại | SPCC 1,2 mm, mạ kẽm | 5.000 bộ/tháng",
        "Trục inox gia công CNC | SUS304, ±0,01 mm |",
    ],
    2: ["Bo mạch PCBA | SMT 2 mặt | 3.000 bo/tháng", "Dây điện, cáp nguồn | UL 1007 |"],
}


def load(
    session: Session, staff: User, buyer_user: User | None, sme_enterprise_id: int | None
) -> Event | None:
    if session.scalar(select(Event.id).where(Event.name == NAME)):
        return None
    start = services.today() + timedelta(days=14)
    event = services.save_event(
        session,
        {
            "name": NAME,
            "organiser": "Sở Công Thương (demo)",
            "venue": "Trung tâm Hội nghị tỉnh",
            "description": "Bên mua FDI trưng bày linh kiện cần tìm; nhà cung ứng địa phương đăng ký gặp 20 phút.",
            "starts_on": start,
            "ends_on": start,
            "status": "requests",
            "cap_per_participant": 8,
        },
        staff,
    )
    services.add_session(
        session,
        event,
        {"name": "Sáng", "day": start, "starts_at": time(8, 30), "ends_at": time(11, 45)},
        staff,
    )
    services.add_session(
        session,
        event,
        {"name": "Chiều", "day": start, "starts_at": time(13, 30), "ends_at": time(16, 0)},
        staff,
    )
    services.add_tables(session, event, {"kind": "public", "count": 6}, staff)
    services.add_tables(session, event, {"kind": "interpreter", "count": 1, "language": "ja"}, staff)
    services.add_tables(
        session, event, {"kind": "online", "count": 1, "url": "https://meet.example.vn/cnht-demo"}, staff
    )
    firms = (
        session.scalars(
            select(Enterprise)
            .join(enterprise_sector, enterprise_sector.c.enterprise_id == Enterprise.id)
            .where(
                Enterprise.deleted_at.is_(None),
                enterprise_sector.c.sector_code.in_(("mechanical", "electronics")),
            )
            .order_by(Enterprise.id)
            .limit(18)
        )
        .unique()
        .all()
    )
    firms = list(dict.fromkeys(firms))  # one row per firm whatever the loader joins
    if len(firms) < 8:
        return event
    buyers = []
    for i, ent in enumerate(firms[:3]):
        p = services.add_participant(
            session,
            event,
            {"enterprise": ent.ref, "role": "buyer", "interpreter": "ja" if i == 0 else None},
            staff,
        )
        if i == 0 and buyer_user is not None:
            p.user_id = buyer_user.id
        buyers.append(p)
    sup_firms = [f for f in firms[3:] if f.id != sme_enterprise_id]
    if sme_enterprise_id is not None:
        own = session.get(Enterprise, sme_enterprise_id)
        if own is not None and own not in firms[:3]:
            sup_firms.insert(0, own)
    suppliers = [
        services.add_participant(session, event, {"enterprise": f.ref, "role": "supplier"}, staff)
        for f in sup_firms[:12]
    ]
    for i, b in enumerate(buyers):
        rows, _ = services.parse_item_lines("\n".join(PARTS[i]))
        services.add_items(session, event, b, rows, staff)
    for i, s in enumerate(suppliers):
        for j, b in enumerate(buyers):
            if (i + j) % 3 == 2:
                continue
            r = services.create_request(
                session, event, b, s, "must" if (i + j) % 5 == 0 else "like", staff, side="buyer"
            )
            if (i + 2 * j) % 7 != 0:  # a few stay pending, so the requests page has all states
                services.respond(session, r, "accept", staff, side="supplier")
    services.run_schedule(session, event, staff, seconds=1.0)
    return event
