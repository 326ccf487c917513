import os

import requests
from tenacity import retry, stop_after_attempt, wait_random_exponential

from shipping.http import request_headers

CARRIER_URL = os.environ["CARRIER_URL"]


class LabelClient:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.session = requests.Session()

    def _headers(self, shipment_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": f"label-{shipment_id}"}

    @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=8), reraise=True)
    def create_label(self, shipment_id: str, parcel: dict) -> bytes:
        resp = self.session.post(
            f"{CARRIER_URL}/labels",
            json={"shipment_id": shipment_id, **parcel},
            headers=self._headers(shipment_id),
            timeout=10,
        )
        resp.raise_for_status()
        return resp.content

    @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=8), reraise=True)
    def void_label(self, label_id: str) -> None:
        headers = request_headers(label_id)
        self.session.delete(f"{CARRIER_URL}/labels/{label_id}", headers=headers, timeout=10)
