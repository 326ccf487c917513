import httpx

from booking.config import get_settings

settings = get_settings()


class FlightsClient:
    def __init__(self) -> None:
        self._http = httpx.Client(timeout=settings.http_timeout)

    def reserve(self, flight_id: str, passenger: str) -> dict:
        resp = self._http.post(
            f"{settings.flights_url}/reservations",
            json={"flight": flight_id, "passenger": passenger},
        )
        resp.raise_for_status()
        return resp.json()


def award_miles(passenger: str, miles: int) -> None:
    httpx.post(  # expect: SP802
        f"{settings.loyalty_url}/members/{passenger}/miles",
        json={"miles": miles},
        timeout=settings.http_timeout,
    )
