import os

import httpx

STOCK_URL = os.environ["STOCK_URL"]
stock = httpx.Client(base_url=STOCK_URL, timeout=5.0)


def reserve(sku: str, quantity: int, key: str) -> str | None:
    try:
        resp = stock.post(
            f"/stock/{sku}/reservations", json={"quantity": quantity}, headers={"Idempotency-Key": key}
        )
        resp.raise_for_status()
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 409:
            return None
        raise
    except Exception as exc:
        if isinstance(exc, httpx.TimeoutException):
            raise TimeoutError(sku) from exc
        raise
    return resp.json()["reservation_id"]
