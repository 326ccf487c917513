"""Accounts: customer balances, debited by transfers and credited with interest."""

import os
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, create_engine, select

engine = create_engine(os.environ["ACCOUNTS_DATABASE_URL"], pool_pre_ping=True)
app = FastAPI(title="accounts")


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    balance_cents: int
    interest_bps: int = 0
    version: int = 0


class Debit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id")
    amount_cents: int
    idempotency_key: str = Field(unique=True)
    status: str = "applied"


class DebitRequest(BaseModel):
    account_id: str
    amount_cents: int


@app.post("/debits", status_code=201)
def debit(
    body: DebitRequest, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
) -> dict[str, int]:
    with Session(engine) as session:
        prior = session.exec(select(Debit).where(Debit.idempotency_key == idempotency_key)).first()
        if prior is not None:
            return {"debit_id": prior.id}
        account = session.get(Account, body.account_id)
        if account is None:
            raise HTTPException(status_code=404, detail="unknown account")
        if account.balance_cents < body.amount_cents:
            raise HTTPException(status_code=409, detail="insufficient funds")
        account.balance_cents -= body.amount_cents
        entry = Debit(
            account_id=account.id, amount_cents=body.amount_cents, idempotency_key=idempotency_key
        )
        session.add(account)
        session.add(entry)
        session.commit()  # balance and debit row in one transaction
        return {"debit_id": entry.id}


@app.delete("/debits/{debit_id}")
def reverse_debit(debit_id: int) -> dict[str, bool]:
    with Session(engine) as session:
        entry = session.get(Debit, debit_id)
        if entry is None or entry.status == "reversed":
            return {"reversed": False}
        session.execute(
            update(Account)
            .where(Account.id == entry.account_id)
            .values(balance_cents=Account.balance_cents + entry.amount_cents)
        )
        entry.status = "reversed"
        session.add(entry)
        session.commit()
        return {"reversed": True}


@app.post("/accounts/{account_id}/interest")
def apply_interest(account_id: str) -> dict[str, int]:
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise HTTPException(status_code=404, detail="unknown account")
        interest = account.balance_cents * account.interest_bps // 10_000
        result = session.execute(
            update(Account)
            .where(Account.id == account_id, Account.version == account.version)
            .values(balance_cents=account.balance_cents + interest, version=account.version + 1)
        )
        if result.rowcount == 0:
            raise HTTPException(status_code=409, detail="balance changed; retry")
        session.commit()
        return {"interest_cents": interest}


@app.get("/accounts/{account_id}")
def balance(account_id: str) -> dict[str, int]:
    with Session(engine) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise HTTPException(status_code=404, detail="unknown account")
        return {"balance_cents": account.balance_cents}
