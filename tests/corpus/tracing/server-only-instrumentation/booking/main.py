"""Booking API: incoming requests are traced, outgoing ones are not."""

import os

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider

trace.set_tracer_provider(TracerProvider())
tracer = trace.get_tracer("booking")

app = FastAPI()
FastAPIInstrumentor.instrument_app(app)

client = httpx.AsyncClient(timeout=5.0)


@app.post("/bookings")
async def book(user_id: str, flight_id: str) -> dict:
    with tracer.start_as_current_span("reserve-seat"):
        seat = await client.post(  # expect: SP601
            f"{os.environ['FLIGHTS_URL']}/reservations",
            json={"flight_id": flight_id, "user_id": user_id},
        )
    seat.raise_for_status()
    with tracer.start_as_current_span("charge"):
        charge = await client.post(  # expect: SP601
            f"{os.environ['PAYMENTS_URL']}/charges", json={"user_id": user_id}
        )
    charge.raise_for_status()
    return {"seat": seat.json()["id"], "charge": charge.json()["id"]}
