"""Client classes, one shared instance each."""

import os

import httpx


class PaymentsClient:
    def __init__(self) -> None:
        self.base_url = os.environ["PAYMENTS_URL"]
        self.http = httpx.Client(timeout=5.0)

    def pay(self, booking_id: str, amount: float) -> str:
        resp = self.http.post(f"{self.base_url}/payments", json={"booking_id": booking_id, "amount": amount})
        resp.raise_for_status()
        return resp.json()["id"]

    def refund(self, payment_id: str) -> None:
        self.http.post(f"{self.base_url}/payments/{payment_id}/refund").raise_for_status()


class FlightsClient:
    def __init__(self) -> None:
        self.base_url = os.environ["FLIGHTS_URL"]
        self.http = httpx.Client(timeout=5.0)

    def book(self, booking_id: str, flight_id: str) -> str:
        resp = self.http.post(f"{self.base_url}/bookings", json={"booking_id": booking_id, "flight_id": flight_id})
        resp.raise_for_status()
        return resp.json()["id"]


payments_client = PaymentsClient()
flights_client = FlightsClient()
