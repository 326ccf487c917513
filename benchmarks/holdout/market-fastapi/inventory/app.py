"""Inventory service: stock levels and per-order reservations."""

import logging
import os
import uuid
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import Integer, String, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

log = logging.getLogger("inventory")

engine = create_async_engine(os.environ["INVENTORY_DB_URL"])
SessionMaker = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI(title="inventory")


class Base(DeclarativeBase):
    pass


class StockItem(Base):
    __tablename__ = "stock"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    available: Mapped[int] = mapped_column(Integer)


class Reservation(Base):
    __tablename__ = "reservations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="held")


class ReservationItem(BaseModel):
    sku: str
    quantity: int


class ReserveRequest(BaseModel):
    order_id: str
    items: list[ReservationItem]


class DispatchRequest(BaseModel):
    reservation_id: str


async def get_session():
    async with SessionMaker() as session:
        yield session


Db = Annotated[AsyncSession, Depends(get_session)]


@app.post("/reservations", status_code=201)
async def reserve(
    body: ReserveRequest,
    db: Db,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
) -> dict:
    """Hold stock for an order; a replayed Idempotency-Key returns the first reservation."""
    existing = await db.scalar(
        text("SELECT id FROM reservations WHERE idempotency_key = :key"), {"key": idempotency_key}
    )
    if existing:
        return {"id": existing}
    reservation_id = str(uuid.uuid4())
    for item in body.items:
        taken = await db.execute(
            text(
                "UPDATE stock SET available = available - :qty "
                "WHERE sku = :sku AND available >= :qty"
            ),
            {"qty": item.quantity, "sku": item.sku},
        )
        if taken.rowcount != 1:
            await db.rollback()
            raise HTTPException(status_code=409, detail=f"not enough {item.sku}")
        await db.execute(
            text(
                "INSERT INTO reservations (id, idempotency_key, sku, quantity) "
                "VALUES (:id, :key, :sku, :qty) ON CONFLICT (idempotency_key) DO NOTHING"
            ),
            {"id": reservation_id, "key": idempotency_key, "sku": item.sku, "qty": item.quantity},
        )
    await db.commit()
    return {"id": reservation_id}


@app.delete("/reservations/{reservation_id}", status_code=204)
async def release(reservation_id: str, db: Db) -> None:
    """Put a reservation's stock back on sale (compensation for a failed charge)."""
    reservation = await db.get(Reservation, reservation_id)
    if reservation is None or reservation.status == "released":
        return
    item = await db.get(StockItem, reservation.sku)
    item.available = item.available + reservation.quantity
    reservation.status = "released"
    await db.commit()  # stock is back on sale from here
    log.info("released %s x %s", reservation.quantity, reservation.sku)


@app.post("/dispatches", status_code=202)
async def dispatch(body: DispatchRequest, db: Db) -> dict:
    """Shipping tells us the reserved goods have left the warehouse."""
    await db.execute(
        text("UPDATE reservations SET status = 'dispatched' WHERE id = :id"),
        {"id": body.reservation_id},
    )
    await db.commit()
    return {"reservation_id": body.reservation_id, "status": "dispatched"}
