import os
import random
import time

from stormproof.kit import Client

hotels = Client(os.environ["HOTELS_URL"], service="hotels")


def reserve_room(trip_id: str, hotel_id: str, nights: int) -> str:
    for attempt in range(3):  # expect: SP205
        try:
            resp = hotels.post(
                "/reservations", json={"trip_id": trip_id, "hotel_id": hotel_id, "nights": nights}
            )
            return resp.json()["reservation_id"]
        except ConnectionError:
            time.sleep(random.uniform(0, 2**attempt))
    raise RuntimeError("hotels unavailable")


def room_types(hotel_id: str) -> list[str]:
    return hotels.get(f"/hotels/{hotel_id}/rooms").json()["types"]
