"""The kit client is fine; the raw requests call beside it still has no timeout."""

import os

import requests
from stormproof.kit import Client

payments = Client.for_service("payments")


def charge(amount: int) -> dict:
    payments.get("/health")
    return requests.post(f"{os.environ['PAYMENTS_URL']}/charges", json={"amount": amount}).json()  # expect: SP101
