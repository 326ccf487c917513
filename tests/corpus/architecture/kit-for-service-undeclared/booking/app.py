"""Kit clients are resolved to their target: hotels is not among booking's calls."""

from stormproof.kit import Client

payments = Client.for_service("payments")
hotels = Client.for_service("hotels")


def charge(amount: int) -> dict:
    return payments.post("/charges", json={"amount": amount}).json()


def rooms(hotel_id: str) -> dict:
    return hotels.get(f"/hotels/{hotel_id}/rooms").json()  # expect: SP802
