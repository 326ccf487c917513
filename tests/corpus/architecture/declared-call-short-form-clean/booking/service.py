import os
import uuid

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
HOTELS_URL = os.environ.get("HOTELS_URL")


class BookingService:
    def __init__(self) -> None:
        self.http = requests.Session()

    def book(self, guest: str, hotel_id: str, amount: int) -> dict:
        key = str(uuid.uuid4())
        charge = self.http.post(
            PAYMENTS_URL + "/charges",
            json={"guest": guest, "amount": amount},
            headers={"Idempotency-Key": key},
            timeout=5,
        )
        charge.raise_for_status()
        room = self.http.post(
            f"{HOTELS_URL}/reservations",
            json={"guest": guest, "hotel": hotel_id},
            headers={"Idempotency-Key": key},
            timeout=5,
        )
        room.raise_for_status()
        return {"charge": charge.json()["id"], "reservation": room.json()["id"]}
