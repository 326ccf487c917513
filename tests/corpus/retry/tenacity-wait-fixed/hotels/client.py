import os

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_fixed

HOTELS_URL = os.environ["HOTELS_URL"]


@retry(  # expect: SP202
    stop=stop_after_attempt(3),
    wait=wait_fixed(2),
    retry=retry_if_exception_type(requests.RequestException),
    reraise=True,
)
def availability(hotel_id: str, check_in: str, nights: int) -> dict:
    resp = requests.get(
        f"{HOTELS_URL}/hotels/{hotel_id}/availability",
        params={"check_in": check_in, "nights": nights},
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()
