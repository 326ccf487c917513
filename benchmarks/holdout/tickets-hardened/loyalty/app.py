"""Loyalty service: customers spend points on bookings and get them back on failure."""

import os
import uuid
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import Integer, String, create_engine, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

engine = create_engine(os.environ["LOYALTY_DB_URL"])
app = FastAPI(title="loyalty")


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)


class Redemption(Base):
    __tablename__ = "redemptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="redeemed")


class RedeemIn(BaseModel):
    customer_id: str
    points: int = Field(ge=0)


@app.post("/redemptions", status_code=201)
def redeem(body: RedeemIn, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]):
    with Session(engine) as session, session.begin():
        done = session.scalar(
            select(Redemption).where(Redemption.idempotency_key == idempotency_key)
        )
        if done is not None:
            return {"id": done.id}
        account = session.execute(
            select(Account).where(Account.customer_id == body.customer_id).with_for_update()
        ).scalar_one()
        if account.points < body.points:
            raise HTTPException(status_code=409, detail="not enough points")
        account.points -= body.points
        redemption = Redemption(
            id=str(uuid.uuid4()),
            idempotency_key=idempotency_key,
            customer_id=body.customer_id,
            points=body.points,
        )
        session.add(redemption)
    return {"id": redemption.id}


@app.post("/redemptions/{redemption_id}/reverse")
def reverse(redemption_id: str, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]):
    with Session(engine) as session, session.begin():
        redemption = session.get(Redemption, redemption_id, with_for_update=True)
        if redemption is None:
            raise HTTPException(status_code=404, detail="unknown redemption")
        if redemption.status == "reversed":
            return {"id": redemption_id, "status": "reversed", "key": idempotency_key}
        session.execute(
            update(Account)
            .where(Account.customer_id == redemption.customer_id)
            .values(points=Account.points + redemption.points)
        )
        redemption.status = "reversed"
    return {"id": redemption_id, "status": "reversed"}
