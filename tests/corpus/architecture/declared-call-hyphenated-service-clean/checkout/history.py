import os

import requests

ORDER_HISTORY_URL = os.environ["ORDER_HISTORY_URL"]


def record(order_id: str, status: str) -> None:
    requests.post(
        f"{ORDER_HISTORY_URL}/entries",
        json={"order_id": order_id, "status": status},
        headers={"Idempotency-Key": f"{order_id}:{status}"},
        timeout=3,
    ).raise_for_status()
