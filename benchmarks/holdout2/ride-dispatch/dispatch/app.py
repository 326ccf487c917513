"""Dispatch: holds the fare, assigns a driver, records the ride and tells the rider."""

import logging
import os
import time
import uuid

import httpx
import pybreaker
from fastapi import BackgroundTasks, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import create_engine, text
from tenacity import retry, stop_after_attempt, wait_exponential

logger = logging.getLogger("dispatch")

DRIVERS_URL = os.environ["DRIVERS_URL"]
PAYMENTS_URL = os.getenv("PAYMENTS_URL", "http://payments:8000")
NOTIFICATIONS_URL = os.environ["NOTIFICATIONS_URL"]
BASE_FARE_CENTS = 450
CENTS_PER_MINUTE = 55

app = FastAPI(title="dispatch")
engine = create_engine(os.environ["RIDES_DATABASE_URL"], pool_pre_ping=True)
client = httpx.Client(timeout=4.0)
drivers_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


class RideRequest(BaseModel):
    rider_id: str
    pickup: str
    dropoff: str
    card_token: str


class Completion(BaseModel):
    fare_cents: int


@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.2, max=2))
@drivers_breaker
def fetch_eta_minutes(pickup: str) -> int:
    resp = client.get(f"{DRIVERS_URL}/eta", params={"pickup": pickup})
    resp.raise_for_status()
    return int(resp.json()["minutes"])


def notify_rider(rider_id: str, ride_id: str, eta_minutes: int) -> None:
    message = {"rider_id": rider_id, "ride_id": ride_id, "text": f"Driver in {eta_minutes} min"}
    while True:
        try:
            resp = httpx.post(f"{NOTIFICATIONS_URL}/notifications", json=message)
            resp.raise_for_status()
            return
        except httpx.HTTPError as exc:
            logger.warning("notify %s failed, retrying: %s", rider_id, exc)
            time.sleep(2)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/rides", status_code=201)
def create_ride(body: RideRequest, background_tasks: BackgroundTasks) -> dict:
    ride_id = str(uuid.uuid4())
    eta = fetch_eta_minutes(body.pickup)
    quote = BASE_FARE_CENTS + CENTS_PER_MINUTE * eta

    hold = client.post(
        f"{PAYMENTS_URL}/holds",
        json={"ride_id": ride_id, "card_token": body.card_token, "amount_cents": quote},
        headers={"Idempotency-Key": f"hold-{ride_id}"},
    )
    if hold.status_code != 201:
        raise HTTPException(status_code=402, detail="card declined")
    hold_id = hold.json()["hold_id"]

    assignment = client.post(
        f"{DRIVERS_URL}/assignments",
        json={"ride_id": ride_id, "pickup": body.pickup},
        headers={"Idempotency-Key": f"assign-{ride_id}"},
    )
    if assignment.status_code == 409:
        raise HTTPException(status_code=503, detail="no driver available nearby")
    assignment.raise_for_status()

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO rides (id, rider_id, hold_id, assignment_id, status)"
                " VALUES (:id, :rider, :hold, :assignment, 'assigned')"
            ),
            {
                "id": ride_id,
                "rider": body.rider_id,
                "hold": hold_id,
                "assignment": assignment.json()["assignment_id"],
            },
        )
    background_tasks.add_task(notify_rider, body.rider_id, ride_id, eta)
    return {"ride_id": ride_id, "eta_minutes": eta, "quote_cents": quote}


@app.get("/rides")
def list_rides(status: str = "active") -> dict[str, list[dict]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, status FROM rides WHERE status = :s"), {"s": status})
        return {"rides": [dict(row._mapping) for row in rows]}


@app.post("/rides/{ride_id}/complete")
def complete_ride(ride_id: str, body: Completion) -> dict[str, str]:
    with engine.begin() as conn:
        ride = conn.execute(
            text("SELECT rider_id FROM rides WHERE id = :id AND status = 'assigned'"),
            {"id": ride_id},
        ).one_or_none()
        if ride is None:
            raise HTTPException(status_code=404, detail="no such active ride")
        conn.execute(
            text("UPDATE rides SET status = 'completed', fare_cents = :fare WHERE id = :id"),
            {"fare": body.fare_cents, "id": ride_id},
        )
    receipt = client.post(
        f"{NOTIFICATIONS_URL}/receipts",
        json={"rider_id": ride.rider_id, "ride_id": ride_id, "fare_cents": body.fare_cents},
    )
    receipt.raise_for_status()
    return {"ride_id": ride_id, "status": "completed"}
