import os
from decimal import Decimal

import requests
from tenacity import retry, stop_after_attempt, wait_random_exponential

FX_URL = os.environ["FX_URL"]


def _rate(currency: str) -> Decimal:
    resp = requests.get(f"{FX_URL}/rates/{currency}", timeout=5)
    resp.raise_for_status()
    return Decimal(str(resp.json()["rate"]))


rate = retry(wait=wait_random_exponential(max=10))(_rate)  # expect: SP201
rate_bounded = retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=10))(_rate)


def to_eur(amount: Decimal, currency: str) -> Decimal:
    return amount * rate_bounded(currency)
