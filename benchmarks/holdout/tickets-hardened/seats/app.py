"""Seats service: holds seats for a booking until it is paid or released."""

import os
import uuid
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["SEATS_DB_URL"])
app = FastAPI(title="seats")

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key")]


class HoldIn(BaseModel):
    event_id: str
    seat_ids: list[str]


@app.post("/holds", status_code=201)
async def hold_seats(body: HoldIn, idempotency_key: IdempotencyKey) -> dict:
    async with engine.begin() as conn:
        created = await conn.execute(
            text(
                "INSERT INTO holds (id, idempotency_key, event_id) VALUES (:id, :key, :event) "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
            ),
            {"id": str(uuid.uuid4()), "key": idempotency_key, "event": body.event_id},
        )
        hold_id = created.scalar()
        if hold_id is None:
            existing = await conn.execute(
                text("SELECT id FROM holds WHERE idempotency_key = :key"), {"key": idempotency_key}
            )
            return {"id": existing.scalar_one()}
        taken = await conn.execute(
            text(
                "UPDATE seats SET hold_id = :hold "
                "WHERE event_id = :event AND id = ANY(:seats) AND hold_id IS NULL"
            ),
            {"hold": hold_id, "event": body.event_id, "seats": body.seat_ids},
        )
        if taken.rowcount != len(body.seat_ids):
            raise HTTPException(status_code=409, detail="some seats are taken")
    return {"id": hold_id}


@app.delete("/holds/{hold_id}", status_code=204)
async def release_hold(hold_id: str, idempotency_key: IdempotencyKey) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE holds SET status = 'released', released_by = :key "
                "WHERE id = :id AND status = 'held'"
            ),
            {"id": hold_id, "key": idempotency_key},
        )
        await conn.execute(
            text("UPDATE seats SET hold_id = NULL WHERE hold_id = :id"), {"id": hold_id}
        )
