import requests

INVENTORY_BASE = "http://inventory:8080/api/v1"  # expect: SP804
DEFAULT_TIMEOUT = 3


def reserve(sku: str, qty: int) -> dict:
    resp = requests.post(
        f"{INVENTORY_BASE}/reservations", json={"sku": sku, "qty": qty}, timeout=DEFAULT_TIMEOUT
    )
    resp.raise_for_status()
    return resp.json()


def release(reservation_id: str) -> None:
    requests.delete(INVENTORY_BASE + f"/reservations/{reservation_id}", timeout=DEFAULT_TIMEOUT)
