"""Trip booking service: the hotel failure path cancels the flight but keeps the charge."""

from dataclasses import dataclass

import requests

from booking.clients.inventory import FlightsClient, HotelsClient
from booking.clients.payments import PaymentsClient


@dataclass
class TripRequest:
    user_id: str
    flight_id: str
    hotel_id: str
    amount_cents: int


class TripService:
    def __init__(self) -> None:
        self.payments = PaymentsClient()
        self.flights = FlightsClient()
        self.hotels = HotelsClient()

    def book(self, trip: TripRequest) -> dict:
        charge_id = self.payments.charge(trip.user_id, trip.amount_cents)
        try:
            flight_res = self.flights.reserve(trip.flight_id)
        except requests.RequestException:
            self.payments.refund(charge_id)
            raise
        try:
            hotel_res = self.hotels.reserve(trip.hotel_id)  # expect: SP502
        except requests.RequestException:
            self.flights.cancel(flight_res)
            raise
        return {"charge": charge_id, "flight": flight_res, "hotel": hotel_res}
