"""The breaker decorates the route handler itself (under the route decorator)."""

import os

import requests
from circuitbreaker import CircuitBreakerError, circuit
from fastapi import FastAPI, HTTPException

app = FastAPI()
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@app.get("/flights/{flight_id}")
@circuit(failure_threshold=5, recovery_timeout=30)
def flight(flight_id: str) -> dict:
    resp = requests.get(f"{FLIGHTS_URL}/flights/{flight_id}", timeout=3)
    resp.raise_for_status()
    return resp.json()


@app.exception_handler(CircuitBreakerError)
def breaker_open(request, exc: CircuitBreakerError):
    raise HTTPException(status_code=503, detail="flights temporarily unavailable")
