import logging
import os

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)

FX_URL = os.environ["FX_URL"]
fx = httpx.Client(base_url=FX_URL, timeout=5.0)


@retry(
    stop=stop_after_attempt(3),
    wait=wait_random_exponential(max=5),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
def fetch_rate(currency: str) -> float:
    resp = fx.get(f"/rates/{currency}")
    resp.raise_for_status()
    return resp.json()["rate"]


@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30), reraise=True)  # expect: SP205
def refresh_rates(currencies: list[str]) -> dict[str, float]:
    rates = {}
    for currency in currencies:
        rates[currency] = fetch_rate(currency)
    log.info("refreshed %d rates", len(rates))
    return rates


def price_in(currency: str, amount_eur: float) -> float:
    return amount_eur * fetch_rate(currency)
