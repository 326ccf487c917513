"""Payments service: customer balances, charges and refunds.

A refund is announced to booking through a transactional outbox: the event is written in the
refund's own transaction, and a relay thread delivers it (at least once) after the commit,
so a refund can never happen without its notice, nor a notice without its refund."""

import os
import threading
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from common.inventory import Refused
from common.service import guard
from common.sqlite import create, read, write
from stormproof.kit import Client, Event, Relay, SqliteOutbox

DB_PATH = os.getenv("PAYMENTS_DB", "payments.db")

# Demo customers so the system can be tried out right away
SEED_CUSTOMERS = {"alice": 5000.0, "bob": 1200.0, "carol": 300.0}

outbox = SqliteOutbox(DB_PATH)


def init_db() -> None:
    create(
        DB_PATH,
        """
            CREATE TABLE IF NOT EXISTS customers (
                name TEXT PRIMARY KEY,
                balance REAL NOT NULL CHECK (balance >= 0)
            );
            CREATE TABLE IF NOT EXISTS charges (
                id TEXT PRIMARY KEY,
                customer TEXT NOT NULL,
                amount REAL NOT NULL,
                booking_id TEXT NOT NULL,
                created_at TEXT DEFAULT CURRENT_TIMESTAMP
            );
            CREATE TABLE IF NOT EXISTS refunds (
                id TEXT PRIMARY KEY,
                charge_id TEXT NOT NULL UNIQUE,
                amount REAL NOT NULL,
                created_at TEXT DEFAULT CURRENT_TIMESTAMP
            );
            CREATE TABLE IF NOT EXISTS voided_charges (id TEXT PRIMARY KEY);
            """,
    )
    with write(DB_PATH) as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO customers (name, balance) VALUES (?, ?)",
            SEED_CUSTOMERS.items(),
        )


def notify_booking(booking: Client, event: Event) -> None:
    """Deliver one refund notice; raising leaves it in the outbox for a later try."""
    notice = event.payload
    response = booking.post(
        f"/bookings/{notice['booking_id']}/refunded",
        json={"refund_id": notice["refund_id"], "amount": notice["amount"]},
        headers={"Idempotency-Key": event.id},
    )
    response.raise_for_status()


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    booking = Client.for_service("booking", timeout=2.0)
    stop = threading.Event()
    relay = Relay(outbox, lambda event: notify_booking(booking, event), idle=0.2, backoff_max=5.0)
    worker = threading.Thread(target=relay.run_forever, args=(stop,), name="outbox-relay")
    worker.start()
    yield
    stop.set()
    worker.join()
    booking.close()


app = FastAPI(title="Payments Service", lifespan=lifespan)
guard(app, DB_PATH)


class ChargeRequest(BaseModel):
    id: str
    customer: str
    amount: float
    booking_id: str


class RefundRequest(BaseModel):
    charge_id: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/customers/{name}")
def get_customer(name: str):
    row = read(DB_PATH, "SELECT name, balance FROM customers WHERE name = ?", (name,))
    if row is None:
        raise HTTPException(status_code=404, detail="Customer not found")
    return dict(row)


@app.post("/charges")
def create_charge(charge: ChargeRequest):
    """Charge a customer's balance, under the id the caller chose: a retried charge finds
    the first one, and a charge already refunded (voided) is refused."""
    with write(DB_PATH) as conn:
        existing = conn.execute("SELECT * FROM charges WHERE id = ?", (charge.id,)).fetchone()
        if existing is not None:
            if (existing["customer"], existing["amount"]) != (charge.customer, charge.amount):
                raise Refused(422, f"charge {charge.id} exists for another request")
            return {"id": charge.id, "customer": charge.customer, "amount": charge.amount}
        if conn.execute("SELECT 1 FROM voided_charges WHERE id = ?", (charge.id,)).fetchone():
            raise Refused(409, f"charge {charge.id} was voided")
        paid = conn.execute(
            "UPDATE customers SET balance = balance - ? WHERE name = ? AND balance >= ?"
            " RETURNING balance",
            (charge.amount, charge.customer, charge.amount),
        ).fetchone()
        if paid is None:
            known = conn.execute("SELECT 1 FROM customers WHERE name = ?", (charge.customer,))
            if known.fetchone() is None:
                raise Refused(404, "Customer not found")
            raise Refused(402, "Insufficient funds")
        conn.execute(
            "INSERT INTO charges (id, customer, amount, booking_id) VALUES (?, ?, ?, ?)",
            (charge.id, charge.customer, charge.amount, charge.booking_id),
        )
    return {"id": charge.id, "customer": charge.customer, "amount": charge.amount}


@app.post("/refunds")
def create_refund(refund: RefundRequest):
    """Give a charge's money back, once. A charge not made (yet) is voided, so that it can
    never be made later: the saga that gives up on a charge may refund it before it lands."""
    with write(DB_PATH) as conn:
        conn.execute("INSERT OR IGNORE INTO voided_charges (id) VALUES (?)", (refund.charge_id,))
        done = conn.execute(
            "SELECT id, amount FROM refunds WHERE charge_id = ?", (refund.charge_id,)
        ).fetchone()
        if done is not None:
            return {"id": done["id"], "charge_id": refund.charge_id, "amount": done["amount"]}
        charge = conn.execute(
            "SELECT customer, amount, booking_id FROM charges WHERE id = ?", (refund.charge_id,)
        ).fetchone()
        if charge is None:
            return {"id": None, "charge_id": refund.charge_id, "amount": 0.0}
        conn.execute(
            "UPDATE customers SET balance = balance + ? WHERE name = ?",
            (charge["amount"], charge["customer"]),
        )
        refund_id = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO refunds (id, charge_id, amount) VALUES (?, ?, ?)",
            (refund_id, refund.charge_id, charge["amount"]),
        )
        notice = {"booking_id": charge["booking_id"], "refund_id": refund_id}
        outbox.add(conn, "refund.created", {**notice, "amount": charge["amount"]},
                   key=charge["booking_id"])  # fmt: skip
    return {"id": refund_id, "charge_id": refund.charge_id, "amount": charge["amount"]}
