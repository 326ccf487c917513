"""Reservations: books a stay by holding a room and charging the guest."""

import os
import sqlite3
import uuid
from datetime import date

import requests
from fastapi import FastAPI, HTTPException, Request
from opentelemetry.propagate import inject
from pydantic import BaseModel
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_random_exponential
from urllib3.util import Retry

INVENTORY_URL = os.environ["INVENTORY_URL"]
BILLING_URL = os.environ["BILLING_URL"]

http = requests.Session()
http.mount(
    "http://",
    HTTPAdapter(
        max_retries=Retry(
            total=3,
            backoff_factor=0.3,
            backoff_jitter=0.5,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET", "POST", "DELETE"}),
        )
    ),
)
app = FastAPI(title="reservations")


class StayRequest(BaseModel):
    guest_email: str
    room_type: str
    check_in: date
    nights: int
    card_token: str


def db() -> sqlite3.Connection:
    conn = sqlite3.connect(os.environ["RESERVATIONS_DB"], timeout=5)
    conn.row_factory = sqlite3.Row
    return conn


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=4))
def quote_cents(room_type: str, nights: int) -> int:
    headers: dict[str, str] = {}
    inject(headers)
    resp = http.get(
        f"{BILLING_URL}/quotes",
        params={"room_type": room_type, "nights": nights},
        headers=headers,
        timeout=3,
    )
    resp.raise_for_status()
    return int(resp.json()["total_cents"])


@app.post("/reservations", status_code=201)
def reserve(body: StayRequest, request: Request) -> dict:
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    with db() as conn:
        existing = conn.execute(
            "SELECT id, status FROM reservations WHERE request_id = ?", (request_id,)
        ).fetchone()
    if existing is not None:
        return dict(existing)
    total = quote_cents(body.room_type, body.nights)

    hold_headers = {"Idempotency-Key": f"{request_id}-hold"}
    inject(hold_headers)
    hold = http.post(
        f"{INVENTORY_URL}/holds",
        json={"room_type": body.room_type, "check_in": str(body.check_in), "nights": body.nights},
        headers=hold_headers,
        timeout=3,
    )
    if hold.status_code == 409:
        raise HTTPException(status_code=409, detail="no rooms left for those dates")
    hold.raise_for_status()
    hold_id = hold.json()["hold_id"]

    charge_headers = {"Idempotency-Key": f"{request_id}-charge"}
    inject(charge_headers)
    try:
        charge = http.post(
            f"{BILLING_URL}/charges",
            json={"card_token": body.card_token, "amount_cents": total, "ref": request_id},
            headers=charge_headers,
            timeout=5,
        )
        charge.raise_for_status()
    except requests.RequestException as exc:
        http.delete(f"{INVENTORY_URL}/holds/{hold_id}", timeout=3)
        raise HTTPException(status_code=402, detail="payment failed") from exc

    with db() as conn:
        cur = conn.execute(
            "INSERT INTO reservations (request_id, guest_email, hold_id, charge_id, status)"
            " VALUES (?, ?, ?, ?, 'confirmed')",
            (request_id, body.guest_email, hold_id, charge.json()["charge_id"]),
        )
    return {"id": cur.lastrowid, "status": "confirmed", "total_cents": total}


@app.get("/reservations/{reservation_id}")
def get_reservation(reservation_id: int) -> dict:
    with db() as conn:
        row = conn.execute(
            "SELECT id, status, hold_id FROM reservations WHERE id = ?", (reservation_id,)
        ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="unknown reservation")
    hold = http.get(f"{INVENTORY_URL}/holds/{row['hold_id']}")
    return {**dict(row), "hold": hold.json()}
