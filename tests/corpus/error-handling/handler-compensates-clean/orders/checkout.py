import logging
import os

import httpx
from sqlalchemy.orm import Session

from orders.models import Order

log = logging.getLogger(__name__)

INVENTORY_URL = os.environ["INVENTORY_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
http = httpx.Client(timeout=5.0)


def release_stock(order_id: int) -> None:
    http.delete(f"{INVENTORY_URL}/reservations/{order_id}").raise_for_status()


def place(db: Session, order: Order) -> Order:
    http.post(
        f"{INVENTORY_URL}/reservations",
        json={"order": order.id},
        headers={"Idempotency-Key": f"reserve-{order.id}"},
    ).raise_for_status()
    try:
        http.post(
            f"{PAYMENTS_URL}/charges",
            json={"order": order.id, "amount_cents": order.total_cents},
            headers={"Idempotency-Key": f"charge-{order.id}"},
        ).raise_for_status()
    except httpx.HTTPError:
        log.exception("charge failed for order %s; releasing stock", order.id)
        release_stock(order.id)
        order.status = "payment_failed"
    else:
        order.status = "paid"
    db.commit()
    return order


def cancel(db: Session, order: Order) -> None:
    try:
        http.post(f"{PAYMENTS_URL}/refunds", json={"order": order.id}).raise_for_status()
    except httpx.HTTPError:
        db.rollback()
        order.status = "refund_pending"
        db.commit()
