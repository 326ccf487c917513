"""The storefront's view of the orders service."""

import logging

import requests
from web.config import ORDERS_URL, REQUEST_TIMEOUT
from web.services.http import post_json

logger = logging.getLogger(__name__)


class OrdersClient:
    # One pooled session for the whole process.
    session = requests.Session()
    session.headers.update({"User-Agent": "food-web/1.4"})

    def place(self, basket: dict, request_id: str) -> dict:
        return post_json(f"{ORDERS_URL}/orders", basket, idempotency_key=request_id)

    def get(self, order_id: str) -> dict:
        resp = self.session.get(f"{ORDERS_URL}/orders/{order_id}", timeout=REQUEST_TIMEOUT)
        resp.raise_for_status()
        return resp.json()

    def cancel(self, order_id: str) -> dict:
        resp = self.session.post(f"{ORDERS_URL}/orders/{order_id}/cancel")
        resp.raise_for_status()
        return resp.json()

    def add_tip(self, order_id: str, cents: int) -> None:
        try:
            self.session.post(
                f"{ORDERS_URL}/orders/{order_id}/tip",
                json={"cents": cents},
                timeout=REQUEST_TIMEOUT,
            )
        except requests.RequestException:
            logger.info("tip for order %s was not recorded", order_id)
