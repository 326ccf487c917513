"""Transfers: runs the debit → ledger → payout saga, keeping a table of what to undo."""

import logging
import os
from datetime import UTC, datetime
from typing import Annotated

import httpx
import requests
from fastapi import FastAPI, Header, HTTPException
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, create_engine, select

logger = logging.getLogger("transfers")

ACCOUNTS_URL = os.environ["ACCOUNTS_URL"]
LEDGER_URL = os.environ["LEDGER_URL"]
PAYOUTS_URL = os.environ["PAYOUTS_URL"]
RISK_API = os.environ.get("RISK_API", "https://risk.partner-scoring.example/api")
MAX_RISK = 0.8

RequestsInstrumentor().instrument()
engine = create_engine(os.environ["TRANSFERS_DATABASE_URL"])
http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=10.0))
app = FastAPI(title="transfers")


class Transfer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    source_account: str
    destination_iban: str
    amount_cents: int
    status: str = "started"


class Compensation(SQLModel, table=True):
    """One row per completed step: what must be undone if a later step fails."""

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(index=True)
    step: str
    ref: str
    status: str = "pending"
    done_at: datetime | None = None


class TransferRequest(BaseModel):
    source_account: str
    destination_iban: str
    amount_cents: int


def risk_score(account: str, amount_cents: int) -> float:
    resp = requests.get(f"{RISK_API}/score", params={"account": account, "amount": amount_cents})
    resp.raise_for_status()
    return float(resp.json()["score"])


def remember(session: Session, transfer_id: int, step: str, ref: str) -> None:
    session.add(Compensation(transfer_id=transfer_id, step=step, ref=ref))
    session.commit()


def settle(session: Session, transfer: Transfer, status: str) -> None:
    for row in session.exec(select(Compensation).where(Compensation.transfer_id == transfer.id)):
        row.status = "compensated" if status == "failed" else "not_needed"
        row.done_at = datetime.now(UTC)
        session.add(row)
    transfer.status = status
    session.add(transfer)
    session.commit()


async def run_saga(session: Session, transfer: Transfer) -> None:
    key = f"transfer-{transfer.id}"
    debit = await http.post(
        f"{ACCOUNTS_URL}/debits",
        json={"account_id": transfer.source_account, "amount_cents": transfer.amount_cents},
        headers={"Idempotency-Key": f"{key}-debit"},
    )
    debit.raise_for_status()
    debit_id = debit.json()["debit_id"]
    remember(session, transfer.id, "debit", debit_id)

    try:
        entry = await http.post(
            f"{LEDGER_URL}/entries",
            json={
                "request_id": f"{key}-entry",
                "transfer_id": transfer.id,
                "debit_account": transfer.source_account,
                "credit_account": "outgoing-clearing",
                "amount_cents": transfer.amount_cents,
            },
        )
        entry.raise_for_status()
    except httpx.HTTPError as exc:
        await http.delete(f"{ACCOUNTS_URL}/debits/{debit_id}")
        settle(session, transfer, "failed")
        raise HTTPException(status_code=502, detail="ledger unavailable") from exc
    entry_id = entry.json()["entry_id"]
    remember(session, transfer.id, "entry", entry_id)

    payout = await http.post(
        f"{PAYOUTS_URL}/payouts",
        json={"iban": transfer.destination_iban, "amount_cents": transfer.amount_cents},
        headers={"Idempotency-Key": f"{key}-payout"},
    )
    if payout.status_code >= 400:
        await http.post(f"{LEDGER_URL}/entries/{entry_id}/void")
        settle(session, transfer, "failed")
        raise HTTPException(status_code=502, detail="payout rejected")
    settle(session, transfer, "completed")


@app.post("/transfers", status_code=201)
async def create_transfer(
    body: TransferRequest, idempotency_key: Annotated[str, Header()]
) -> Transfer:
    with Session(engine) as session:
        existing = session.exec(
            select(Transfer).where(Transfer.idempotency_key == idempotency_key)
        ).first()
        if existing is not None:
            return existing
        if risk_score(body.source_account, body.amount_cents) > MAX_RISK:
            raise HTTPException(status_code=403, detail="transfer held for review")
        transfer = Transfer(idempotency_key=idempotency_key, **body.model_dump())
        session.add(transfer)
        session.commit()
        session.refresh(transfer)
        await run_saga(session, transfer)
        return transfer


@app.get("/transfers/{transfer_id}")
def get_transfer(transfer_id: int) -> Transfer:
    with Session(engine) as session:
        transfer = session.get(Transfer, transfer_id)
        if transfer is None:
            raise HTTPException(status_code=404, detail="unknown transfer")
        return transfer


@app.get("/transfers/{transfer_id}/compensations")
def compensations(transfer_id: int) -> list[Compensation]:
    with Session(engine) as session:
        return list(
            session.exec(select(Compensation).where(Compensation.transfer_id == transfer_id))
        )


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
