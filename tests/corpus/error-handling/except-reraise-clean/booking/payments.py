import logging
import os

import requests

logger = logging.getLogger(__name__)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


class PaymentUnavailable(RuntimeError):
    pass


def charge(booking_id: str, amount_cents: int, key: str) -> str:
    try:
        resp = requests.post(
            f"{PAYMENTS_URL}/charges",
            json={"booking_id": booking_id, "amount_cents": amount_cents},
            headers={"Idempotency-Key": key},
            timeout=10,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        logger.exception("charge failed for booking %s", booking_id)
        raise PaymentUnavailable(str(exc)) from exc
    return resp.json()["charge_id"]


def refund(charge_id: str) -> None:
    try:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=10)
    except Exception:
        logger.error("refund of %s failed", charge_id)
        raise
