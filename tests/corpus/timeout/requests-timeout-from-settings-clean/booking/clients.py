import requests

from booking.config import settings


class PaymentsClient:
    def __init__(self) -> None:
        self._session = requests.Session()
        self._timeout = (settings.http_connect_timeout, settings.http_timeout)

    def charge(self, booking_id: str, amount_cents: int) -> str:
        resp = self._session.post(
            f"{settings.payments_url}/charges",
            json={"booking_id": booking_id, "amount_cents": amount_cents},
            timeout=self._timeout,
        )
        resp.raise_for_status()
        return resp.json()["charge_id"]

    def refund(self, charge_id: str) -> None:
        resp = self._session.post(
            f"{settings.payments_url}/refunds", json={"charge_id": charge_id}, timeout=self._timeout
        )
        resp.raise_for_status()


def seat_map(flight_no: str) -> dict:
    resp = requests.get(f"{settings.flights_url}/flights/{flight_no}/seats", timeout=settings.http_timeout)
    resp.raise_for_status()
    return resp.json()
