"""A hand-written breaker, used for payments but forgotten for flights."""

import os
import time

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


class SimpleCircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown: float = 30.0) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.open_until = 0.0

    def call(self, func, *args, **kwargs):
        if time.time() < self.open_until:
            raise RuntimeError("circuit open")
        try:
            result = func(*args, **kwargs)
        except Exception:
            self.failures += 1
            if self.failures >= self.threshold:
                self.open_until = time.time() + self.cooldown
            raise
        self.failures = 0
        return result


payments = SimpleCircuitBreaker()


def charge(user_id: str, amount: int) -> dict:
    resp = payments.call(
        lambda: requests.post(f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount}, timeout=5)
    )
    return resp.json()


def reserve(flight_id: str) -> dict:
    resp = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight": flight_id}, timeout=5)  # expect: SP301
    return resp.json()
