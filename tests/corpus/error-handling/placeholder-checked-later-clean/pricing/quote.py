import logging
import os

import requests

log = logging.getLogger(__name__)

FX_URL = os.environ["FX_URL"]


class QuoteUnavailable(RuntimeError):
    pass


def quote_in(currency: str, amount_eur: float) -> float:
    rate = None
    try:
        resp = requests.get(f"{FX_URL}/rates/{currency}", timeout=3)
        resp.raise_for_status()
        rate = resp.json()["rate"]
    except requests.RequestException as exc:
        log.warning("fx lookup failed: %s", exc)
    if rate is None:
        raise QuoteUnavailable(currency)
    return round(amount_eur * rate, 2)


def last_error_message(currency: str) -> str:
    error = None
    try:
        requests.head(f"{FX_URL}/rates/{currency}", timeout=3).raise_for_status()
    except Exception as exc:
        error = exc
    return f"fx error: {error}" if error else "fx ok"
