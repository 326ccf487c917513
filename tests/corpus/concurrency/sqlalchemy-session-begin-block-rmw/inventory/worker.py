"""Applies stock adjustments coming from the warehouse feed."""

import logging

from sqlalchemy import Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

log = logging.getLogger("inventory.worker")
engine = create_engine("postgresql+psycopg2://inventory@inventory-db/inventory")


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    sku: Mapped[str] = mapped_column(String, primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer)


def apply_adjustment(sku: str, delta: int) -> None:
    with Session(engine) as session, session.begin():
        item = session.get(Item, sku)
        if item is None:
            session.add(Item(sku=sku, on_hand=max(delta, 0)))
            return
        new_level = max(item.on_hand + delta, 0)
        item.on_hand = new_level  # expect: SP701
    log.info("sku %s adjusted by %s", sku, delta)


def snapshot(sku: str) -> int:
    with Session(engine) as session:
        item = session.get(Item, sku)
        return item.on_hand if item else 0
