"""Warehouse stock moves with SQLAlchemy Core and raw SQL."""

import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["WAREHOUSE_DATABASE_URL"], pool_size=5)


def pick(sku: str, bin_id: str, qty: int) -> int:
    with engine.begin() as conn:
        on_hand = conn.execute(
            text("SELECT quantity FROM bins WHERE sku = :sku AND bin_id = :bin"),
            {"sku": sku, "bin": bin_id},
        ).scalar_one()
        remaining = max(on_hand - qty, 0)
        conn.execute(  # expect: SP701
            text("UPDATE bins SET quantity = :qty WHERE sku = :sku AND bin_id = :bin"),
            {"qty": remaining, "sku": sku, "bin": bin_id},
        )
    return remaining


def audit(sku: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT bin_id, quantity FROM bins WHERE sku = :sku"), {"sku": sku}
        ).mappings().all()
    return [dict(r) for r in rows]


def move(sku: str, src: str, dst: str, qty: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE bins SET quantity = quantity - :qty WHERE sku = :sku AND bin_id = :bin"),
            {"qty": qty, "sku": sku, "bin": src},
        )
        conn.execute(
            text("UPDATE bins SET quantity = quantity + :qty WHERE sku = :sku AND bin_id = :bin"),
            {"qty": qty, "sku": sku, "bin": dst},
        )
