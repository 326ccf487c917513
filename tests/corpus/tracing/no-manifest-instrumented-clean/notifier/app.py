"""Notifier service in a repo without a manifest; requests is instrumented."""

import os

import requests
from fastapi import FastAPI
from opentelemetry.instrumentation.requests import RequestsInstrumentor

RequestsInstrumentor().instrument()
app = FastAPI()
MAILER_URL = os.getenv("MAILER_URL", "http://mailer:8025")


@app.post("/notifications")
def notify(payload: dict) -> dict:
    resp = requests.post(f"{MAILER_URL}/send", json=payload, timeout=5)
    resp.raise_for_status()
    return {"queued": True}
