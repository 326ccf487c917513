"""HTTP clients for the services the order service depends on.

All calls share one pooled session that retries connection errors and
502/503/504 answers, so callers only see failures that outlived three tries.
"""

import logging
import os
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
SHIPPING_URL = os.environ["SHIPPING_URL"]
DEFAULT_TIMEOUT = 5.0

_retry_policy = Retry(
    total=3,
    backoff_factor=0.5,
    status_forcelist=(502, 503, 504),
    allowed_methods=frozenset({"GET", "POST", "DELETE"}),
)
session = requests.Session()
session.mount("http://", HTTPAdapter(max_retries=_retry_policy, pool_maxsize=20))


class PaymentsUnavailableError(RuntimeError):
    """The payments service could not be reached."""


class PaymentsClient:
    """Charges and refunds through the payments service."""

    def charge(self, order_id: str, customer_id: str, amount_cents: int) -> dict:
        charged = session.post(
            f"{PAYMENTS_URL}/payments",
            json={"order_id": order_id, "customer_id": customer_id, "amount_cents": amount_cents},
            headers={"Idempotency-Key": f"charge-{order_id}"},
            timeout=DEFAULT_TIMEOUT,
        )
        charged.raise_for_status()
        return charged.json()

    def refund(self, payment_id: str) -> dict:
        refunded = session.post(
            f"{PAYMENTS_URL}/payments/{payment_id}/refund",
            headers={"Idempotency-Key": f"refund-{payment_id}"},
            timeout=DEFAULT_TIMEOUT,
        )
        refunded.raise_for_status()
        return refunded.json()

    def status(self, payment_id: str) -> str:
        """The payment's status, asked up to three times while payments restarts."""
        for attempt in range(3):
            try:
                resp = session.get(f"{PAYMENTS_URL}/payments/{payment_id}", timeout=DEFAULT_TIMEOUT)
                resp.raise_for_status()
                return resp.json()["status"]
            except requests.RequestException as exc:
                logger.warning(
                    "payment lookup %s failed (attempt %d): %s", payment_id, attempt, exc
                )
                time.sleep(0.5 * (attempt + 1))
        raise PaymentsUnavailableError(payment_id)


class ShippingClient:
    """Creates and cancels shipments through the shipping service."""

    def create_shipment(self, order_id: str, address: str) -> dict:
        booked = session.post(
            f"{SHIPPING_URL}/shipments",
            json={"order_id": order_id, "address": address},
            timeout=DEFAULT_TIMEOUT,
        )
        booked.raise_for_status()
        return booked.json()

    def cancel_shipment(self, shipment_id: str) -> None:
        cancelled = session.delete(
            f"{SHIPPING_URL}/shipments/{shipment_id}", timeout=DEFAULT_TIMEOUT
        )
        if cancelled.status_code not in (204, 404):
            cancelled.raise_for_status()
