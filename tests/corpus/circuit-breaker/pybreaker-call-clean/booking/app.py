"""Booking API; downstream calls go through breaker.call."""

import os

import httpx
import pybreaker
import requests
from fastapi import FastAPI, HTTPException

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]

flights_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)
payments_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)
http = httpx.Client(timeout=5.0)

app = FastAPI()


def _get_flight(flight_id: str) -> dict:
    resp = http.get(f"{FLIGHTS_URL}/flights/{flight_id}")
    resp.raise_for_status()
    return resp.json()


@app.get("/flights/{flight_id}")
def flight(flight_id: str) -> dict:
    try:
        return flights_breaker.call(_get_flight, flight_id)
    except pybreaker.CircuitBreakerError as exc:
        raise HTTPException(status_code=503, detail="flights unavailable") from exc


@app.get("/charges/{charge_id}")
def charge_status(charge_id: str) -> dict:
    try:
        resp = payments_breaker.call(
            requests.get, f"{PAYMENTS_URL}/charges/{charge_id}", timeout=3
        )
    except pybreaker.CircuitBreakerError as exc:
        raise HTTPException(status_code=503, detail="payments unavailable") from exc
    return resp.json()
