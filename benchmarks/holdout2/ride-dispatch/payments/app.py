"""Payments: fare holds on a rider's card, released or captured when the ride ends."""

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

DB_PATH = os.environ["PAYMENTS_DB_PATH"]

app = FastAPI(title="payments")


class HoldRequest(BaseModel):
    ride_id: str
    card_token: str
    amount_cents: int


class CaptureRequest(BaseModel):
    hold_id: str
    amount_cents: int


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(DB_PATH, isolation_level=None, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


@app.post("/holds", status_code=201)
def create_hold(body: HoldRequest, idempotency_key: Annotated[str, Header()]) -> dict[str, str]:
    with connect() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO holds (id, idempotency_key, ride_id, amount_cents, status)"
            " VALUES (?, ?, ?, ?, 'held')",
            (str(uuid.uuid4()), idempotency_key, body.ride_id, body.amount_cents),
        )
        row = conn.execute(
            "SELECT id FROM holds WHERE idempotency_key = ?", (idempotency_key,)
        ).fetchone()
    return {"hold_id": row["id"]}


@app.delete("/holds/{hold_id}")
def release_hold(
    hold_id: str, idempotency_key: Annotated[str | None, Header()] = None
) -> dict[str, bool]:
    with connect() as conn:
        if idempotency_key is not None:
            seen = conn.execute(
                "INSERT OR IGNORE INTO processed_keys (key) VALUES (?)", (idempotency_key,)
            )
            if seen.rowcount == 0:
                return {"released": True}
        cur = conn.execute(
            "UPDATE holds SET status = 'released' WHERE id = ? AND status = 'held'", (hold_id,)
        )
    return {"released": cur.rowcount == 1}


@app.post("/captures", status_code=201)
def capture(body: CaptureRequest) -> dict[str, int]:
    with connect() as conn:
        conn.execute("BEGIN IMMEDIATE")
        hold = conn.execute(
            "SELECT amount_cents, captured_cents FROM holds WHERE id = ?", (body.hold_id,)
        ).fetchone()
        if hold is None:
            conn.execute("ROLLBACK")
            raise HTTPException(status_code=404, detail="unknown hold")
        captured = hold["captured_cents"] + body.amount_cents
        if captured > hold["amount_cents"]:
            conn.execute("ROLLBACK")
            raise HTTPException(status_code=409, detail="capture exceeds hold")
        conn.execute(
            "UPDATE holds SET captured_cents = ?, status = 'captured' WHERE id = ?",
            (captured, body.hold_id),
        )
        conn.execute("COMMIT")
    return {"captured_cents": captured}
