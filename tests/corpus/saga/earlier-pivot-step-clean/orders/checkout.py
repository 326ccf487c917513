"""The first step is a pivot, so a payment failure has nothing to compensate."""

import os

import requests

FRAUD_URL = os.environ["FRAUD_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def checkout(order: dict) -> str:
    report = requests.post(f"{FRAUD_URL}/reports", json={"order": order["id"]}, timeout=5)
    report.raise_for_status()
    payment = requests.post(f"{PAYMENTS_URL}/payments", json={"amount": order["total"]}, timeout=5)
    payment.raise_for_status()
    return payment.json()["id"]
