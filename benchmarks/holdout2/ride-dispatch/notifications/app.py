"""Notifications: texts riders through an SMS provider and emails them receipts."""

import logging
import os
import time

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

logger = logging.getLogger("notifications")

SMS_API_URL = os.environ.get("SMS_API_URL", "https://api.smsgateway.example/v1/messages")
SMS_API_TOKEN = os.environ["SMS_API_TOKEN"]
MAIL_API_URL = "https://mail.example-provider.com/v3/send"

app = FastAPI(title="notifications")


class Notification(BaseModel):
    rider_id: str
    ride_id: str
    text: str


class Receipt(BaseModel):
    rider_id: str
    ride_id: str
    fare_cents: int


def phone_of(rider_id: str) -> str:
    # Riders are keyed by their E.164 number in this deployment.
    return rider_id


@app.post("/notifications", status_code=202)
def send_sms(body: Notification) -> dict[str, str]:
    for attempt in range(3):
        try:
            resp = requests.post(
                SMS_API_URL,
                json={"to": phone_of(body.rider_id), "body": body.text},
                headers={"Authorization": f"Bearer {SMS_API_TOKEN}"},
            )
            if resp.ok:
                return {"message_id": resp.json()["id"]}
            logger.warning("SMS provider answered %s", resp.status_code)
        except requests.RequestException as exc:
            logger.warning("SMS attempt %d failed: %s", attempt + 1, exc)
        time.sleep(0.5 * 2**attempt)
    raise HTTPException(status_code=502, detail="SMS provider unavailable")


@app.post("/receipts", status_code=202)
def send_receipt(body: Receipt) -> dict[str, str]:
    sent = requests.post(
        MAIL_API_URL,
        json={
            "template": "ride-receipt",
            "to": body.rider_id,
            "data": {"ride": body.ride_id, "fare": f"{body.fare_cents / 100:.2f}"},
        },
        timeout=10,
    )
    sent.raise_for_status()
    return {"status": "queued"}
