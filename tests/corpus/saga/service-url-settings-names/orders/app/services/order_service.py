"""Order placement: reserve stock, then take the payment."""

import logging

import httpx

from app.config import settings

logger = logging.getLogger(__name__)


class OrderService:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def reserve_inventory(self, order_id: str, items: list[dict]) -> str:
        response = await self.client.post(
            f"{settings.inventory_service_url}/api/v1/reservations",
            json={"order_id": order_id, "items": items},
        )
        response.raise_for_status()
        return response.json()["reservation_id"]

    async def release_inventory(self, reservation_id: str) -> None:
        await self.client.post(
            f"{settings.inventory_service_url}/api/v1/reservations/{reservation_id}/release"
        )

    async def process_payment(self, order_id: str, amount: float) -> str:
        response = await self.client.post(
            f"{settings.payment_service_url}/api/v1/payments",
            json={"order_id": order_id, "amount": amount},
        )
        response.raise_for_status()
        return response.json()["payment_id"]

    async def place_order(self, order_id: str, items: list[dict], amount: float) -> dict:
        reservation_id = await self.reserve_inventory(order_id, items)
        try:
            payment_id = await self.process_payment(order_id, amount)
        except httpx.HTTPError:
            logger.exception("payment failed for order %s", order_id)
            await self.release_inventory(reservation_id)
            raise
        return {"order_id": order_id, "reservation_id": reservation_id, "payment_id": payment_id}

    async def quick_order(self, order_id: str, items: list[dict], amount: float) -> dict:
        """The express path someone added later, without the failure handling."""
        reservation_id = await self.reserve_inventory(order_id, items)
        payment_id = await self.process_payment(order_id, amount)  # expect: SP502
        return {"order_id": order_id, "reservation_id": reservation_id, "payment_id": payment_id}
