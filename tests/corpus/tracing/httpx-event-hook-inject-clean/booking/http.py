"""An httpx client whose request hook injects the trace context into every request."""

import os

import httpx
from opentelemetry.propagate import inject


def _inject_trace_context(request: httpx.Request) -> None:
    inject(request.headers)


client = httpx.Client(
    timeout=5.0,
    event_hooks={"request": [_inject_trace_context]},
)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def charge(user_id: str, amount_cents: int) -> str:
    resp = client.post(
        f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}
    )
    resp.raise_for_status()
    return resp.json()["id"]
