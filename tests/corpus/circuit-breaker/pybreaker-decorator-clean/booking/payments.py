"""Payments calls, each behind the payments breaker."""

import logging
import os

import pybreaker
import requests

log = logging.getLogger(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


class LogListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb, old_state, new_state) -> None:
        log.warning("breaker %s: %s -> %s", cb.name, old_state.name, new_state.name)


payments_breaker = pybreaker.CircuitBreaker(
    fail_max=5, reset_timeout=30, name="payments", listeners=[LogListener()]
)


@payments_breaker
def charge(user_id: str, amount_cents: int, key: str) -> dict:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        headers={"Idempotency-Key": key},
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()


@payments_breaker
def refund(charge_id: str) -> None:
    requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5).raise_for_status()


def safe_charge(user_id: str, amount_cents: int, key: str) -> dict | None:
    try:
        return charge(user_id, amount_cents, key)
    except pybreaker.CircuitBreakerError:
        log.error("payments breaker open; refusing charge for %s", user_id)
        return None
