"""Payments registers its own public URL with the card processor for callbacks."""

import os

import httpx

PUBLIC_URL = os.environ["PAYMENTS_URL"]
PROCESSOR_URL = os.environ.get("PROCESSOR_API", "https://api.processor.example")


def register_webhook() -> None:
    httpx.post(
        f"{PROCESSOR_URL}/webhooks",
        json={"url": f"{PUBLIC_URL}/webhooks/processor", "events": ["charge.succeeded"]},
        timeout=10,
    ).raise_for_status()
