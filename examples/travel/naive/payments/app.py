"""Payments service: customer balances, charges and refunds."""

import logging
import os
import sqlite3
import uuid
from contextlib import asynccontextmanager

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

logger = logging.getLogger("payments")

DB_PATH = os.getenv("PAYMENTS_DB", "payments.db")
BOOKING_URL = os.getenv("BOOKING_URL", "http://localhost:8001")

# Demo customers so the system can be tried out right away
SEED_CUSTOMERS = {"alice": 5000.0, "bob": 1200.0, "carol": 300.0}


def get_db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def init_db() -> None:
    conn = get_db()
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS customers (
            name TEXT PRIMARY KEY,
            balance REAL NOT NULL
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
            charge_id TEXT NOT NULL,
            amount REAL NOT NULL,
            created_at TEXT DEFAULT CURRENT_TIMESTAMP
        );
        """
    )
    conn.executemany(
        "INSERT OR IGNORE INTO customers (name, balance) VALUES (?, ?)", SEED_CUSTOMERS.items()
    )
    conn.commit()
    conn.close()


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    yield


app = FastAPI(title="Payments Service", lifespan=lifespan)


class ChargeRequest(BaseModel):
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
    conn = get_db()
    row = conn.execute("SELECT name, balance FROM customers WHERE name = ?", (name,)).fetchone()
    conn.close()
    if row is None:
        raise HTTPException(status_code=404, detail="Customer not found")
    return dict(row)


@app.post("/charges")
def create_charge(charge: ChargeRequest):
    """Charge a customer's balance for a booking."""
    conn = get_db()
    row = conn.execute(
        "SELECT balance FROM customers WHERE name = ?", (charge.customer,)
    ).fetchone()
    if row is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Customer not found")
    if row["balance"] < charge.amount:
        conn.close()
        raise HTTPException(status_code=402, detail="Insufficient funds")

    new_balance = row["balance"] - charge.amount
    conn.execute("UPDATE customers SET balance = ? WHERE name = ?", (new_balance, charge.customer))

    charge_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO charges (id, customer, amount, booking_id) VALUES (?, ?, ?, ?)",
        (charge_id, charge.customer, charge.amount, charge.booking_id),
    )
    conn.commit()
    conn.close()
    return {"id": charge_id, "customer": charge.customer, "amount": charge.amount}


@app.post("/refunds")
def create_refund(refund: RefundRequest):
    """Give the money of a charge back to the customer."""
    conn = get_db()
    original = conn.execute("SELECT * FROM charges WHERE id = ?", (refund.charge_id,)).fetchone()
    if original is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Charge not found")

    customer_name = original["customer"]
    row = conn.execute("SELECT balance FROM customers WHERE name = ?", (customer_name,)).fetchone()
    new_balance = row["balance"] + original["amount"]
    conn.execute("UPDATE customers SET balance = ? WHERE name = ?", (new_balance, customer_name))

    refund_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO refunds (id, charge_id, amount) VALUES (?, ?, ?)",
        (refund_id, refund.charge_id, original["amount"]),
    )
    conn.commit()
    conn.close()

    # Let the booking service know so the trip shows up as refunded
    try:
        requests.post(
            f"{BOOKING_URL}/bookings/{original['booking_id']}/refunded",
            json={"refund_id": refund_id, "amount": original["amount"]},
        )
    except Exception as exc:
        logger.warning("Could not notify booking service about refund %s: %s", refund_id, exc)

    return {"id": refund_id, "charge_id": refund.charge_id, "amount": original["amount"]}
