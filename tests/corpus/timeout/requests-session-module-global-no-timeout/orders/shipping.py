import logging
import os

import requests

log = logging.getLogger("orders.shipping")

SHIPPING_URL = os.getenv("SHIPPING_URL", "http://shipping:9000")

_session = requests.Session()
_session.headers["User-Agent"] = "orders/1.4"


def create_shipment(order_id: str, address: dict[str, str]) -> str:
    resp = _session.post(f"{SHIPPING_URL}/shipments", json={"order_id": order_id, **address})  # expect: SP101
    resp.raise_for_status()
    shipment_id = resp.json()["shipment_id"]
    log.info("created shipment %s for order %s", shipment_id, order_id)
    return shipment_id


def cancel_shipment(shipment_id: str) -> None:
    resp = _session.delete(f"{SHIPPING_URL}/shipments/{shipment_id}", timeout=(3.05, 10))
    if resp.status_code not in (200, 204, 404):
        resp.raise_for_status()


def track(shipment_id: str) -> dict:
    return _session.get(f"{SHIPPING_URL}/shipments/{shipment_id}/tracking").json()  # expect: SP101
