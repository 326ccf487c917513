"""Ledger: the double-entry book of record."""

import os

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["LEDGER_DATABASE_URL"])
app = FastAPI(title="ledger")


class EntryRequest(BaseModel):
    request_id: str
    transfer_id: int
    debit_account: str
    credit_account: str
    amount_cents: int


@app.post("/entries", status_code=201)
async def post_entry(body: EntryRequest) -> dict[str, int]:
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                text(
                    "INSERT INTO entries"
                    " (request_id, transfer_id, debit_account, credit_account, amount_cents)"
                    " VALUES (:request_id, :transfer_id, :debit_account, :credit_account,"
                    " :amount_cents)"
                    " ON CONFLICT (request_id) DO NOTHING RETURNING id"
                ),
                body.model_dump(),
            )
        ).first()
        if row is None:
            row = (
                await conn.execute(
                    text("SELECT id FROM entries WHERE request_id = :rid"),
                    {"rid": body.request_id},
                )
            ).one()
    return {"entry_id": row.id}


@app.post("/entries/{entry_id}/void", status_code=201)
async def void_entry(entry_id: int) -> dict[str, int]:
    async with engine.begin() as conn:
        reversal = (
            await conn.execute(
                text(
                    "INSERT INTO entries"
                    " (transfer_id, debit_account, credit_account, amount_cents, reverses)"
                    " SELECT transfer_id, credit_account, debit_account, amount_cents, id"
                    " FROM entries WHERE id = :id RETURNING id"
                ),
                {"id": entry_id},
            )
        ).first()
    if reversal is None:
        raise HTTPException(status_code=404, detail="unknown entry")
    return {"reversal_id": reversal.id}


@app.get("/accounts/{account}/balance")
async def balance(account: str) -> dict[str, int]:
    async with engine.connect() as conn:
        total = (
            await conn.execute(
                text(
                    "SELECT COALESCE(SUM(CASE WHEN credit_account = :a THEN amount_cents"
                    " ELSE -amount_cents END), 0) FROM entries"
                    " WHERE :a IN (debit_account, credit_account)"
                ),
                {"a": account},
            )
        ).scalar_one()
    return {"balance_cents": total}
