"""Tenants: organisations, their plan, seats and credit."""

import os

import psycopg
from fastapi import FastAPI, HTTPException
from psycopg.rows import dict_row
from pydantic import BaseModel

TENANTS_DATABASE_URL = os.environ["TENANTS_DATABASE_URL"]
PLAN_SEATS = {"starter": 5, "team": 50, "enterprise": 5_000}

app = FastAPI(title="tenants")


class SeatChange(BaseModel):
    delta: int


class PlanChange(BaseModel):
    plan: str


class Event(BaseModel):
    type: str
    invoice_id: int


def connect() -> psycopg.Connection:
    return psycopg.connect(TENANTS_DATABASE_URL, row_factory=dict_row)


@app.get("/tenants")
def find(id: str) -> dict:
    with connect() as conn:
        row = conn.execute(
            "SELECT id, plan, seats, base_fee_cents, unit_price_cents FROM tenants WHERE id = %s",
            (id,),
        ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="unknown tenant")
    return row


@app.get("/tenants/{tenant_id}")
def profile(tenant_id: str) -> dict:
    return find(tenant_id)


@app.patch("/tenants/{tenant_id}/seats")
def change_seats(tenant_id: str, body: SeatChange) -> dict[str, int]:
    with connect() as conn:
        row = conn.execute(
            "SELECT seats, max_seats FROM tenants WHERE id = %s", (tenant_id,)
        ).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="unknown tenant")
        seats = row["seats"] + body.delta
        if not 0 < seats <= row["max_seats"]:
            raise HTTPException(status_code=409, detail="seat count outside the plan")
        conn.execute("UPDATE tenants SET seats = %s WHERE id = %s", (seats, tenant_id))
    return {"seats": seats}


@app.post("/tenants/{tenant_id}/plan")
def change_plan(tenant_id: str, body: PlanChange) -> dict[str, str]:
    if body.plan not in PLAN_SEATS:
        raise HTTPException(status_code=422, detail="unknown plan")
    with connect() as conn, conn.transaction():
        row = conn.execute(
            "SELECT seats FROM tenants WHERE id = %s FOR UPDATE", (tenant_id,)
        ).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="unknown tenant")
        if row["seats"] > PLAN_SEATS[body.plan]:
            raise HTTPException(status_code=409, detail="remove seats before downgrading")
        conn.execute(
            "UPDATE tenants SET plan = %s, max_seats = %s WHERE id = %s",
            (body.plan, PLAN_SEATS[body.plan], tenant_id),
        )
    return {"plan": body.plan}


@app.post("/tenants/{tenant_id}/events", status_code=202)
def record_event(tenant_id: str, body: Event) -> dict[str, str]:
    with connect() as conn:
        conn.execute(
            "INSERT INTO tenant_events (tenant_id, type, invoice_id) VALUES (%s, %s, %s)",
            (tenant_id, body.type, body.invoice_id),
        )
    return {"status": "recorded"}
