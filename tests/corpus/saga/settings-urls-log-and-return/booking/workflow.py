"""Trip workflow: reports failure to the caller and leaves the charge in place."""

import logging

import httpx

from booking.config import settings

logger = logging.getLogger(__name__)


def book(user_id: str, flight_id: str, amount_cents: int) -> dict:
    with httpx.Client(timeout=httpx.Timeout(5.0)) as client:
        charge = client.post(
            f"{settings.payments_url}/charges", json={"user_id": user_id, "amount_cents": amount_cents}
        )
        if charge.is_error:
            return {"status": "failed", "step": "payment"}
        try:
            seat = client.post(  # expect: SP502
                f"{settings.flights_url}/reservations", json={"user_id": user_id, "flight_id": flight_id}
            )
            seat.raise_for_status()
        except Exception:
            logger.exception("seat reservation failed")
            return {"status": "failed", "step": "flight"}
        return {"status": "booked", "charge": charge.json()["id"], "seat": seat.json()["id"]}
