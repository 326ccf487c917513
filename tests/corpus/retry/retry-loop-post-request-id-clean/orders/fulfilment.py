import os
import random
import time
import uuid

import requests

WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]


def create_pick_list(order_id: str, lines: list[dict]) -> str:
    request_id = str(uuid.uuid4())
    for attempt in range(4):
        try:
            resp = requests.post(
                f"{WAREHOUSE_URL}/pick-lists",
                json={"order_id": order_id, "lines": lines},
                headers={"X-Request-ID": request_id},
                timeout=5,
            )
            resp.raise_for_status()
            return resp.json()["pick_list_id"]
        except requests.RequestException:
            if attempt == 3:
                raise
            time.sleep(random.uniform(0, 0.5 * 2**attempt))
    raise AssertionError("unreachable")


def cancel_pick_list(pick_list_id: str) -> None:
    for attempt in range(4):
        try:
            requests.delete(
                f"{WAREHOUSE_URL}/pick-lists/{pick_list_id}",
                headers={"Request-Id": f"cancel-{pick_list_id}"},
                timeout=5,
            ).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(random.uniform(0, 0.5 * 2**attempt))
    raise RuntimeError("warehouse unavailable")
