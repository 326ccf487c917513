"""Payments client: the raw HTTP methods are private and only run through the breaker."""

from __future__ import annotations

import os

import httpx
import pybreaker


class PaymentsUnavailable(Exception):
    pass


class PaymentsClient:
    def __init__(self) -> None:
        self._http = httpx.Client(base_url=os.environ["PAYMENTS_URL"], timeout=5.0)
        self._breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)

    def _post_charge(self, payload: dict) -> dict:
        resp = self._http.post("/charges", json=payload)
        resp.raise_for_status()
        return resp.json()

    def _get_charge(self, charge_id: str) -> dict:
        return self._http.get(f"/charges/{charge_id}").json()

    def charge(self, user_id: str, amount_cents: int) -> dict:
        try:
            return self._breaker.call(
                self._post_charge, {"user_id": user_id, "amount_cents": amount_cents}
            )
        except pybreaker.CircuitBreakerError as exc:
            raise PaymentsUnavailable("payments breaker open") from exc

    def status(self, charge_id: str) -> str:
        return self._breaker.call(self._get_charge, charge_id)["status"]
