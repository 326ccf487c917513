import os

import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

FX_URL = os.environ["FX_URL"]
fx = httpx.Client(base_url=FX_URL, timeout=5.0)


def _fetch_rate(currency: str) -> float:
    resp = fx.get(f"/rates/{currency}")
    resp.raise_for_status()
    return resp.json()["rate"]


def _normalise(rates: dict[str, float]) -> dict[str, float]:
    return {currency.upper(): round(rate, 6) for currency, rate in rates.items()}


@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30), reraise=True)
def refresh_rates(currencies: list[str]) -> dict[str, float]:
    return _normalise({currency: _fetch_rate(currency) for currency in currencies})
